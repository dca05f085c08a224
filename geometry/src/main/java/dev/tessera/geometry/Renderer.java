package dev.tessera.geometry;

import dev.tessera.geometry.RenderOptions.Light;
import dev.tessera.geometry.RenderOptions.NormalSpace;
import dev.tessera.geometry.RenderOptions.Srgb;
import dev.tessera.geometry.io.Png;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * A small software rasteriser: draws a {@link TriangleMesh} through a {@link Camera} into colour, normal and depth
 * images, in pure Java (no GPU, no native code; {@link BufferedImage} only as an output container, so it runs
 * headless).
 *
 * <p><b>Pipeline.</b> Vertices go to camera space; each triangle is clipped against the near plane (and a guard band
 * around the image, so projected coordinates stay bounded), projected, and snapped to 1/256 of a sample. Triangles
 * are rasterised with exact integer edge functions and the top-left fill rule (a sample on an edge shared by two
 * triangles is drawn exactly once, no cracks, no double blending), against a z-buffer of interpolated 1/w. Visible
 * samples are then shaded once each (deferred): attributes are interpolated perspective-correctly, the normal is the
 * crease-angle-smoothed vertex normal, and the colour is Lambert diffuse under camera-fixed directional lights plus
 * ambient, in linear light. With supersampling each pixel holds 2×2 samples at the centres of its quarters, averaged
 * with a box filter; edges get fractional coverage.
 *
 * <p><b>Outputs</b> (see {@link Image}): colour (sRGB-encoded RGBA), a normal map (unit normals in camera or world
 * space, encoded {@code (n + 1) / 2}), linear depth along the view axis ({@code +∞} where nothing is drawn) and the
 * coverage of every pixel.
 *
 * <p><b>Determinism and threads.</b> Triangle setup runs in fixed chunks, rasterisation in fixed bands of rows and
 * shading in rows, on the common fork-join pool; each band processes its triangles in mesh order and ties in depth
 * keep the first triangle, so the images are bit-identical for any number of threads. Trigonometry and the sRGB curve
 * use {@link StrictMath}, so they do not vary between JVMs either.
 *
 * <p><b>Cost.</b> O(V + F + samples) time plus the covered area of every triangle; memory about 8 bytes per sample,
 * 56 bytes per pixel and 130 bytes per triangle, checked against the heap before anything is allocated.
 */
public final class Renderer {
    private Renderer() {}

    /** Fixed-point sub-sample precision: coordinates are snapped to 1/256 of a sample. */
    private static final int SUB_BITS = 8;

    private static final int SUB = 1 << SUB_BITS;
    private static final int HALF = SUB / 2;
    private static final int BAND_ROWS = 16;
    private static final int SETUP_CHUNK = 8192;
    private static final int SHADE_CHUNK = 4096;
    private static final byte BACK = 1;
    private static final byte SWAPPED = 2;

    /** Which of a rendering's images to take. */
    public enum Output {
        /** Shaded colour. */
        COLOR,
        /** Normal map, {@code (n + 1) / 2} in RGB. */
        NORMALS,
        /** Depth, near bright and far dark. */
        DEPTH
    }

    /**
     * Renders {@code mesh} seen through {@code camera}.
     *
     * @throws InvalidMeshException when the mesh has no triangles or zero surface area
     * @throws IllegalArgumentException when the image would not fit in the heap (checked before allocating)
     */
    public static Image render(TriangleMesh mesh, Camera camera, RenderOptions options) {
        Objects.requireNonNull(mesh, "mesh");
        Objects.requireNonNull(camera, "camera");
        Objects.requireNonNull(options, "options");
        if (mesh.isEmpty()) {
            throw new InvalidMeshException("cannot render a mesh without triangles");
        }
        if (!(mesh.area() > 0)) {
            throw new InvalidMeshException("cannot render a mesh of zero surface area (all " + mesh.triangleCount()
                    + " triangles are degenerate)");
        }
        checkMemory(mesh.vertexCount(), mesh.triangleCount(), options);
        return new Pass(prepare(mesh, options), camera, options).run();
    }

    /**
     * The view-independent part of a rendering (a copy of the geometry, corner normals, colours), so several views
     * of one mesh with the same options share it. The mesh must have been checked.
     */
    static Prepared prepare(TriangleMesh mesh, RenderOptions options) {
        return new Prepared(
                mesh.positions(),
                mesh.triangles(),
                cornerNormals(mesh, options),
                options.vertexColors() && mesh.hasColors() ? mesh.colors() : null);
    }

    /** Renders a prepared mesh (see {@link #prepare}); the options must be those it was prepared with. */
    static Image render(Prepared prepared, Camera camera, RenderOptions options) {
        return new Pass(prepared, camera, options).run();
    }

    /** Geometry and per-corner attributes ready to draw. */
    record Prepared(float[] positions, int[] triangles, float[] cornerNormals, float[] colors) {}

