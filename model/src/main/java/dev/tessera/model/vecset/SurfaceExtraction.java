package dev.tessera.model.vecset;

import dev.tessera.geometry.Aabb;
import dev.tessera.geometry.CleanupOptions;
import dev.tessera.geometry.DenseGrid;
import dev.tessera.geometry.MarchingCubes;
import dev.tessera.geometry.MeshCleanup;
import dev.tessera.geometry.QuadricDecimator;
import dev.tessera.geometry.TriangleMesh;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * From a field to a clean mesh: decode the field on a lattice (densely or {@link HierarchicalVolumeDecoder
 * hierarchically}), marching cubes at level 0, drop floating components, optionally decimate.
 */
public final class SurfaceExtraction {
    private SurfaceExtraction() {}

    /**
     * How to extract.
     *
     * @param resolution lattice cells per axis ({@code resolution + 1} points)
     * @param bounds half side of the decoded box {@code [-bounds, bounds]³} (Hunyuan3D-2: 1.01)
     * @param hierarchical decode coarse to fine near the surface only (FlashVDM's hierarchical decoding)
     * @param minComponentArea connected components with less than this fraction of the total area are dropped
     * @param targetFaces decimate to at most this many triangles (0: keep all)
     */
    public record Options(
            int resolution, double bounds, boolean hierarchical, double minComponentArea, int targetFaces) {
        public Options {
            if (resolution < 2) {
                throw new IllegalArgumentException("resolution must be at least 2, got " + resolution);
            }
            if (!(bounds > 0) || !Double.isFinite(bounds)) {
                throw new IllegalArgumentException("bounds must be positive, got " + bounds);
            }
            if (!(minComponentArea >= 0 && minComponentArea < 1)) {
                throw new IllegalArgumentException("minimum component area must be in [0, 1), got " + minComponentArea);
            }
            if (targetFaces < 0) {
                throw new IllegalArgumentException("target faces must be ≥ 0, got " + targetFaces);
            }
        }

        /** Resolution 256 over {@code [-1.01, 1.01]³}, hierarchical, components under 1 % of the area dropped. */
        public static Options defaults() {
            return new Options(256, 1.01, true, 0.01, 0);
        }

        public Options withResolution(int r) {
            return new Options(r, bounds, hierarchical, minComponentArea, targetFaces);
        }

        public Options withHierarchical(boolean on) {
            return new Options(resolution, bounds, on, minComponentArea, targetFaces);
        }

        public Options withTargetFaces(int n) {
            return new Options(resolution, bounds, hierarchical, minComponentArea, n);
        }

        public Options withMinComponentArea(double fraction) {
            return new Options(resolution, bounds, hierarchical, fraction, targetFaces);
        }

        /** The decoding lattice. */
        public Lattice lattice() {
            return new Lattice(Aabb.cube(bounds), resolution);
        }
    }

    /** The raw marching-cubes surface of {@code field} (no cleanup), densely or hierarchically decoded. */
    public static TriangleMesh surface(PointField field, Options o, LongConsumer progress) {
        return surfaceWithReport(field, o, progress).mesh();
    }

    /**
     * The raw surface with the lattices visited and the queries made at each: one level of {@code (R + 1)³} queries
     * for a dense decode.
     *
     * @param progress called with the points decoded so far (dense decoding only; may be null)
     * @throws DecodeTooLargeException when a decoding lattice would not fit in the heap (checked before allocating)
     */
    public static HierarchicalVolumeDecoder.Result surfaceWithReport(
            PointField field, Options o, LongConsumer progress) {
        Lattice lattice = o.lattice();
        if (o.hierarchical()) {
            return HierarchicalVolumeDecoder.defaults().extractWithReport(field, lattice);
        }
        DenseGrid grid = DenseVolumeDecoder.decode(field, lattice, progress);
        return new HierarchicalVolumeDecoder.Result(
                MarchingCubes.extract(grid, 0f), List.of(o.resolution()), List.of(lattice.size()));
    }

    /**
     * A field equal to {@code field} inside the lattice's box and at least {@code epsilon} (outside) on its faces, so
     * that a shape the box cuts still gives a closed surface. Every decoder asks for the face points at exactly the
     * box's coordinates ({@link Lattice}), which is how they are recognised.
     */
    public static PointField closedAtFaces(PointField field, Lattice lattice, float epsilon) {
        float x0 = lattice.x(0), x1 = lattice.x(lattice.resolution());
        float y0 = lattice.y(0), y1 = lattice.y(lattice.resolution());
        float z0 = lattice.z(0), z1 = lattice.z(lattice.resolution());
        return new PointField() {
            @Override
            public float[] values(float[] xyz) {
                float[] v = field.values(xyz);
                for (int p = 0; p < v.length; p++) {
                    float x = xyz[3 * p], y = xyz[3 * p + 1], z = xyz[3 * p + 2];
                    if (x == x0 || x == x1 || y == y0 || y == y1 || z == z0 || z == z1) {
                        v[p] = Math.max(v[p], epsilon);
                    }
                }
                return v;
            }

            @Override
            public double distancePerUnit() {
                return field.distancePerUnit();
            }
        };
    }

    /** The clean mesh of {@code field}: {@link #surface}, then floaters dropped and optional decimation. */
    public static TriangleMesh mesh(PointField field, Options o, LongConsumer progress) {
        return clean(surface(field, o, progress), o);
    }

    /** Floaters dropped, unreferenced vertices removed, then decimation when asked for. */
    public static TriangleMesh clean(TriangleMesh raw, Options o) {
        return clean(raw, o.minComponentArea(), o.targetFaces());
    }

    /**
     * The clean-up of every reconstruction, vecset or sparse: connected components with less than
     * {@code minComponentArea} of the total area dropped (0 keeps all), unreferenced vertices removed, then decimation
     * to at most {@code targetFaces} triangles (0: none).
     */
    public static TriangleMesh clean(TriangleMesh raw, double minComponentArea, int targetFaces) {
        if (raw.isEmpty()) {
            return raw;
        }
        TriangleMesh m = MeshCleanup.clean(raw, new CleanupOptions(-1, minComponentArea));
        if (targetFaces > 0 && m.triangleCount() > targetFaces) {
            m = QuadricDecimator.decimate(m, targetFaces);
        }
        return m;
    }
}
