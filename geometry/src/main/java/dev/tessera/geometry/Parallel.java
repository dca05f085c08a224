package dev.tessera.geometry;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Fixed-partition parallel loops. Work is cut into a number of tasks that depends only on the problem size, never on
 * the number of threads, so every result is the same however many cores run it. Tasks run on the calling thread's
 * {@link java.util.concurrent.ForkJoinPool} (the common pool, or the pool a caller submitted the work to).
 */
final class Parallel {
    private Parallel() {}

    /** Runs {@code body(0) … body(tasks - 1)}, in parallel when there is more than one task. */
    static void forEach(int tasks, IntConsumer body) {
        if (tasks <= 1) {
            for (int i = 0; i < tasks; i++) {
                body.accept(i);
            }
        } else {
            IntStream.range(0, tasks).parallel().forEach(body);
        }
    }

    /**
     * Runs {@code body} once per thread of the calling thread's pool (its parallelism, plus the caller), in parallel:
     * for work queues whose result does not depend on which thread takes which item. Some of the runs may start only
     * after others have emptied the queue.
     */
    static void onWorkers(Runnable body) {
        java.util.concurrent.ForkJoinPool pool = java.util.concurrent.ForkJoinTask.getPool();
        int workers =
                (pool != null ? pool.getParallelism() : java.util.concurrent.ForkJoinPool.getCommonPoolParallelism())
                        + (pool != null ? 0 : 1);
        forEach(Math.max(1, workers), i -> body.run());
    }

    /** Number of chunks of at most {@code chunk} items covering {@code n} items. */
    static int chunks(int n, int chunk) {
        return (n + chunk - 1) / chunk;
    }
}