    /**
     * Estimated heap bytes to render a mesh of {@code vertices} and {@code triangles} with these options (including
     * the outputs).
     */
    public static long estimateBytes(long vertices, long triangles, RenderOptions options) {
        long ss = options.samplesPerAxis();
        long pixels = (long) options.width() * options.height();
        return pixels * ss * ss * 8 + pixels * 56 + triangles * 130 + vertices * 40;
    }

    private static void checkMemory(int vertices, int triangles, RenderOptions o) {
        long need = estimateBytes(vertices, triangles, o);
        long max = Runtime.getRuntime().maxMemory();
        if (need > max / 10 * 8) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "rendering %d×%d%s of a %d-triangle mesh needs about %.1f GiB, more than the %.1f GiB heap"
                            + " allows; use a smaller image size or a larger -Xmx",
                    o.width(),
                    o.height(),
                    o.supersample() ? " with 2×2 supersampling" : "",
                    triangles,
                    need / (double) (1L << 30),
                    max / (double) (1L << 30)));
        }
    }

    /** One rendering in progress: the per-call state, so {@link Renderer} itself stays stateless. */
    private static final class Pass {
        final RenderOptions o;
        final int ss, width, height; // sample grid
        final double focal, cx, cy, guard, near;
        final float[] positions;
        final int[] triangles;
        final float[] cornerNormals;
        final float[] colors; // linear per vertex, or null
        final float[] base;
        final double[] right, up, back, eye;
        final float[] lightDirs;
        final float[] lightIntensity;

        // screen triangles, filled by setup
        Tris tris;

        Pass(Prepared mesh, Camera camera, RenderOptions o) {
            this.o = o;
            this.ss = o.samplesPerAxis();
            this.width = o.width() * ss;
            this.height = o.height() * ss;
            this.focal = camera.focalPixels(height);
            this.cx = 0.5 * width;
            this.cy = 0.5 * height;
            this.guard = Math.max(width, height);
            this.near = camera.near();
            this.positions = mesh.positions();
            this.triangles = mesh.triangles();
            this.cornerNormals = mesh.cornerNormals();
            this.colors = mesh.colors();
            this.base = o.baseColor().linear();
            this.eye = camera.eye();
            this.right = camera.right();
            this.up = camera.up();
            double[] f = camera.forward();
            this.back = new double[] {-f[0], -f[1], -f[2]};
            List<Light> lights = o.lights();
            this.lightDirs = new float[3 * lights.size()];
            this.lightIntensity = new float[lights.size()];
            for (int i = 0; i < lights.size(); i++) {
                Light l = lights.get(i);
                lightDirs[3 * i] = (float) l.x();
                lightDirs[3 * i + 1] = (float) l.y();
                lightDirs[3 * i + 2] = (float) l.z();
                lightIntensity[i] = (float) l.intensity();
            }
        }

        Image run() {
            // 1. vertices to camera space: x right, y up, w = distance in front of the eye
            int nv = positions.length / 3;
            double[] cam = new double[3 * nv];
            for (int v = 0; v < nv; v++) {
                double dx = positions[3 * v] - eye[0], dy = positions[3 * v + 1] - eye[1];
                double dz = positions[3 * v + 2] - eye[2];
                cam[3 * v] = dx * right[0] + dy * right[1] + dz * right[2];
                cam[3 * v + 1] = dx * up[0] + dy * up[1] + dz * up[2];
                cam[3 * v + 2] = -(dx * back[0] + dy * back[1] + dz * back[2]);
            }
            // 2. clip, project, snap: fixed chunks of triangles, concatenated in order
            int nt = triangles.length / 3;
            int chunks = (nt + SETUP_CHUNK - 1) / SETUP_CHUNK;
            Tris[] parts = IntStream.range(0, chunks)
                    .parallel()
                    .mapToObj(c -> setup(cam, c * SETUP_CHUNK, Math.min(nt, (c + 1) * SETUP_CHUNK)))
                    .toArray(Tris[]::new);
            tris = Tris.concat(parts);
            // 3. bin by bands of rows
            int bands = (height + BAND_ROWS - 1) / BAND_ROWS;
            int[][] bins = bin(bands);
            // 4. rasterise: depth (1/w) and triangle id per sample
            float[] zbuf = new float[width * height];
            int[] ids = new int[width * height];
            Arrays.fill(ids, -1);
            IntStream.range(0, bands).parallel().forEach(b -> raster(b, bins[b], zbuf, ids));
            // 5. shade visible samples and resolve pixels
            int w = o.width(), h = o.height();
            float[] rgb = new float[3 * w * h];
            float[] coverage = new float[w * h];
            float[] depth = new float[w * h];
            float[] normals = new float[3 * w * h];
            int shadeChunks = (w * h + SHADE_CHUNK - 1) / SHADE_CHUNK;
            IntStream.range(0, shadeChunks)
                    .parallel()
                    .forEach(c -> shade(
                            c * SHADE_CHUNK,
                            Math.min(w * h, (c + 1) * SHADE_CHUNK),
                            ids,
                            rgb,
                            coverage,
                            depth,
                            normals));
            return new Image(w, h, rgb, coverage, depth, normals, o.normalSpace(), o.background());
        }

        /** Clips, projects and snaps triangles {@code [from, to)} into screen triangles. */
        Tris setup(double[] cam, int from, int to) {
            Tris out = new Tris(Math.max(16, (to - from) / 2));
            double[] poly = new double[5 * 9];
            double[] tmp = new double[5 * 9];
            for (int t = from; t < to; t++) {
                int a = 3 * triangles[3 * t], b = 3 * triangles[3 * t + 1], c = 3 * triangles[3 * t + 2];
                int outA = outcode(cam, a), outB = outcode(cam, b), outC = outcode(cam, c);
                if ((outA & outB & outC) != 0) {
                    continue; // entirely outside one plane
                }
                int anyOut = outA | outB | outC;
                if (anyOut == 0) {
                    emit(
                            out,
                            t,
                            -1,
                            cam[a],
                            cam[a + 1],
                            cam[a + 2],
                            cam[b],
                            cam[b + 1],
                            cam[b + 2],
                            cam[c],
                            cam[c + 1],
                            cam[c + 2],
                            null);
                    continue;
                }
                // Sutherland–Hodgman in camera space; each vertex is (x, y, w, u, v) with (u, v) the weights of the
                // source triangle's corners 1 and 2
                int n = 3;
                load(poly, 0, cam, a, 0, 0);
                load(poly, 1, cam, b, 1, 0);
                load(poly, 2, cam, c, 0, 1);
                for (int plane = 0; plane < 5 && n > 0; plane++) {
                    if ((anyOut & (1 << plane)) == 0) {
                        continue;
                    }
                    int m = 0;
                    for (int i = 0; i < n; i++) {
                        int j = (i + 1) % n;
                        double di = planeDist(plane, poly[5 * i], poly[5 * i + 1], poly[5 * i + 2]);
                        double dj = planeDist(plane, poly[5 * j], poly[5 * j + 1], poly[5 * j + 2]);
                        if (di >= 0) {
                            System.arraycopy(poly, 5 * i, tmp, 5 * m++, 5);
                        }
                        if ((di >= 0) != (dj >= 0)) {
                            double s = di / (di - dj);
                            for (int k = 0; k < 5; k++) {
                                tmp[5 * m + k] = poly[5 * i + k] + s * (poly[5 * j + k] - poly[5 * i + k]);
                            }
                            m++;
                        }
                    }
                    double[] swap = poly;
                    poly = tmp;
                    tmp = swap;
                    n = m;
                }
                for (int i = 1; i + 1 < n; i++) {
                    float[] bary = {
                        (float) poly[3], (float) poly[4],
                        (float) poly[5 * i + 3], (float) poly[5 * i + 4],
                        (float) poly[5 * (i + 1) + 3], (float) poly[5 * (i + 1) + 4]
                    };
                    emit(
                            out,
                            t,
                            0,
                            poly[0],
                            poly[1],
                            poly[2],
                            poly[5 * i],
                            poly[5 * i + 1],
                            poly[5 * i + 2],
                            poly[5 * (i + 1)],
                            poly[5 * (i + 1) + 1],
                            poly[5 * (i + 1) + 2],
                            bary);
                }
            }
            return out;
        }

        private static void load(double[] poly, int i, double[] cam, int v, double u, double w) {
            poly[5 * i] = cam[v];
            poly[5 * i + 1] = cam[v + 1];
            poly[5 * i + 2] = cam[v + 2];
            poly[5 * i + 3] = u;
            poly[5 * i + 4] = w;
        }

        /** Signed distance-like value of a camera-space point to clip plane {@code p}: ≥ 0 inside. */
        private double planeDist(int p, double x, double y, double w) {
            return switch (p) {
                case 0 -> w - near;
                case 1 -> (cx + guard) * w + focal * x;
                case 2 -> (width + guard - cx) * w - focal * x;
                case 3 -> (cy + guard) * w - focal * y;
                default -> focal * y + (height + guard - cy) * w;
            };
        }

        private int outcode(double[] cam, int v) {
            int code = 0;
            for (int p = 0; p < 5; p++) {
                if (planeDist(p, cam[v], cam[v + 1], cam[v + 2]) < 0) {
                    code |= 1 << p;
                }
            }
            return code;
        }

        /** Projects, snaps and stores one (possibly clipped) triangle unless it covers no sample. */
        private void emit(
                Tris out,
                int src,
                int clipped,
                double x0,
                double y0,
                double w0,
                double x1,
                double y1,
                double w1,
                double x2,
                double y2,
                double w2,
                float[] bary) {
            long X0 = Math.round((cx + focal * x0 / w0) * SUB), Y0 = Math.round((cy - focal * y0 / w0) * SUB);
            long X1 = Math.round((cx + focal * x1 / w1) * SUB), Y1 = Math.round((cy - focal * y1 / w1) * SUB);
            long X2 = Math.round((cx + focal * x2 / w2) * SUB), Y2 = Math.round((cy - focal * y2 / w2) * SUB);
            long area = (Y1 - Y0) * (X2 - X0) - (X1 - X0) * (Y2 - Y0);
            if (area == 0) {
                return;
            }
            byte flags = 0;
            float iw0 = (float) (1 / w0), iw1 = (float) (1 / w1), iw2 = (float) (1 / w2);
            if (area < 0) {
                if (o.cullBackFaces()) {
                    return;
                }
                flags = (byte) (BACK | SWAPPED);
                long t = X1;
                X1 = X2;
                X2 = t;
                t = Y1;
                Y1 = Y2;
                Y2 = t;
                float f = iw1;
                iw1 = iw2;
                iw2 = f;
                if (bary != null) {
                    float u = bary[2], v = bary[3];
                    bary[2] = bary[4];
                    bary[3] = bary[5];
                    bary[4] = u;
                    bary[5] = v;
                }
            }
            long minX = Math.min(X0, Math.min(X1, X2)), maxX = Math.max(X0, Math.max(X1, X2));
            long minY = Math.min(Y0, Math.min(Y1, Y2)), maxY = Math.max(Y0, Math.max(Y1, Y2));
            int i0 = (int) Math.max(0, Math.ceilDiv(minX - HALF, SUB));
            int i1 = (int) Math.min(width - 1, Math.floorDiv(maxX - HALF, SUB));
            int j0 = (int) Math.max(0, Math.ceilDiv(minY - HALF, SUB));
            int j1 = (int) Math.min(height - 1, Math.floorDiv(maxY - HALF, SUB));
            if (i0 > i1 || j0 > j1) {
                return;
            }
            out.add(
                    (int) X0,
                    (int) Y0,
                    (int) X1,
                    (int) Y1,
                    (int) X2,
                    (int) Y2,
                    iw0,
                    iw1,
                    iw2,
                    src,
                    flags,
                    i0,
                    i1,
                    j0,
                    j1,
                    clipped < 0 ? null : bary);
        }

        int[][] bin(int bands) {
            int[] counts = new int[bands];
            for (int t = 0; t < tris.size; t++) {
                for (int b = tris.box[4 * t + 2] / BAND_ROWS; b <= tris.box[4 * t + 3] / BAND_ROWS; b++) {
                    counts[b]++;
                }
            }
            int[][] bins = new int[bands][];
            for (int b = 0; b < bands; b++) {
                bins[b] = new int[counts[b]];
            }
            Arrays.fill(counts, 0);
            for (int t = 0; t < tris.size; t++) {
                for (int b = tris.box[4 * t + 2] / BAND_ROWS; b <= tris.box[4 * t + 3] / BAND_ROWS; b++) {
                    bins[b][counts[b]++] = t;
                }
            }
            return bins;
        }

        /** Rasterises the triangles of one band of rows (the band's samples are written by this band only). */
        void raster(int band, int[] bin, float[] zbuf, int[] ids) {
            int r0 = band * BAND_ROWS, r1 = Math.min(height, r0 + BAND_ROWS) - 1;
            int[] xy = tris.xy;
            for (int t : bin) {
                long x0 = xy[6 * t], y0 = xy[6 * t + 1], x1 = xy[6 * t + 2], y1 = xy[6 * t + 3];
                long x2 = xy[6 * t + 4], y2 = xy[6 * t + 5];
                int i0 = tris.box[4 * t], i1 = tris.box[4 * t + 1];
                int j0 = Math.max(r0, tris.box[4 * t + 2]), j1 = Math.min(r1, tris.box[4 * t + 3]);
                // edge k is opposite vertex k: e0 = v1→v2, e1 = v2→v0, e2 = v0→v1;
                // E(p) = (by - ay)(px - ax) - (bx - ax)(py - ay), positive inside
                long a0 = y2 - y1, b0 = -(x2 - x1), a1 = y0 - y2, b1 = -(x0 - x2), a2 = y1 - y0, b2 = -(x1 - x0);
                long bias0 = topLeft(a0, b0) ? 0 : 1, bias1 = topLeft(a1, b1) ? 0 : 1, bias2 = topLeft(a2, b2) ? 0 : 1;
                double area = (double) ((y1 - y0) * (x2 - x0) - (x1 - x0) * (y2 - y0));
                double iw0 = tris.iw[3 * t] / area, iw1 = tris.iw[3 * t + 1] / area, iw2 = tris.iw[3 * t + 2] / area;
                long step0 = a0 * SUB, step1 = a1 * SUB, step2 = a2 * SUB;
                long px0 = (long) i0 * SUB + HALF;
                for (int j = j0; j <= j1; j++) {
                    long py = (long) j * SUB + HALF;
                    long e0 = a0 * (px0 - x1) + b0 * (py - y1);
                    long e1 = a1 * (px0 - x2) + b1 * (py - y2);
                    long e2 = a2 * (px0 - x0) + b2 * (py - y0);
                    int row = j * width;
                    for (int i = i0; i <= i1; i++) {
                        if (e0 >= bias0 && e1 >= bias1 && e2 >= bias2) {
                            float z = (float) (e0 * iw0 + e1 * iw1 + e2 * iw2);
                            if (z > zbuf[row + i]) {
                                zbuf[row + i] = z;
                                ids[row + i] = t;
                            }
                        }
                        e0 += step0;
                        e1 += step1;
                        e2 += step2;
                    }
                }
            }
        }

        /**
         * The top-left rule for an edge with E = a·(px − ax) + b·(py − ay) (a = dy, b = −dx, y down): a sample exactly
         * on the edge belongs to the triangle when the edge is a left edge (dy > 0 here) or a top edge (dy = 0, dx
         * < 0 here).
         */
        private static boolean topLeft(long a, long b) {
            return a > 0 || (a == 0 && b > 0);
        }

        /** Shades the samples of pixels {@code [from, to)} and resolves them into the outputs. */
        void shade(int from, int to, int[] ids, float[] rgbOut, float[] covOut, float[] depthOut, float[] normalOut) {
            int w = o.width();
            int spp = ss * ss;
            boolean world = o.normalSpace() == NormalSpace.WORLD;
            float[] s = new float[10]; // r g b  nx ny nz  depth  (scratch)
            for (int p = from; p < to; p++) {
                int px = p % w, py = p / w;
                double r = 0, g = 0, bl = 0, nx = 0, ny = 0, nz = 0, dsum = 0;
                int covered = 0;
                for (int sy = 0; sy < ss; sy++) {
                    for (int sx = 0; sx < ss; sx++) {
                        int i = px * ss + sx, j = py * ss + sy;
                        int t = ids[j * width + i];
                        if (t < 0) {
                            continue;
                        }
                        sample(t, i, j, world, s);
                        covered++;
                        r += s[0];
                        g += s[1];
                        bl += s[2];
                        nx += s[3];
                        ny += s[4];
                        nz += s[5];
                        dsum += s[6];
                    }
                }
                covOut[p] = covered / (float) spp;
                rgbOut[3 * p] = (float) (r / spp);
                rgbOut[3 * p + 1] = (float) (g / spp);
                rgbOut[3 * p + 2] = (float) (bl / spp);
                if (covered == 0) {
                    depthOut[p] = Float.POSITIVE_INFINITY;
                } else {
                    depthOut[p] = (float) (dsum / covered);
                    double len = Math.sqrt(nx * nx + ny * ny + nz * nz);
                    if (len > 0) {
                        normalOut[3 * p] = (float) (nx / len);
                        normalOut[3 * p + 1] = (float) (ny / len);
                        normalOut[3 * p + 2] = (float) (nz / len);
                    }
                }
            }
        }

        /** Interpolates and shades screen triangle {@code t} at sample {@code (i, j)}. */
        private void sample(int t, int i, int j, boolean world, float[] out) {
            int[] xy = tris.xy;
            long x0 = xy[6 * t], y0 = xy[6 * t + 1], x1 = xy[6 * t + 2], y1 = xy[6 * t + 3];
            long x2 = xy[6 * t + 4], y2 = xy[6 * t + 5];
            long px = (long) i * SUB + HALF, py = (long) j * SUB + HALF;
            // screen-space barycentrics (unnormalised), then perspective-correct weights
            double l0 = (double) ((y2 - y1) * (px - x1) - (x2 - x1) * (py - y1));
            double l1 = (double) ((y0 - y2) * (px - x2) - (x0 - x2) * (py - y2));
            double l2 = (double) ((y1 - y0) * (px - x0) - (x1 - x0) * (py - y0));
            double area = l0 + l1 + l2;
            double q0 = l0 * tris.iw[3 * t], q1 = l1 * tris.iw[3 * t + 1], q2 = l2 * tris.iw[3 * t + 2];
            double qs = q0 + q1 + q2;
            double b0 = q0 / qs, b1 = q1 / qs, b2 = q2 / qs;
            double depth = area / qs;
            byte flags = tris.flags[t];
            // weights of the source triangle's corners
            double c0, c1, c2;
            int clip = tris.clip[t];
            if (clip < 0) {
                c0 = b0;
                if ((flags & SWAPPED) != 0) {
                    c1 = b2;
                    c2 = b1;
                } else {
                    c1 = b1;
                    c2 = b2;
                }
            } else {
                float[] bary = tris.bary;
                c1 = b0 * bary[6 * clip] + b1 * bary[6 * clip + 2] + b2 * bary[6 * clip + 4];
                c2 = b0 * bary[6 * clip + 1] + b1 * bary[6 * clip + 3] + b2 * bary[6 * clip + 5];
                c0 = 1 - c1 - c2;
            }
            int src = tris.src[t];
            int n9 = 9 * src;
            double nx = c0 * cornerNormals[n9] + c1 * cornerNormals[n9 + 3] + c2 * cornerNormals[n9 + 6];
            double ny = c0 * cornerNormals[n9 + 1] + c1 * cornerNormals[n9 + 4] + c2 * cornerNormals[n9 + 7];
            double nz = c0 * cornerNormals[n9 + 2] + c1 * cornerNormals[n9 + 5] + c2 * cornerNormals[n9 + 8];
            double len = Math.sqrt(nx * nx + ny * ny + nz * nz);
            if (len > 0) {
                nx /= len;
                ny /= len;
                nz /= len;
            }
            // camera-space normal
            double cnx = nx * right[0] + ny * right[1] + nz * right[2];
            double cny = nx * up[0] + ny * up[1] + nz * up[2];
            double cnz = nx * back[0] + ny * back[1] + nz * back[2];
            boolean isBack = (flags & BACK) != 0;
            double sign = isBack ? -1 : 1;
            double light = o.ambient();
            for (int k = 0; k < lightIntensity.length; k++) {
                double d = sign * (cnx * lightDirs[3 * k] + cny * lightDirs[3 * k + 1] + cnz * lightDirs[3 * k + 2]);
                if (d > 0) {
                    light += d * lightIntensity[k];
                }
            }
            if (isBack) {
                light *= o.backfaceBrightness();
            }
            double r, g, b;
            if (colors != null) {
                int va = 3 * triangles[3 * src], vb = 3 * triangles[3 * src + 1], vc = 3 * triangles[3 * src + 2];
                r = c0 * colors[va] + c1 * colors[vb] + c2 * colors[vc];
                g = c0 * colors[va + 1] + c1 * colors[vb + 1] + c2 * colors[vc + 1];
                b = c0 * colors[va + 2] + c1 * colors[vb + 2] + c2 * colors[vc + 2];
            } else {
                r = base[0];
                g = base[1];
                b = base[2];
            }
            out[0] = (float) (r * light);
            out[1] = (float) (g * light);
            out[2] = (float) (b * light);
            if (world) {
                out[3] = (float) nx;
                out[4] = (float) ny;
                out[5] = (float) nz;
            } else {
                out[3] = (float) cnx;
                out[4] = (float) cny;
                out[5] = (float) cnz;
            }
            out[6] = (float) depth;
        }
    }

    /**
     * Unit normals per triangle corner ({@code float[9F]}): the mesh's own vertex normals when it has them and the
     * options allow, else area-weighted averages of the faces around each vertex whose normals are within the crease
     * angle of the corner's face.
     */
    static float[] cornerNormals(TriangleMesh mesh, RenderOptions o) {
        int[] tri = mesh.triangles();
        int nt = tri.length / 3;
        float[] out = new float[9 * nt];
        if ((mesh.hasNormals() && o.useMeshNormals()) || o.creaseAngleDeg() >= 180) {
            float[] vn = mesh.hasNormals() && o.useMeshNormals() ? mesh.normals() : mesh.computeVertexNormals();
            for (int c = 0; c < tri.length; c++) {
                System.arraycopy(vn, 3 * tri[c], out, 3 * c, 3);
            }
            return out;
        }
        float[] unit = mesh.faceNormals();
        double[] area = mesh.faceAreas();
        int nv = mesh.vertexCount();
        int[] start = new int[nv + 1];
        for (int v : tri) {
            start[v + 1]++;
        }
        for (int v = 0; v < nv; v++) {
            start[v + 1] += start[v];
        }
        int[] fill = Arrays.copyOf(start, nv);
        int[] faces = new int[tri.length];
        for (int c = 0; c < tri.length; c++) {
            faces[fill[tri[c]]++] = c / 3;
        }
        double cosCrease = StrictMath.cos(Math.toRadians(o.creaseAngleDeg())) - 1e-9;
        int chunks = (nt + SETUP_CHUNK - 1) / SETUP_CHUNK;
        IntStream.range(0, chunks).parallel().forEach(ch -> {
            for (int t = ch * SETUP_CHUNK; t < Math.min(nt, (ch + 1) * SETUP_CHUNK); t++) {
                for (int k = 0; k < 3; k++) {
                    int v = tri[3 * t + k];
                    double ax = 0, ay = 0, az = 0;
                    for (int q = start[v]; q < start[v + 1]; q++) {
                        int f = faces[q];
                        double d = unit[3 * f] * unit[3 * t]
                                + unit[3 * f + 1] * unit[3 * t + 1]
                                + unit[3 * f + 2] * unit[3 * t + 2];
                        if (d >= cosCrease) {
                            ax += area[f] * unit[3 * f];
                            ay += area[f] * unit[3 * f + 1];
                            az += area[f] * unit[3 * f + 2];
                        }
                    }
                    double len = Math.sqrt(ax * ax + ay * ay + az * az);
                    int c = 9 * t + 3 * k;
                    if (len > 0) {
                        out[c] = (float) (ax / len);
                        out[c + 1] = (float) (ay / len);
                        out[c + 2] = (float) (az / len);
                    } else {
                        out[c] = unit[3 * t];
                        out[c + 1] = unit[3 * t + 1];
                        out[c + 2] = unit[3 * t + 2];
                    }
                }
            }
        });
        return out;
    }

    /** Screen triangles in structure-of-arrays form, grown by doubling. */
    private static final class Tris {
        int size;
        int[] xy; // 6 per triangle: fixed-point x0 y0 x1 y1 x2 y2
        float[] iw; // 3 per triangle: 1/w at each vertex
        int[] src; // source triangle
        byte[] flags;
        int[] box; // 4 per triangle: sample columns i0 i1, rows j0 j1 (inclusive)
        int[] clip; // index into bary, or -1 for an unclipped triangle
        float[] bary; // 6 per clipped triangle: source weights (u, v) of corners 1 and 2 at each vertex
        int clipped;

        Tris(int capacity) {
            xy = new int[6 * capacity];
            iw = new float[3 * capacity];
            src = new int[capacity];
            flags = new byte[capacity];
            box = new int[4 * capacity];
            clip = new int[capacity];
            bary = new float[0];
        }

        void add(
                int x0,
                int y0,
                int x1,
                int y1,
                int x2,
                int y2,
                float iw0,
                float iw1,
                float iw2,
                int source,
                byte flag,
                int i0,
                int i1,
                int j0,
                int j1,
                float[] b) {
            if (size == src.length) {
                int cap = Math.max(16, 2 * size);
                xy = Arrays.copyOf(xy, 6 * cap);
                iw = Arrays.copyOf(iw, 3 * cap);
                src = Arrays.copyOf(src, cap);
                flags = Arrays.copyOf(flags, cap);
                box = Arrays.copyOf(box, 4 * cap);
                clip = Arrays.copyOf(clip, cap);
            }
            int t = size++;
            xy[6 * t] = x0;
            xy[6 * t + 1] = y0;
            xy[6 * t + 2] = x1;
            xy[6 * t + 3] = y1;
            xy[6 * t + 4] = x2;
            xy[6 * t + 5] = y2;
            iw[3 * t] = iw0;
            iw[3 * t + 1] = iw1;
            iw[3 * t + 2] = iw2;
            src[t] = source;
            flags[t] = flag;
            box[4 * t] = i0;
            box[4 * t + 1] = i1;
            box[4 * t + 2] = j0;
            box[4 * t + 3] = j1;
            if (b == null) {
                clip[t] = -1;
            } else {
                if (6 * (clipped + 1) > bary.length) {
                    bary = Arrays.copyOf(bary, Math.max(60, 2 * bary.length));
                }
                System.arraycopy(b, 0, bary, 6 * clipped, 6);
                clip[t] = clipped++;
            }
        }

        static Tris concat(Tris[] parts) {
            int n = 0, nc = 0;
            for (Tris p : parts) {
                n += p.size;
                nc += p.clipped;
            }
            Tris all = new Tris(n);
            all.bary = new float[6 * nc];
            for (Tris p : parts) {
                int t = all.size;
                System.arraycopy(p.xy, 0, all.xy, 6 * t, 6 * p.size);
                System.arraycopy(p.iw, 0, all.iw, 3 * t, 3 * p.size);
                System.arraycopy(p.src, 0, all.src, t, p.size);
                System.arraycopy(p.flags, 0, all.flags, t, p.size);
                System.arraycopy(p.box, 0, all.box, 4 * t, 4 * p.size);
                for (int i = 0; i < p.size; i++) {
                    all.clip[t + i] = p.clip[i] < 0 ? -1 : p.clip[i] + all.clipped;
                }
                System.arraycopy(p.bary, 0, all.bary, 6 * all.clipped, 6 * p.clipped);
                all.size += p.size;
                all.clipped += p.clipped;
            }
            return all;
        }
    }

    /**
     * The result of a rendering: per-pixel colour, coverage, depth and normals, and their images.
     *
     * <p>Pixels are indexed row-major from the top-left corner, {@code p = y · width + x}. Colour is linear light,
     * premultiplied by coverage (the foreground only; the background is composited when an image is made). Coverage
     * is the fraction of a pixel's samples that hit the mesh (0, ¼, ½, ¾ or 1 with supersampling). Depth is the mean
     * linear depth (distance along the view axis) of the covered samples, {@code +∞} for background pixels. Normals
     * are the normalised mean of the covered samples' unit normals in {@link #normalSpace()}, {@code (0, 0, 0)} for
     * background pixels; they are the mesh's normals as interpolated, not flipped on back faces.
     */
    public static final class Image {
        private final int width, height;
        private final float[] rgb, coverage, depth, normals;
        private final NormalSpace normalSpace;
        private final RenderOptions.Background background;

        Image(
                int width,
                int height,
                float[] rgb,
                float[] coverage,
                float[] depth,
                float[] normals,
                NormalSpace normalSpace,
                RenderOptions.Background background) {
            this.width = width;
            this.height = height;
            this.rgb = rgb;
            this.coverage = coverage;
            this.depth = depth;
            this.normals = normals;
            this.normalSpace = normalSpace;
            this.background = background;
        }

        /** Width in pixels. */
        public int width() {
            return width;
        }

        /** Height in pixels. */
        public int height() {
            return height;
        }

        /** The frame of {@link #normals()}. */
        public NormalSpace normalSpace() {
            return normalSpace;
        }

        /** Coverage in [0, 1] of pixel {@code (x, y)}. */
        public float coverage(int x, int y) {
            return coverage[index(x, y)];
        }

        /** Linear depth of pixel {@code (x, y)}, {@code +∞} on the background. */
        public float depth(int x, int y) {
            return depth[index(x, y)];
        }

        /** Unit normal {@code {x, y, z}} of pixel {@code (x, y)}, zero on the background. */
        public float[] normal(int x, int y) {
            int p = index(x, y);
            return new float[] {normals[3 * p], normals[3 * p + 1], normals[3 * p + 2]};
        }

        /** A copy of the coverage, {@code float[W·H]}. */
        public float[] coverage() {
            return coverage.clone();
        }

        /** A copy of the depth, {@code float[W·H]}, {@code +∞} on the background. */
        public float[] depth() {
            return depth.clone();
        }

        /** A copy of the normals, {@code float[3·W·H]}. */
        public float[] normals() {
            return normals.clone();
        }

        /** A copy of the linear, coverage-premultiplied foreground colour, {@code float[3·W·H]}. */
        public float[] linearRgb() {
            return rgb.clone();
        }

        /** Sum of coverage over all pixels: the drawn area in pixels. */
        public double coveredArea() {
            double s = 0;
            for (float c : coverage) {
                s += c;
            }
            return s;
        }

        /** The image of one output. */
        public BufferedImage image(Output output) {
            return switch (output) {
                case COLOR -> colorImage();
                case NORMALS -> normalImage();
                case DEPTH -> depthImage();
            };
        }

        /** The shaded colour, sRGB-encoded, over the background (alpha = coverage when transparent). */
        public BufferedImage colorImage() {
            float[] lin = new float[3 * width * height];
            for (int p = 0; p < width * height; p++) {
                float c = coverage[p];
                for (int k = 0; k < 3; k++) {
                    lin[3 * p + k] = c > 0 ? rgb[3 * p + k] / c : 0;
                }
            }
            return compose(lin, true);
        }

        /** The normal map: RGB = {@code (n + 1) / 2} (not gamma-encoded), over the background. */
        public BufferedImage normalImage() {
            float[] enc = new float[3 * width * height];
            for (int i = 0; i < enc.length; i++) {
                enc[i] = 0.5f * (normals[i] + 1);
            }
            return compose(enc, false);
        }

        /**
         * The depth as grey levels, over the background: the nearest covered depth is light grey (90 %) and the
         * farthest dark grey (15 %), linearly in between, so the shape stays visible on white or black; the range is
         * this image's own. For exact values use {@link #depth()}.
         */
        public BufferedImage depthImage() {
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (int p = 0; p < depth.length; p++) {
                if (coverage[p] > 0) {
                    min = Math.min(min, depth[p]);
                    max = Math.max(max, depth[p]);
                }
            }
            double span = max > min ? max - min : 1;
            float[] enc = new float[3 * width * height];
            for (int p = 0; p < depth.length; p++) {
                if (coverage[p] > 0) {
                    float v = (float) (0.9 - 0.75 * (depth[p] - min) / span);
                    enc[3 * p] = enc[3 * p + 1] = enc[3 * p + 2] = v;
                }
            }
            return compose(enc, false);
        }

        /** Writes one output as a PNG, atomically. */
        public void writePng(Path file, Output output) throws IOException {
            Png.write(image(output), file);
        }

        /**
         * Composes foreground values (linear light if {@code linear}, else already-encoded values in [0, 1]) with
         * the coverage over the background into an image (ARGB on a transparent background, RGB on a solid one).
         */
        private BufferedImage compose(float[] fg, boolean linear) {
            boolean transparent = background.transparent();
            BufferedImage img = new BufferedImage(
                    width, height, transparent ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
            int[] argb = new int[width * height];
            Srgb bg = background.color();
            float[] bgLin = bg.linear();
            double[] bgEnc = {bg.r(), bg.g(), bg.b()};
            int[] ch = new int[3];
            for (int p = 0; p < argb.length; p++) {
                float c = coverage[p];
                for (int k = 0; k < 3; k++) {
                    if (transparent) {
                        ch[k] = linear ? Srgb.encode8(fg[3 * p + k]) : to8(fg[3 * p + k]);
                    } else if (linear) {
                        ch[k] = Srgb.encode8(c * fg[3 * p + k] + (1 - c) * bgLin[k]);
                    } else {
                        ch[k] = to8(c * fg[3 * p + k] + (1 - c) * bgEnc[k]);
                    }
                }
                int a = transparent ? to8(c) : 255;
                argb[p] = a == 0 ? 0 : (a << 24) | (ch[0] << 16) | (ch[1] << 8) | ch[2];
            }
            img.setRGB(0, 0, width, height, argb, 0, width);
            return img;
        }

        private static int to8(double v) {
            return (int) Math.round(Math.max(0, Math.min(1, v)) * 255);
        }

        private int index(int x, int y) {
            if (x < 0 || y < 0 || x >= width || y >= height) {
                throw new IndexOutOfBoundsException(
                        "pixel (" + x + ", " + y + ") outside the " + width + "×" + height + " image");
            }
            return y * width + x;
        }
    }
}
