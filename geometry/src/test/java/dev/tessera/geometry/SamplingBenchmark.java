package dev.tessera.geometry;

import dev.tessera.geometry.io.MeshIO;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Timings of this branch's kernels, in the line format of {@code bench/peers/geometry_peers.py} ({@code name
 * seconds detail}). Not a test: run with {@code java -cp geometry/target/classes:geometry/target/test-classes
 * dev.tessera.geometry.SamplingBenchmark testdata/meshes/bunny00.off}.
 */
public final class SamplingBenchmark {
    private SamplingBenchmark() {}

    public static void main(String[] args) throws IOException {
        TriangleMesh mesh = MeshIO.read(Path.of(args.length > 0 ? args[0] : "testdata/meshes/bunny00.off"));
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        mesh = mesh.normalized(0.9);
        TriangleMesh m = mesh;
        double[] t = time(reps, () -> SurfaceSampler.sample(m, 1_000_000, 1));
        print("surface_sample_1M", t[0], String.format(Locale.ROOT, "points/s=%.3g", 1e6 / t[0]));
        float[] cloud = SurfaceSampler.sample(mesh, 100_000, 0).points();
        int threads = Runtime.getRuntime().availableProcessors();
        for (int th = 1; th <= threads; th *= 2) {
            int tt = th;
            double[] f = time(reps, () -> FarthestPointSampler.sample(cloud, 4096, 0, tt));
            print("fps_100k_to_4096", f[0], "threads=" + th + " median=" + fmt(f[1]));
        }
        double[] r = time(1, () -> FarthestPointSampler.reference(cloud, 4096, 0));
        print("fps_100k_to_4096_naive", r[0], "threads=1 (textbook loop, same output)");
        float[] big = SurfaceSampler.sample(mesh, 1_000_000, 0).points();
        double[] fb = time(Math.max(1, reps / 2), () -> FarthestPointSampler.sample(big, 16_384, 0));
        print("fps_1M_to_16384", fb[0], "threads=" + threads);
        Aabb box = Aabb.cube(1);
        for (int res : new int[] {64, 256}) {
            double[] v = time(reps, () -> Voxelizer.surface(m, box, res));
            int count = Voxelizer.surface(m, box, res).size();
            print(
                    "voxelize_surface_" + res,
                    v[0],
                    String.format(Locale.ROOT, "voxels=%d voxels/s=%.3g", count, (double) res * res * res / v[0]));
        }
        double[] occ = time(reps, () -> Voxelizer.occupancy(m, box, 64));
        print("voxelize_occupancy_64", occ[0], "dense byte[64³]");
        double[] sol = time(reps, () -> Voxelizer.solid(m, box, 64));
        print("voxelize_solid_flood_64", sol[0], "(bunny00 has holes: the fill leaks)");
    }

    static String fmt(double s) {
        return String.format(Locale.ROOT, "%.4f", s);
    }

    static void print(String name, double seconds, String detail) {
        System.out.println(name + " " + fmt(seconds) + " " + detail);
    }

    /** Best and median seconds of {@code reps} runs after {@code reps} warm-up runs. */
    static double[] time(int reps, Supplier<?> f) {
        double[] s = new double[reps];
        for (int i = 0; i < 2 * reps; i++) {
            long t0 = System.nanoTime();
            Object o = f.get();
            long t1 = System.nanoTime();
            if (o == null) {
                throw new AssertionError();
            }
            if (i >= reps) {
                s[i - reps] = (t1 - t0) * 1e-9;
            }
        }
        java.util.Arrays.sort(s);
        return new double[] {s[0], s[reps / 2]};
    }
}
