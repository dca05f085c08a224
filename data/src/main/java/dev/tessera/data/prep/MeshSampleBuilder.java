package dev.tessera.data.prep;

import dev.tessera.data.sample.Sample;
import dev.tessera.data.sample.SampleSchema;
import dev.tessera.data.sample.Views;
import dev.tessera.geometry.Aabb;
import dev.tessera.geometry.Camera;
import dev.tessera.geometry.CleanupOptions;
import dev.tessera.geometry.MeshCleanup;
import dev.tessera.geometry.MeshDistance;
import dev.tessera.geometry.Normalization;
import dev.tessera.geometry.QuerySampler;
import dev.tessera.geometry.QuerySamples;
import dev.tessera.geometry.RenderOptions;
import dev.tessera.geometry.Renderer;
import dev.tessera.geometry.SharpEdgeSampler;
import dev.tessera.geometry.SharpEdgeSamples;
import dev.tessera.geometry.SignedDistanceFunction;
import dev.tessera.geometry.SparseGrid;
import dev.tessera.geometry.SurfaceSampler;
import dev.tessera.geometry.SurfaceSamples;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.Voxelizer;
import dev.tessera.geometry.Watertight;
import dev.tessera.geometry.WatertightOptions;
import java.awt.image.BufferedImage;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The standard sample recipe: clean → normalise into {@code [-halfExtent, halfExtent]³} → watertight remeshing →
 * surface and sharp-edge points → near-surface, near-sharp and volume queries with signed distances → the 64³ voxel
 * labels → sparse high-resolution SDF voxels → optional rendered views.
 *
 * <p>Every signed distance and every voxel label comes from the watertight mesh, so signs are consistent. Surface
 * points lie on the watertight surface; sharp-edge points are drawn on the (normalised) source mesh, whose creases
 * the remeshing rounds off.
 */
public final class MeshSampleBuilder implements SampleBuilder {
    /** Shapes whose watertight volume is below this (in the normalised box) are refused as zero-volume. */
    static final double MIN_VOLUME = 1e-6;

    @Override
    public Sample build(
            TriangleMesh source, PrepOptions o, long seed, Map<String, String> metadata, Map<String, Double> timings)
            throws PrepException {
        long t = System.nanoTime();
        Normalized normalized = normalize(source, o);
        Normalization norm = normalized.normalization();
        TriangleMesh mesh = normalized.mesh();
        t = lap(timings, "clean", t);

        TriangleMesh wt = watertight(mesh, o);
        t = lap(timings, "watertight", t);

        MeshDistance distance = MeshDistance.of(wt);
        SignedDistanceFunction sdf = distance::signed;
        SplittableRandom r = new SplittableRandom(seed);
        SurfaceSamples surface = SurfaceSampler.sample(wt, o.surfacePoints(), r.nextLong());
        SharpEdgeSamples sharp = o.sharpPoints() == 0
                ? null
                : SharpEdgeSampler.sample(mesh, o.sharpPoints(), o.sharpAngleDegrees(), r.nextLong());
        t = lap(timings, "surface", t);

        QuerySampler.Options q = new QuerySampler.Options(
                o.nearPointsPerSigma() * o.nearSigmas().size(),
                o.nearSigmas(),
                o.nearSharpPoints(),
                o.nearSigmas(),
                o.volumePoints(),
                o.volumeExtent(),
                Double.POSITIVE_INFINITY,
                0,
                o.sharpAngleDegrees(),
                true);
        QuerySamples queries = QuerySampler.sample(wt, q, sdf, r.nextLong());
        t = lap(timings, "queries", t);

        byte[] voxels = voxelLabels(wt, sdf);
        short[] sparseCoords = null;
        float[] sparseSdf = null;
        if (o.sparseResolution() > 0) {
            SparseGrid g = Voxelizer.sparseSdf(
                    wt,
                    Aabb.cube(1),
                    o.sparseResolution(),
                    (int) Math.ceil(o.sparseBand()),
                    Voxelizer.SdfAt.CENTERS,
                    sdf);
            int[] c = g.coords();
            sparseCoords = new short[c.length];
            for (int i = 0; i < c.length; i++) {
                sparseCoords[i] = (short) c[i];
            }
            sparseSdf = g.values();
        }
        t = lap(timings, "voxels", t);

        Views views = o.views() > 0 ? render(wt, o, r.nextLong()) : null;
        if (views != null) {
            lap(timings, "views", t);
        }
        java.util.LinkedHashMap<String, String> md = new java.util.LinkedHashMap<>(metadata);
        md.put(
                SampleSchema.META_NORMALIZATION,
                String.format(
                        Locale.ROOT,
                        "{\"center\":[%s,%s,%s],\"scale\":%s}",
                        norm.centerX(),
                        norm.centerY(),
                        norm.centerZ(),
                        norm.scale()));
        return new Sample(
                surface.points(),
                surface.normals(),
                sharp == null ? new float[0] : sharp.points(),
                sharp == null ? new float[0] : sharp.normals(),
                queries.nearSurface().points(),
                queries.nearSurface().sdf(),
                queries.nearSharp().points(),
                queries.nearSharp().sdf(),
                queries.uniform().points(),
                queries.uniform().sdf(),
                voxels,
                sparseCoords,
                sparseSdf,
                o.sparseResolution(),
                views,
                md);
    }

