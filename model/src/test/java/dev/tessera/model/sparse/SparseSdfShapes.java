package dev.tessera.model.sparse;

import dev.tessera.data.synth.ShapeClass;
import dev.tessera.data.synth.SyntheticShapes;
import dev.tessera.geometry.ScalarField;
import java.util.ArrayList;
import java.util.List;

/** Sparse SDF bands of analytic shapes, as {@code tessera prep} stores them, for the sparse SDF VAE's tests. */
final class SparseSdfShapes {
    private SparseSdfShapes() {}

    /** One shape's band: voxel coordinates {@code [3N]} and signed distances at their centres {@code [N]}. */
    record Band(int[] coords, float[] sdf) {}

    /** The voxels of an {@code r³} grid over {@code [-1, 1]³} whose centre is within {@code band} voxels of the surface. */
    static Band band(ScalarField f, int r, double band) {
        double h = 2.0 / r;
        List<int[]> c = new ArrayList<>();
        List<Float> v = new ArrayList<>();
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < r; j++) {
                for (int k = 0; k < r; k++) {
                    double d = f.value(-1 + (i + 0.5) * h, -1 + (j + 0.5) * h, -1 + (k + 0.5) * h);
                    if (Math.abs(d) <= band * h) {
                        c.add(new int[] {i, j, k});
                        v.add((float) d);
                    }
                }
            }
        }
        int[] coords = new int[3 * c.size()];
        float[] sdf = new float[c.size()];
        for (int n = 0; n < sdf.length; n++) {
            System.arraycopy(c.get(n), 0, coords, 3 * n, 3);
            sdf[n] = v.get(n);
        }
        return new Band(coords, sdf);
    }

    /** The band of a random shape of class {@code c} drawn with {@code seed} (the procedural dataset's shapes). */
    static Band synthetic(ShapeClass c, long seed, int r, double band) {
        return band(SyntheticShapes.field(c, seed), r, band);
    }

    /** A sphere of radius {@code radius} at the origin. */
    static ScalarField sphere(double radius) {
        return (x, y, z) -> Math.sqrt(x * x + y * y + z * z) - radius;
    }
}
