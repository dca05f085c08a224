package dev.tessera.geometry;

import dev.tessera.geometry.io.MeshIO;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;

/**
 * CPU time and accuracy of {@link MeshDistance#unsignedGrid} on a mesh normalised to {@code [-0.9, 0.9]³}, over
 * {@code [-1, 1]³} in a 2-thread pool: the grid against exact tree queries at 200 000 random grid points (the figures
 * of {@code docs/distance.md}). Not a test: run with {@code java -cp geometry/target/classes:geometry/target/test-classes
 * dev.tessera.geometry.GridAccuracy [mesh] [R] [reps]}.
 */
public final class GridAccuracy {
    private GridAccuracy() {}

    public static void main(String[] args) throws Exception {
        TriangleMesh mesh = MeshIO.read(Path.of(args.length > 0 ? args[0] : "testdata/meshes/bunny00.off"))
                .normalized(0.9);
        int r = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        MeshDistance md = MeshDistance.of(mesh);
        Aabb box = Aabb.cube(1);
        ForkJoinPool pool = new ForkJoinPool(2);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        DenseGrid g = null;
        for (int rep = 0; rep < reps; rep++) {
            long c0 = os.getProcessCpuTime(), w0 = System.nanoTime();
            g = pool.submit(() -> md.unsignedGrid(box, r)).get();
            long c1 = os.getProcessCpuTime(), w1 = System.nanoTime();
            System.out.printf(
                    Locale.ROOT, "run %d: wall %.3f s, cpu %.3f s%n", rep, (w1 - w0) * 1e-9, (c1 - c0) * 1e-9);
        }
        double h = 2.0 / (r - 1);
        int n = 200_000;
        SplittableRandom rnd = new SplittableRandom(0);
        float[] pts = new float[3 * n];
        int[] idx = new int[n];
        for (int q = 0; q < n; q++) {
            int i = rnd.nextInt(r), j = rnd.nextInt(r), k = rnd.nextInt(r);
            idx[q] = (i * r + j) * r + k;
            pts[3 * q] = (float) g.x(i);
            pts[3 * q + 1] = (float) g.y(j);
            pts[3 * q + 2] = (float) g.z(k);
        }
        float[] exact = pool.submit(() -> md.unsigned(pts)).get();
        double worst = 0, below = 0, sum = 0;
        int off = 0, bandOff = 0;
        for (int q = 0; q < n; q++) {
            double e = (g.get(idx[q]) - exact[q]) / h;
            worst = Math.max(worst, e);
            below = Math.min(below, e);
            sum += e;
            off += e > 0.01 ? 1 : 0;
            bandOff += exact[q] <= MeshDistance.BAND_CELLS * h && Math.abs(e) > 1e-4 ? 1 : 0;
        }
        System.out.printf(
                Locale.ROOT,
                "error over %d grid points (h = grid step): at most %.4f h above, at most %.2e h below, mean %.5f h,"
                        + " %.2f %% more than 0.01 h above; band points off: %d%n",
                n,
                worst,
                Math.abs(below),
                sum / n,
                100.0 * off / n,
                bandOff);
        pool.shutdown();
    }
}