    /** A source mesh cleaned and moved into the sample frame, and the transform that did it. */
    public record Normalized(TriangleMesh mesh, Normalization normalization) {}

    /**
     * Why a mesh without triangles cannot be used by {@code needs} (a command or step), for the error a caller throws:
     * empty, or a point cloud of so many vertices, with the fix.
     */
    public static String noSurface(TriangleMesh mesh, String needs) {
        return (mesh.vertexCount() == 0
                        ? "empty mesh (no vertices, no triangles)"
                        : "no triangles: a point cloud of " + mesh.vertexCount() + " vertices")
                + "; " + needs + " needs a surface mesh (reconstruct one first, e.g. Poisson)";
    }

    /**
     * The first step of the recipe: the source cleaned ({@link CleanupOptions#defaults()}) and normalised so its
     * longest side spans {@code [-halfExtent, halfExtent]}.
     *
     * @throws PrepException for a zero-area or zero-extent source
     */
    public static Normalized normalize(TriangleMesh source, PrepOptions o) throws PrepException {
        TriangleMesh cleaned = MeshCleanup.clean(source, CleanupOptions.defaults());
        if (cleaned.isEmpty()) {
            throw new PrepException("no triangle left after removing degenerate faces (zero-area mesh)");
        }
        Normalization norm;
        try {
            norm = cleaned.normalization(o.halfExtent());
        } catch (IllegalArgumentException e) {
            throw new PrepException("zero-extent mesh: " + e.getMessage());
        }
        return new Normalized(cleaned.transformed(norm), norm);
    }

    /**
     * The second step: the watertight surface of a normalised mesh, from which every signed distance, surface point
     * and voxel of the sample is taken. A sample's reference shape is {@code watertight(normalize(source, o).mesh(),
     * o)} with the settings stored in its metadata.
     *
     * @throws PrepException when the surface encloses no volume
     */
    public static TriangleMesh watertight(TriangleMesh normalized, PrepOptions o) throws PrepException {
        TriangleMesh wt = Watertight.remesh(
                normalized, new WatertightOptions(o.watertightResolution(), 0.05, o.watertightShrink()));
        if (wt.isEmpty() || wt.volume() < MIN_VOLUME) {
            throw new PrepException("zero-volume shape: the watertight surface encloses nothing");
        }
        return wt;
    }

