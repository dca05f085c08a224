package dev.tessera.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.safetensors.SafetensorsWriter;
import dev.tessera.geometry.MeshCheck;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.io.MeshIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tessera sdf} and {@code tessera metrics}, run in-process on small closed-form meshes. */
class SdfMetricsCommandsTest {
    @TempDir
    Path dir;

    /** An octahedron subdivided {@code levels} times, vertices pushed onto the sphere of radius {@code r}. */
    static TriangleMesh sphere(double r, int levels) {
        List<float[]> v = new ArrayList<>(List.of(
                new float[] {1, 0, 0},
                new float[] {-1, 0, 0},
                new float[] {0, 1, 0},
                new float[] {0, -1, 0},
                new float[] {0, 0, 1},
                new float[] {0, 0, -1}));
        List<int[]> f = new ArrayList<>(List.of(
                new int[] {0, 2, 4},
                new int[] {2, 1, 4},
                new int[] {1, 3, 4},
                new int[] {3, 0, 4},
                new int[] {2, 0, 5},
                new int[] {1, 2, 5},
                new int[] {3, 1, 5},
                new int[] {0, 3, 5}));
        for (int l = 0; l < levels; l++) {
            Map<Long, Integer> mid = new HashMap<>();
            List<int[]> next = new ArrayList<>();
            for (int[] t : f) {
                int[] m = new int[3];
                for (int e = 0; e < 3; e++) {
                    int a = t[e], b = t[(e + 1) % 3];
                    long key = (long) Math.min(a, b) << 32 | Math.max(a, b);
                    m[e] = mid.computeIfAbsent(key, k -> {
                        float[] p = v.get(a), q = v.get(b);
                        v.add(new float[] {(p[0] + q[0]) / 2, (p[1] + q[1]) / 2, (p[2] + q[2]) / 2});
                        return v.size() - 1;
                    });
                }
                next.add(new int[] {t[0], m[0], m[2]});
                next.add(new int[] {t[1], m[1], m[0]});
                next.add(new int[] {t[2], m[2], m[1]});
                next.add(new int[] {m[0], m[1], m[2]});
            }
            f = next;
        }
        float[] pos = new float[3 * v.size()];
        for (int i = 0; i < v.size(); i++) {
            float[] p = v.get(i);
            double n = Math.sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
            for (int a = 0; a < 3; a++) {
                pos[3 * i + a] = (float) (p[a] / n * r);
            }
        }
        int[] tri = new int[3 * f.size()];
        for (int i = 0; i < f.size(); i++) {
            System.arraycopy(f.get(i), 0, tri, 3 * i, 3);
        }
        return new TriangleMesh(pos, tri);
    }

    private Path write(String name, TriangleMesh m) throws Exception {
        Path p = dir.resolve(name);
        MeshIO.write(p, m);
        return p;
    }

    /** The {@code name value} lines of {@code tessera metrics} as numbers. */
    private static Map<String, Double> lines(String out) {
        Map<String, Double> m = new HashMap<>();
        Matcher x = Pattern.compile("(?m)^(\\S+)\\s+([-0-9.eE+]+|n/a)$").matcher(out);
        while (x.find()) {
            m.put(x.group(1), x.group(2).equals("n/a") ? Double.NaN : Double.parseDouble(x.group(2)));
        }
        return m;
    }

