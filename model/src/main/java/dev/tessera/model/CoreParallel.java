package dev.tessera.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Runs independent pieces of libtorch work side by side, one worker thread per core, each worker's libtorch
 * intra-op parallelism set to one thread. This is data parallelism across the cores of one machine: a training step
 * of batch 2 runs as two micro-batches of 1 at once, a guided sampling step runs its conditional and unconditional
 * halves at once.
 *
 * <p>Why: on few cores the models' GEMMs are small (a {@code [512, 384] × [384, 1536]} linear), and splitting each
 * one over the cores costs a synchronisation per op — thousands per step — and nests OpenBLAS inside libtorch's
 * OpenMP kernels (see {@link Torch}). Independent pieces on their own cores need no synchronisation until their
 * results are combined. Measured on 2 cores: {@code docs/benchmarks.md}, *DiT lines*.
 *
 * <p>Determinism: every piece must draw its randomness from its own seeded generator (never a shared one, whose
 * draws would then depend on thread timing), and the caller combines the results in piece order; {@link #map}
 * returns them in that order. libtorch's grad mode is thread-local: each piece runs with the caller's; autocast,
 * also thread-local, a piece enables itself when it needs it.
 */
public final class CoreParallel {
    private static volatile CoreParallel shared;

    private final int workers;
    private final ExecutorService pool;

    private CoreParallel(int workers) {
        Torch.load();
        this.workers = workers;
        int restore = torch.get_num_threads();
        this.pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(
                    () -> {
                        // one intra-op thread for this worker: set it, then run libtorch's lazy per-thread init now,
                        // while the global setting still says 1 (it re-reads the global on a thread's first op)
                        torch.set_num_threads(1);
                        torch.get_num_threads();
                        r.run();
                    },
                    "tessera-core-" + System.identityHashCode(r));
            t.setDaemon(true);
            return t;
        });
        // start every worker (each applies its setting) before the caller's thread count is restored
        List<Future<?>> started = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            started.add(pool.submit(() -> torch.get_num_threads()));
        }
        for (Future<?> f : started) {
            await(f);
        }
        torch.set_num_threads(restore);
    }

    /**
     * The shared pool: as many workers as libtorch's intra-op threads of the thread that first asks (the machine's
     * cores by default, {@code TESSERA_THREADS} or {@code OMP_NUM_THREADS} when set).
     */
    public static CoreParallel shared() {
        CoreParallel p = shared;
        if (p == null) {
            synchronized (CoreParallel.class) {
                p = shared;
                if (p == null) {
                    Torch.load();
                    p = new CoreParallel(Math.max(1, torch.get_num_threads()));
                    shared = p;
                }
            }
        }
        return p;
    }

    /**
     * Cuts {@code tensors} into at most {@code runs} consecutive, non-empty runs of about equal numbers of elements,
     * for work over many tensors spread on the workers (one run each): the boundaries, from 0 to {@code
     * tensors.size()}. Each boundary is the one nearest its share of the elements.
     */
    public static int[] cuts(List<Tensor> tensors, int runs) {
        long total = 0;
        for (Tensor t : tensors) {
            total += t.numel();
        }
        int n = Math.max(1, Math.min(runs, tensors.size()));
        int[] cuts = new int[n + 1];
        int made = 1;
        long before = 0; // elements of the tensors before boundary i
        for (int i = 1; i < tensors.size() && made < n; i++) {
            before += tensors.get(i - 1).numel();
            double share = (double) total * made / n;
            long after = before + tensors.get(i).numel();
            if (Math.abs(before - share) <= Math.abs(after - share)) {
                cuts[made++] = i;
            }
        }
        cuts[made] = tensors.size();
        return Arrays.copyOf(cuts, made + 1);
    }

    /** Work on the tensors {@code [from, to)} of a list. */
    @FunctionalInterface
    public interface Run {
        void apply(int from, int to);
    }

    /**
     * Cuts {@code tensors} into at most {@code runs} runs ({@link #cuts}) and does {@code body} on each, one run per
     * worker, each in a {@link StepScope} of its own; returns when all are done.
     */
    public void forEachRun(List<Tensor> tensors, int runs, Run body) {
        int[] cuts = cuts(tensors, runs);
        map(cuts.length - 1, r -> {
            try (StepScope scope = new StepScope()) {
                body.apply(cuts[r], cuts[r + 1]);
            }
            return null;
        });
    }

    /** The number of pieces that run at once. */
    public int workers() {
        return workers;
    }

    /** How many equal pieces a batch of {@code batch} splits into: one per worker, as many as divide it evenly. */
    public int piecesFor(int batch) {
        int m = Math.max(1, Math.min(batch, workers));
        while (batch % m != 0) {
            m--;
        }
        return m;
    }

    /**
     * Runs {@code piece.apply(i)} for {@code i} in {@code [0, n)}, {@link #workers()} at a time, and returns the
     * results in piece order. With one piece, or one worker, the pieces run on the calling thread (with its own
     * libtorch threads). A piece's exception is rethrown after every piece has finished.
     */
    public <T> List<T> map(int n, IntFunction<T> piece) {
        List<T> out = new ArrayList<>(n);
        if (n <= 1 || workers <= 1) {
            for (int i = 0; i < n; i++) {
                out.add(piece.apply(i));
            }
            return out;
        }
        boolean grad = GradMode.is_enabled();
        List<Future<T>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int index = i;
            futures.add(pool.submit(() -> {
                boolean before = GradMode.is_enabled();
                GradMode.set_enabled(grad); // the caller's grad mode (thread-local in libtorch)
                try {
                    return piece.apply(index);
                } finally {
                    GradMode.set_enabled(before);
                }
            }));
        }
        RuntimeException failure = null;
        for (Future<T> f : futures) {
            try {
                out.add(await(f));
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return out;
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a parallel piece", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        }
    }
}
