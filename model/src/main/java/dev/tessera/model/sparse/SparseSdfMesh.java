package dev.tessera.model.sparse;

import dev.tessera.geometry.Aabb;
import dev.tessera.geometry.LongIntMap;
import dev.tessera.geometry.LongStack;
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
 * {@code r³} grid over {@code [-1, 1]³} are the points of a lattice of {@code (r − 1)³} cells.
 *
 * <p><b>Gaps in the band are filled.</b> A decoded band is not a perfect shell: the decoder's pruning drops voxels
 * next to the surface here and there, and a band thinner than a cell leaves cells with missing corners. Marching only
 * the cells whose eight corners are all decoded leaves a hole wherever one corner is missing (thousands of boundary
 * loops on a 256³ reconstruction). So the lattice points around the band get values first, in {@value #RINGS} rings:
 * each point of a ring is a 26-neighbour of a point valued before it that lies within {@value #SPAWN_STEPS} lattice
 * steps of the level, and its value is the mean of its already valued neighbours, weighted by inverse squared lattice
 * distance. Every cell whose corners all have values is then marched. A ring carries the band's sign wherever the band
 * has one sign around it (its outer and inner edges), so it adds no surface there; where the surface runs through a
 * gap, the rings interpolate it from the values around. No value is invented farther than two lattice steps from a
 * decoded voxel.
 *
 * <p><b>The outer shell is kept.</b> A decoder can also draw a second wall at the inner edge of its band (the sign of
 * voxels far inside is the hardest thing for it to learn), which encloses a pocket of "outside" within the solid.
 * Points at or above the level that the outside cannot reach are turned inside ({@link #keepOuterShell}), as the
 * training shapes' watertight remeshing keeps the outer shell. The price: a cavity that the decoder closes off
 * with a spurious membrane is filled too.
 */
public final class SparseSdfMesh {
    private SparseSdfMesh() {}

    /** Rings of lattice points filled around the decoded band. */
    static final int RINGS = 2;

    /**
     * Only points nearer the level than this many lattice steps have their neighbours filled: a signed distance
     * changes by at most {@code √3} steps to a 26-neighbour, so farther points' neighbours keep their sign.
     */
    static final double SPAWN_STEPS = 2;

    /** Weights of a neighbour at squared lattice distance 1, 2 and 3 (inverse squared distance). */
    private static final float[] WEIGHT = {0f, 1f, 0.5f, 1f / 3};

    /**
     * The iso-surface {@code level} of signed distances at voxel centres, gaps of the band filled (see the class
     * comment).
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
        // indices 0..n-1: the decoded voxels; n..: the ring, lattice points next to one of them but not decoded
        LongIntMap index = new LongIntMap(2 * n);
        long[] allKeys = new long[Math.max(16, 2 * n)];
        for (int v = 0; v < n; v++) {
            allKeys[v] = (coords[3 * v] * r + coords[3 * v + 1]) * r + coords[3 * v + 2];
            index.put(allKeys[v], v);
        }
        int total = n;
        float spawn = (float) (SPAWN_STEPS * 2.0 / resolution);
        float[] all = Arrays.copyOf(sdf, Math.max(16, 2 * n));
        long[] near = new long[26];
        int[] near2 = new int[26];
        for (int ring = 0, from = 0; ring < RINGS; ring++) {
            int start = total; // this ring's points: neighbours of the previous ring (or of the decoded voxels)
            for (int v = from; v < start; v++) {
                if (!(Math.abs(all[v] - level) < spawn)) {
                    continue; // its neighbours all have its sign: nothing to fill there
                }
                for (int e = 0, m = neighbours(allKeys[v], resolution, near, near2); e < m; e++) {
                    if (index.get(near[e]) < 0) {
                        if (total == allKeys.length) {
                            allKeys = Arrays.copyOf(allKeys, 2 * total);
                        }
                        index.put(near[e], total);
                        allKeys[total++] = near[e];
                    }
                }
            }
            if (all.length < total) {
                all = Arrays.copyOf(all, allKeys.length);
            }
            for (int t = start; t < total; t++) { // from the points valued before this ring only
                double sum = 0, weight = 0;
                for (int e = 0, m = neighbours(allKeys[t], resolution, near, near2); e < m; e++) {
                    int v = index.get(near[e]);
                    if (v >= 0 && v < start) {
                        sum += WEIGHT[near2[e]] * all[v];
                        weight += WEIGHT[near2[e]];
                    }
                }
                all[t] = (float) (sum / weight);
            }
            from = start;
        }
        keepOuterShell(allKeys, all, total, resolution, level);
        // the cells whose eight corners all have values, listed by their lower corner
        int[] cells = new int[3 * total];
        float[] corners = new float[8 * total];
        int cellCount = 0;
        for (int v = 0; v < total; v++) {
            long key = allKeys[v];
            int i = (int) (key / (r * r)), j = (int) (key / r % r), k = (int) (key % r);
            if (i + 1 >= r || j + 1 >= r || k + 1 >= r) {
                continue;
            }
            boolean complete = true;
            for (int c = 0; c < 8 && complete; c++) {
                int s = index.get(((i + (c >> 2 & 1)) * r + (j + (c >> 1 & 1))) * r + (k + (c & 1)));
                if (s < 0) {
                    complete = false;
                } else {
                    corners[8 * cellCount + c] = all[s];
                }
            }
            if (complete) {
                cells[3 * cellCount] = i;
                cells[3 * cellCount + 1] = j;
                cells[3 * cellCount + 2] = k;
                cellCount++;
            }
        }
        double h = 2.0 / resolution;
        Aabb centres = new Aabb(-1 + h / 2, -1 + h / 2, -1 + h / 2, 1 - h / 2, 1 - h / 2, 1 - h / 2);
        SparseGrid grid = SparseGrid.adopt(
                centres, resolution - 1, 8, Arrays.copyOf(cells, 3 * cellCount), Arrays.copyOf(corners, 8 * cellCount));
        return MarchingCubes.extractSparse(grid, level);
    }

    /**
     * Turns every valued point at or above the level that the outside cannot reach into an inside point (its value
     * mirrored about the level). The outside is flooded from the lattice's faces through the 6-connected points that
     * are not valued below the level (points without a value included), so pockets enclosed by the band's inside
     * stay dry: the second wall a decoder draws at the inner edge of its band, and bubbles inside the solid. Training
     * shapes are outer shells (watertight remeshing keeps the outer shell), so a closed cavity is never a true answer.
     */
    static void keepOuterShell(long[] keys, float[] values, int count, int resolution, float level) {
        int r = resolution;
        long rr = (long) r * r;
        long[] blocked = new long[(int) ((rr * r + 63) >>> 6)];
        for (int v = 0; v < count; v++) {
            if (values[v] < level) {
                blocked[(int) (keys[v] >>> 6)] |= 1L << keys[v];
            }
        }
        long[] wet = new long[blocked.length];
        LongStack frontier = new LongStack();
        for (int i = 0; i < r; i++) { // the six faces
            for (int j = 0; j < r; j++) {
                flood(i * rr + (long) j * r, blocked, wet, frontier);
                flood(i * rr + (long) j * r + r - 1, blocked, wet, frontier);
                flood(i * rr + j, blocked, wet, frontier);
                flood(i * rr + (long) (r - 1) * r + j, blocked, wet, frontier);
                flood((long) i * r + j, blocked, wet, frontier);
                flood((r - 1) * rr + (long) i * r + j, blocked, wet, frontier);
            }
        }
        while (!frontier.isEmpty()) {
            long q = frontier.pop();
            int i = (int) (q / rr), j = (int) (q / r % r), k = (int) (q % r);
            if (i > 0) {
                flood(q - rr, blocked, wet, frontier);
            }
            if (i < r - 1) {
                flood(q + rr, blocked, wet, frontier);
            }
            if (j > 0) {
                flood(q - r, blocked, wet, frontier);
            }
            if (j < r - 1) {
                flood(q + r, blocked, wet, frontier);
            }
            if (k > 0) {
                flood(q - 1, blocked, wet, frontier);
            }
            if (k < r - 1) {
                flood(q + 1, blocked, wet, frontier);
            }
        }
        for (int v = 0; v < count; v++) {
            if (values[v] >= level && (wet[(int) (keys[v] >>> 6)] & 1L << keys[v]) == 0) {
                values[v] = 2 * level - values[v] - Math.ulp(level); // strictly below the level
            }
        }
    }

    private static void flood(long q, long[] blocked, long[] wet, LongStack frontier) {
        int w = (int) (q >>> 6);
        long bit = 1L << q;
        if ((blocked[w] & bit) == 0 && (wet[w] & bit) == 0) {
            wet[w] |= bit;
            frontier.push(q);
        }
    }

    /**
     * The 26-neighbours of lattice point {@code key} inside the {@code r³} lattice: their keys into {@code keys}, their
     * squared lattice distances (1, 2 or 3) into {@code dist2}; returns how many.
     */
    private static int neighbours(long key, int resolution, long[] keys, int[] dist2) {
        long r = resolution;
        int i = (int) (key / (r * r)), j = (int) (key / r % r), k = (int) (key % r);
        int m = 0;
        for (int di = -1; di <= 1; di++) {
            for (int dj = -1; dj <= 1; dj++) {
                for (int dk = -1; dk <= 1; dk++) {
                    int a = i + di, b = j + dj, c = k + dk;
                    if ((di | dj | dk) != 0 && a >= 0 && b >= 0 && c >= 0 && a < r && b < r && c < r) {
                        keys[m] = (a * r + b) * r + c;
                        dist2[m++] = di * di + dj * dj + dk * dk;
                    }
                }
            }
        }
        return m;
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