    @Test
    void sdfGridOfASphereIsItsAnalyticSdfAndFeedsMc() throws Exception {
        Path mesh = write("ball.off", sphere(0.6, 4)); // 2048 triangles: sagitta below 0.002
        Path grid = dir.resolve("g.safetensors");
        CliTest.Run r = CliTest.run(
                "sdf", mesh.toString(), "--grid", "20", "--bounds", "-1,-1,-1,1,1,1", "-o", grid.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("'sdf'").contains("20³ grid").contains("% inside");
        try (SafetensorsReader g = SafetensorsReader.open(grid)) {
            assertThat(g.info("sdf").shape()).containsExactly(20, 20, 20);
            assertThat(g.doubles("bounds")).containsExactly(-1, -1, -1, 1, 1, 1);
            assertThat(g.metadata()).containsEntry("mesh", "ball.off");
            float[] v = g.floats("sdf");
            double h = 2.0 / 19;
            for (int i = 0; i < 20; i++) {
                for (int j = 0; j < 20; j++) {
                    for (int k = 0; k < 20; k++) {
                        double x = -1 + i * h, y = -1 + j * h, z = -1 + k * h;
                        double exact = Math.sqrt(x * x + y * y + z * z) - 0.6;
                        // the polygon lies inside the sphere by at most its sagitta; far values by propagation
                        assertThat((double) v[(i * 20 + j) * 20 + k]).isCloseTo(exact, within(0.01 + 0.05 * h));
                    }
                }
            }
        }
        Path out = dir.resolve("ball.obj");
        assertThat(CliTest.run("mc", grid.toString(), out.toString()).code()).isZero();
        TriangleMesh back = MeshIO.read(out);
        assertThat(MeshCheck.of(back).isWatertight()).isTrue();
        assertThat(back.volume()).isCloseTo(4 / 3.0 * Math.PI * 0.216, within(0.1 * 4 / 3.0 * Math.PI * 0.216));
        // unsigned, as .npy
        Path npy = dir.resolve("u.npy");
        CliTest.Run u = CliTest.run("sdf", mesh.toString(), "-r", "8", "--unsigned", "--out", npy.toString());
        assertThat(u.code()).as(u.err()).isZero();
        Npy.Floats f = Npy.readFloats(npy);
        assertThat(f.shape()).containsExactly(8, 8, 8);
        for (float d : f.data()) {
            assertThat(d).isGreaterThanOrEqualTo(0f);
        }
    }

    @Test
    void sdfAtPointsSignsByWindingNumberEvenWithAHole() throws Exception {
        TriangleMesh ball = sphere(0.5, 3);
        // drop the triangles around the north pole: an open sphere whose inside is still the inside
        int[] t = ball.triangles();
        int[] kept = new int[t.length];
        int n = 0;
        for (int i = 0; i < t.length; i += 3) {
            float zMin = Math.min(ball.z(t[i]), Math.min(ball.z(t[i + 1]), ball.z(t[i + 2])));
            if (zMin < 0.45f) {
                System.arraycopy(t, i, kept, n, 3);
                n += 3;
            }
        }
        TriangleMesh holey = new TriangleMesh(ball.positions(), Arrays.copyOf(kept, n));
        assertThat(MeshCheck.of(holey).isWatertight()).isFalse();
        Path mesh = write("holey.ply", holey);
        float[] pts = {0, 0, 0, 0.2f, 0.1f, -0.1f, 0.9f, 0, 0, 0, 0, 0.3f, 0, -2, 0};
        Path in = dir.resolve("q.npy");
        Npy.writeFloats(in, pts, 5, 3);
        Path out = dir.resolve("d.safetensors");
        CliTest.Run r = CliTest.run("sdf", mesh.toString(), "--points", in.toString(), "-o", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("5 points").contains("60.00 % inside");
        try (SafetensorsReader s = SafetensorsReader.open(out)) {
            float[] d = s.floats("sdf");
            assertThat(s.floats("points")).containsExactly(pts);
            assertThat(d[0]).isCloseTo(-0.5f, within(0.02f));
            assertThat(d[1]).isNegative();
            assertThat(d[2]).isCloseTo(0.4f, within(0.02f));
            assertThat(d[3]).isNegative(); // under the hole, still inside
            assertThat(d[4]).isCloseTo(1.5f, within(0.02f));
        }
        // the same points from a safetensors file, and --normalize applied before the queries
        Path st = dir.resolve("q.safetensors");
        new SafetensorsWriter().addFloats("points", pts, 5, 3).write(st);
        Path o2 = dir.resolve("d.npy");
        CliTest.Run r2 =
                CliTest.run("sdf", mesh.toString(), "--points", st.toString(), "--normalize", "1", "-o", o2.toString());
        assertThat(r2.code()).as(r2.err()).isZero();
        float[] d2 = Npy.readFloats(o2).data();
        assertThat(d2[0]).isLessThan(-0.9f); // the sphere now has radius about 1
    }

    @Test
    void sdfRefusesBadRequestsAndWritesNothing() throws Exception {
        Path mesh = write("ball.off", sphere(0.5, 1));
        Path out = dir.resolve("x.safetensors");
        assertThat(CliTest.run("sdf", mesh.toString(), "-o", out.toString()).code())
                .isEqualTo(Cli.USAGE);
        Path q = dir.resolve("q.npy");
        Npy.writeFloats(q, new float[] {0, 0, 0}, 1, 3);
        CliTest.Run both =
                CliTest.run("sdf", mesh.toString(), "--grid", "8", "--points", q.toString(), "-o", out.toString());
        assertThat(both.code()).isEqualTo(Cli.USAGE);
        CliTest.Run ext = CliTest.run(
                "sdf",
                mesh.toString(),
                "--grid",
                "8",
                "-o",
                dir.resolve("x.obj").toString());
        assertThat(ext.code()).isEqualTo(Cli.USAGE);
        assertThat(ext.err()).contains("use .safetensors or .npy");
        CliTest.Run small = CliTest.run("sdf", mesh.toString(), "--grid", "1", "-o", out.toString());
        assertThat(small.code()).isEqualTo(Cli.USAGE);
        assertThat(small.err()).contains("--resolution must be in [2, 1024]");
        CliTest.Run box =
                CliTest.run("sdf", mesh.toString(), "--grid", "8", "--bounds", "1,0,0,0,1,1", "-o", out.toString());
        assertThat(box.code()).isEqualTo(Cli.USAGE);
        assertThat(box.err()).contains("is not a box");
        Path flat = dir.resolve("flat.npy");
        Npy.writeFloats(flat, new float[] {0, 0, 0, 1}, 2, 2);
        CliTest.Run shape = CliTest.run("sdf", mesh.toString(), "--points", flat.toString(), "-o", out.toString());
        assertThat(shape.code()).isEqualTo(Cli.FAILED);
        assertThat(shape.err()).startsWith("tessera sdf: ").contains("flat.npy: points have shape [2, 2]");
        Path nan = dir.resolve("nan.npy");
        Npy.writeFloats(nan, new float[] {0, 0, 0, 1, Float.NaN, 0}, 2, 3);
        CliTest.Run bad = CliTest.run("sdf", mesh.toString(), "--points", nan.toString(), "-o", out.toString());
        assertThat(bad.code()).isEqualTo(Cli.FAILED);
        assertThat(bad.err()).contains("point 1 has a non-finite coordinate");
        Path junk = dir.resolve("junk.npy");
        Files.writeString(junk, "not numpy");
        CliTest.Run j = CliTest.run("sdf", mesh.toString(), "--points", junk.toString(), "-o", out.toString());
        assertThat(j.code()).isEqualTo(Cli.FAILED);
        assertThat(j.err()).contains("junk.npy");
        CliTest.Run missing =
                CliTest.run("sdf", dir.resolve("none.off").toString(), "--grid", "8", "-o", out.toString());
        assertThat(missing.code()).isEqualTo(Cli.FAILED);
        assertThat(missing.err()).contains("none.off: no such file");
        assertThat(Files.exists(out)).isFalse();
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(f -> f.endsWith(".tmp"));
        }
    }

    @Test
    void metricsOfAMeshWithItselfArePerfect() throws Exception {
        Path a = write("a.off", sphere(0.7, 3));
        CliTest.Run r = CliTest.run("metrics", a.toString(), a.toString(), "--points", "5000", "--seed", "3");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Double> m = lines(r.out());
        assertThat(m.get("points")).isEqualTo(5000);
        for (String zero : List.of("chamfer_l1", "chamfer_l2", "hausdorff", "completeness", "accuracy")) {
            assertThat(m.get(zero)).as(zero).isZero();
        }
        for (String one : List.of(
                "fscore@0.01",
                "fscore@0.02",
                "normal_consistency",
                "oriented_normal_consistency",
                "volume_iou",
                "near_surface_iou")) {
            assertThat(m.get(one)).as(one).isEqualTo(1.0);
        }
    }

    @Test
    void metricsOfConcentricSpheresFollowTheClosedForm() throws Exception {
        // A of radius 1 fits [-1, 1]³ as it is; B = 1.1: every nearest distance is about 0.1
        Path a = write("a.off", sphere(1.0, 5));
        Path b = write("b.off", sphere(1.1, 5));
        CliTest.Run r =
                CliTest.run("metrics", a.toString(), b.toString(), "--points", "20000", "--tau", "0.05,0.15", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("points").asInt()).isEqualTo(20000);
        assertThat(j.get("chamfer_l1").asDouble()).isCloseTo(0.1, within(0.01));
        assertThat(j.get("chamfer_l2").asDouble()).isCloseTo(0.01, within(0.002));
        assertThat(j.get("hausdorff").asDouble()).isCloseTo(0.1, within(0.03));
        assertThat(j.get("fscores").get(0).get("tau").asDouble()).isEqualTo(0.05);
        assertThat(j.get("fscores").get(0).get("fscore").asDouble()).isZero();
        assertThat(j.get("fscores").get(1).get("fscore").asDouble()).isEqualTo(1.0);
        assertThat(j.get("normal_consistency").asDouble()).isGreaterThan(0.99);
        assertThat(j.get("volume_iou").asDouble()).isCloseTo(Math.pow(1 / 1.1, 3), within(0.02));
        assertThat(j.get("near_surface_iou").asDouble()).isCloseTo(1 / 3.0, within(0.03));
        CliTest.Run noIou = CliTest.run(
                "metrics", a.toString(), b.toString(), "--points", "2000", "--no-iou", "--no-normalize", "--json");
        JsonNode k = new ObjectMapper().readTree(noIou.out());
        assertThat(k.get("volume_iou").isNull()).isTrue();
        assertThat(k.get("normalized").asBoolean()).isFalse();
    }

    @Test
    void metricsRefusesBadRequests() throws Exception {
        Path a = write("a.off", sphere(0.7, 1));
        assertThat(CliTest.run("metrics", a.toString(), a.toString(), "--points", "0")
                        .code())
                .isEqualTo(Cli.USAGE);
        CliTest.Run tau = CliTest.run("metrics", a.toString(), a.toString(), "--tau", "-1");
        assertThat(tau.code()).isEqualTo(Cli.USAGE);
        assertThat(tau.err()).contains("F-score thresholds must be finite and > 0");
        assertThat(CliTest.run("metrics", a.toString()).code()).isEqualTo(Cli.USAGE);
        CliTest.Run missing =
                CliTest.run("metrics", a.toString(), dir.resolve("b.obj").toString());
        assertThat(missing.code()).isEqualTo(Cli.FAILED);
        assertThat(missing.err()).contains("b.obj: no such file");
        Path flat = dir.resolve("flat.obj");
        Files.writeString(flat, "v 0 0 0\nv 1 0 0\nv 2 0 0\nf 1 2 3\n");
        CliTest.Run zero = CliTest.run("metrics", a.toString(), flat.toString(), "--no-iou");
        assertThat(zero.code()).isEqualTo(Cli.FAILED);
        assertThat(zero.err()).startsWith("tessera metrics: ").contains("mesh B (candidate)");
    }

    @Test
    void helpFitsEightyColumns() {
        for (String[] cmd :
                new String[][] {{"sdf", "--help"}, {"metrics", "--help"}, {"bench", "geometry", "--help"}}) {
            CliTest.Run r = CliTest.run(cmd);
            assertThat(r.code()).isZero();
            assertThat(r.out().lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
        }
    }

    @Test
    void benchGeometryRefusesUnknownLinesBeforeAnyWork() {
        CliTest.Run r = CliTest.run("bench", "geometry", "sdf_points_2M", "--no-peers");
        assertThat(r.code()).isEqualTo(Cli.USAGE);
        assertThat(r.err()).contains("unknown line 'sdf_points_2M'").contains("udf_grid_256");
        assertThat(CliTest.run("bench", "geometry", "--reps", "0").code()).isEqualTo(Cli.USAGE);
        CliTest.Run mesh = CliTest.run(
                "bench",
                "geometry",
                "fps_100k_to_4096",
                "--no-peers",
                "--mesh",
                dir.resolve("none.off").toString());
        assertThat(mesh.code()).isEqualTo(Cli.FAILED);
        assertThat(mesh.err()).contains("none.off: no such file");
    }

    @Test
    void npyRoundTripsAndRejectsOtherDtypes() throws Exception {
        Path p = dir.resolve("a.npy");
        float[] v = {1, -2, 3.5f, Float.MIN_VALUE, 0, 7};
        Npy.writeFloats(p, v, 2, 3);
        Npy.Floats f = Npy.readFloats(p);
        assertThat(f.shape()).containsExactly(2, 3);
        assertThat(f.data()).containsExactly(v);
        byte[] bytes = Files.readAllBytes(p);
        int dataStart = bytes.length - 24;
        assertThat(dataStart % 64).isZero(); // numpy's alignment
        Path u8 = dir.resolve("b.npy");
        Npy.writeBytes(u8, new byte[] {1, 0, 1}, 3);
        assertThat(Npy.isNpy(u8)).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Npy.readFloats(u8))
                .hasMessageContaining("dtype '|u1' is not supported");
    }
}
