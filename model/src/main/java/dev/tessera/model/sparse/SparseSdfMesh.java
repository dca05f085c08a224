package dev.tessera.model.sparse;

import dev.tessera.geometry.Aabb;
import dev.tessera.geometry.MarchingCubes;
import dev.tessera.geometry.SparseGrid;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.model.Tensors;
import dev.tessera.model.sparse.conv.SparseTensor;
import java.util.Arrays;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The surface of a sparse SDF given at voxel centres, by Geometry's sparse marching cubes: the centres of an
 * {@code r³} grid over {@code [-1, 1]³} are the points of a lattice of {@code (r − 1)³} cells, and the cells whose
 * eight corner voxels are all active are the ones visited. No value is invented for an inactive voxel, so no
 * spurious surface appears away from the band; where the band is thinner than a cell the surface has a hole.
 */
public final class SparseSdfMesh {
    private SparseSdfMesh() {}

    /**
     * The iso-surface {@code level} of signed distances at voxel centres.
     *
     * @param coords {@code [3N]} voxel coordinates in {@code [0, r)}
     * @param sdf {@code [N]} values
     * @param resolution the grid side {@code r}
     */
    public static TriangleMesh extract(int[] coords, float[] sdf, int resolution, float level) {
        int n = sdf.length;
        if (coords.length != 3 * n) {
            throw new IllegalArgumentException(coords.length / 3 + " voxels but " + n + " values");
        }
        long r = resolution;
        long[] keyed = new long[n];
        for (int v = 0; v < n; v++) {
            keyed[v] = ((coords[3 * v] * r + coords[3 * v + 1]) * r + coords[3 * v + 2]);
        }
        Integer[] boxed = new Integer[n];
        for (int v = 0; v < n; v++) {
            boxed[v] = v;
        }
        Arrays.sort(boxed, (a, b) -> Long.compare(keyed[a], keyed[b]));
        long[] keys = new long[n];
        float[] vals = new float[n];
        for (int v = 0; v < n; v++) {
            keys[v] = keyed[boxed[v]];
            vals[v] = sdf[boxed[v]];
        }
        int[] cells = new int[3 * n];
        float[] corners = new float[8 * n];
        int m = 0;
        for (int v = 0; v < n; v++) {
            long key = keys[v];
            int i = (int) (key / (r * r)), j = (int) (key / r % r), k = (int) (key % r);
            if (i + 1 >= r || j + 1 >= r || k + 1 >= r) {
                continue;
            }
            boolean complete = true;
            for (int c = 0; c < 8 && complete; c++) {
                long q = ((i + (c >> 2 & 1)) * r + (j + (c >> 1 & 1))) * r + (k + (c & 1));
                int s = Arrays.binarySearch(keys, q);
                if (s < 0) {
                    complete = false;
                } else {
                    corners[8 * m + c] = vals[s];
                }
            }
            if (complete) {
                cells[3 * m] = i;
                cells[3 * m + 1] = j;
                cells[3 * m + 2] = k;
                m++;
            }
        }
        double h = 2.0 / resolution;
        Aabb centres = new Aabb(-1 + h / 2, -1 + h / 2, -1 + h / 2, 1 - h / 2, 1 - h / 2, 1 - h / 2);
        SparseGrid grid = SparseGrid.adopt(
                centres, resolution - 1, 8, Arrays.copyOf(cells, 3 * m), Arrays.copyOf(corners, 8 * m));
        return MarchingCubes.extractSparse(grid, level);
    }

    /** The surface of batch item {@code item} of a sparse tensor of signed distances {@code [N, 1]}. */
    public static TriangleMesh extract(SparseTensor sdf, int item, float level) {
        int[] s = sdf.spatialShape();
        if (s[0] != s[1] || s[1] != s[2]) {
            throw new IllegalArgumentException("a cubic grid is needed, got " + Arrays.toString(s));
        }
        Tensor rows = torch.nonzero(sdf.batchIndex().eq(new Scalar(item))).select(1, 0); // [N_b]
        long[] c = Tensors.toLongs(sdf.coords().index_select(0, rows).narrow(1, 1, 3)); // [N_b · 3]
        int[] ci = new int[c.length];
        for (int i = 0; i < c.length; i++) {
            ci[i] = (int) c[i];
        }
        float[] v = Tensors.toFloats(sdf.feats().index_select(0, rows).select(1, 0));
        return extract(ci, v, s[0], level);
    }
}