    /**
     * 64³ labels over {@code [-1, 1]³}: 1 where a voxel's cube meets a triangle, 2 inside, 0 outside. The watertight
     * mesh is closed, so the sign is asked once per region of non-surface voxels.
     */
    static byte[] voxelLabels(TriangleMesh wt, SignedDistanceFunction sdf) {
        int n = Sample.VOXEL_RESOLUTION;
        Aabb box = Aabb.cube(1);
        byte[] surface = Voxelizer.dense(Voxelizer.surface(wt, box, n));
        byte[] solid = Voxelizer.dense(Voxelizer.solidByRegion(wt, box, n, sdf));
        byte[] out = new byte[surface.length];
        for (int i = 0; i < out.length; i++) {
            out[i] =
                    surface[i] != 0 ? SampleSchema.SURFACE : solid[i] != 0 ? SampleSchema.INSIDE : SampleSchema.OUTSIDE;
        }
        return out;
    }

    /** The shape's bounding sphere fills the view up to this factor (10 % air around it). */
    static final double FRAMING_MARGIN = 1.1;

    /** Pitch of the fixed orbit, degrees. */
    static final double FIXED_PITCH = 20;

    /**
     * K views framed on the shape with a 40° field of view: random orbit cameras (yaw uniform, pitch in [-10°, 40°]),
     * or with {@code fixed_views} a fixed orbit (yaw {@code 360°·v/K}, pitch 20°).
     */
    static Views render(TriangleMesh wt, PrepOptions o, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int k = o.views(), size = o.viewSize();
        byte[] images = new byte[k * size * size * 4];
        float[] extrinsics = new float[16 * k];
        float[] orbits = new float[4 * k];
        RenderOptions ro = RenderOptions.of(size, size)
                .withBackground(
                        o.transparentBackground()
                                ? RenderOptions.Background.TRANSPARENT
                                : RenderOptions.Background.WHITE);
        double fov = 40;
        for (int v = 0; v < k; v++) {
            double yaw = o.fixedViews() ? 360.0 * v / k : r.nextDouble() * 360;
            double pitch = o.fixedViews() ? FIXED_PITCH : -10 + r.nextDouble() * 50;
            Camera cam = Camera.framing(wt.bounds(), yaw, pitch, fov, FRAMING_MARGIN);
            BufferedImage img = Renderer.render(wt, cam, ro).colorImage();
            int base = v * size * size * 4;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int argb = img.getRGB(x, y);
                    int p = base + (y * size + x) * 4;
                    images[p] = (byte) (argb >> 16);
                    images[p + 1] = (byte) (argb >> 8);
                    images[p + 2] = (byte) argb;
                    images[p + 3] = (byte) (argb >>> 24);
                }
            }
            double[] eye = cam.eye(), right = cam.right(), up = cam.up(), fwd = cam.forward();
            double[][] rows = {right, up, {-fwd[0], -fwd[1], -fwd[2]}};
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    extrinsics[16 * v + 4 * i + j] = (float) rows[i][j];
                }
                extrinsics[16 * v + 4 * i + 3] =
                        (float) -(rows[i][0] * eye[0] + rows[i][1] * eye[1] + rows[i][2] * eye[2]);
            }
            extrinsics[16 * v + 15] = 1;
            double[] c = {
                wt.bounds().centerX(), wt.bounds().centerY(), wt.bounds().centerZ()
            };
            double dist =
                    Math.sqrt(Math.pow(eye[0] - c[0], 2) + Math.pow(eye[1] - c[1], 2) + Math.pow(eye[2] - c[2], 2));
            orbits[4 * v] = (float) yaw;
            orbits[4 * v + 1] = (float) pitch;
            orbits[4 * v + 2] = (float) dist;
            orbits[4 * v + 3] = (float) fov;
        }
        return new Views(k, size, images, extrinsics, orbits);
    }

    private static long lap(Map<String, Double> timings, String stage, long t0) {
        long now = System.nanoTime();
        timings.put(stage, (now - t0) / 1e9);
        return now;
    }
}
