package dev.tessera.model.sparse;

import dev.tessera.geometry.Aabb;
import dev.tessera.geometry.LongStack;
import dev.tessera.geometry.MarchingCubes;
import dev.tessera.geometry.SortedKeyIndex;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.model.Tensors;
import dev.tessera.model.sparse.conv.SparseTensor;
import java.util.Arrays;
import java.util.stream.IntStream;
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
        if (resolution < 2 || resolution > MAX_RESOLUTION) {
            throw new IllegalArgumentException(
                    "grid side " + resolution + " is outside [2, " + MAX_RESOLUTION + "] for surface extraction");
        }
        long r = resolution;
        long[] valued = new long[(int) ((r * r * r + 63) >>> 6)]; // every lattice point with a value so far
        // ring 0: the decoded voxels; ring t: lattice points next to ring t - 1 and not valued before. Each ring's
        // keys are sorted, so a value is found by a short search in one lattice row (SortedKeyIndex).
        long[][] keys = new long[RINGS + 1][];
        float[][] values = new float[RINGS + 1][];
        long[] packed = new long[n]; // key << 32 | voxel: one primitive sort orders keys and values together
        for (int v = 0; v < n; v++) {
            int i = coords[3 * v], j = coords[3 * v + 1], k = coords[3 * v + 2];
            if (i < 0 || j < 0 || k < 0 || i >= r || j >= r || k >= r) {
                throw new IllegalArgumentException(
                        "voxel " + v + " at (" + i + ", " + j + ", " + k + ") is outside the " + r + "³ grid");
            }
            packed[v] = ((i * r + j) * r + k) << 32 | v;
        }
        Arrays.parallelSort(packed);
        keys[0] = new long[n];
        values[0] = new float[n];
        for (int p = 0; p < n; p++) {
            long key = packed[p] >>> 32;
            if (p > 0 && key == keys[0][p - 1]) {
                throw new IllegalArgumentException(
                        "voxel " + (int) packed[p] + " repeats the coordinates of voxel " + (int) packed[p - 1]);
            }
            keys[0][p] = key;
            values[0][p] = sdf[(int) packed[p]];
            valued[(int) (key >>> 6)] |= 1L << key;
        }
        SortedKeyIndex[] index = new SortedKeyIndex[RINGS];
        float spawn = (float) (SPAWN_STEPS * 2.0 / resolution);
        for (int ring = 1; ring <= RINGS; ring++) {
            index[ring - 1] = new SortedKeyIndex(keys[ring - 1], r);
            keys[ring] = spawnRing(keys[ring - 1], values[ring - 1], valued, resolution, level, spawn);
            values[ring] = interpolate(keys[ring], keys, values, index, ring, valued, resolution);
        }
        long[] allKeys = keys[0];
        float[] all = values[0];
        for (int ring = 1; ring <= RINGS; ring++) {
            long[] mk = new long[allKeys.length + keys[ring].length];
            float[] mv = new float[mk.length];
            SortedKeyIndex.merge(allKeys, all, keys[ring], values[ring], mk, mv);
            allKeys = mk;
            all = mv;
        }
        keepOuterShell(allKeys, all, allKeys.length, resolution, level);
        double h = 2.0 / resolution;
        Aabb centres = new Aabb(-1 + h / 2, -1 + h / 2, -1 + h / 2, 1 - h / 2, 1 - h / 2, 1 - h / 2);
        return MarchingCubes.extractFromPoints(centres, resolution, allKeys, all, level);
    }

    /** Largest grid side: a lattice key must fit in 31 bits for the packed sort. */
    static final int MAX_RESOLUTION = 1290;

    /**
     * The sorted keys of the next ring: the lattice points next to a point of {@code from} within the spawn distance
     * of the level that have no value yet (they are marked valued here).
     */
    private static long[] spawnRing(
            long[] from, float[] fromValues, long[] valued, int resolution, float level, float spawn) {
        long[] out = new long[Math.max(16, from.length)];
        int count = 0;
        long[] near = new long[26];
        int[] near2 = new int[26];
        for (int v = 0; v < from.length; v++) {
            if (!(Math.abs(fromValues[v] - level) < spawn)) {
                continue; // its neighbours all have its sign: nothing to fill there
            }
            for (int e = 0, m = neighbours(from[v], resolution, near, near2); e < m; e++) {
                long q = near[e];
                int w = (int) (q >>> 6);
                if ((valued[w] & 1L << q) == 0) {
                    valued[w] |= 1L << q;
                    if (count == out.length) {
                        out = Arrays.copyOf(out, 2 * count);
                    }
                    out[count++] = q;
                }
            }
        }
        long[] ring = Arrays.copyOf(out, count);
        Arrays.parallelSort(ring);
        return ring;
    }

    /**
     * The values of ring {@code ring}'s points: the inverse-squared-distance weighted mean of their neighbours valued
     * in the rings before it. Pieces run in parallel; each point's sum runs in a fixed neighbour order, so the values
     * do not depend on the threads.
     */
    private static float[] interpolate(
            long[] ringKeys,
            long[][] keys,
            float[][] values,
            SortedKeyIndex[] index,
            int ring,
            long[] valued,
            int resolution) {
        float[] out = new float[ringKeys.length];
        IntStream.range(0, (ringKeys.length + PIECE - 1) / PIECE).parallel().forEach(piece -> {
            long[] near = new long[26];
            int[] near2 = new int[26];
            for (int t = piece * PIECE, end = Math.min(ringKeys.length, t + PIECE); t < end; t++) {
                double sum = 0, weight = 0;
                for (int e = 0, m = neighbours(ringKeys[t], resolution, near, near2); e < m; e++) {
                    long q = near[e];
                    if ((valued[(int) (q >>> 6)] & 1L << q) == 0) {
                        continue;
                    }
                    for (int u = 0; u < ring; u++) { // valued before this ring: in one of the earlier rings
                        int s = index[u].indexOf(q);
                        if (s >= 0) {
                            sum += WEIGHT[near2[e]] * values[u][s];
                            weight += WEIGHT[near2[e]];
                            break;
                        }
                    }
                }
                out[t] = (float) (sum / weight);
            }
        });
        return out;
    }

    /** Points per parallel piece of {@link #interpolate}. */
    private static final int PIECE = 4096;

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
        LongStack seeds = new LongStack();
        for (int i = 0; i < r; i++) { // the six faces
            for (int j = 0; j < r; j++) {
                seeds.push(i * rr + (long) j * r);
                seeds.push(i * rr + (long) j * r + r - 1);
                seeds.push(i * rr + j);
                seeds.push(i * rr + (long) (r - 1) * r + j);
                seeds.push((long) i * r + j);
                seeds.push((r - 1) * rr + (long) i * r + j);
            }
        }
        // scanline flood: a seed wets its whole open run along k, then seeds each open, dry stretch of the four
        // neighbouring rows beside that run; each point is tested a few times, and only runs go through the stack
        while (!seeds.isEmpty()) {
            long q = seeds.pop();
            if (!open(q, blocked, wet)) {
                continue;
            }
            long rowStart = q - q % r;
            long lo = runStart(q, rowStart, blocked, wet), hi = runEnd(q, rowStart + r - 1, blocked, wet);
            setRange(wet, lo, hi);
            long row = q / r;
            int i = (int) (row / r), j = (int) (row % r);
            if (i > 0) {
                seedStretches(lo - rr, hi - rr, blocked, wet, seeds);
            }
            if (i < r - 1) {
                seedStretches(lo + rr, hi + rr, blocked, wet, seeds);
            }
            if (j > 0) {
                seedStretches(lo - r, hi - r, blocked, wet, seeds);
            }
            if (j < r - 1) {
                seedStretches(lo + r, hi + r, blocked, wet, seeds);
            }
        }
        for (int v = 0; v < count; v++) {
            if (values[v] >= level && (wet[(int) (keys[v] >>> 6)] & 1L << keys[v]) == 0) {
                values[v] = 2 * level - values[v] - Math.ulp(level); // strictly below the level
            }
        }
    }

    /** Whether lattice point {@code q} is open to the flood (not blocked) and not reached yet. */
    private static boolean open(long q, long[] blocked, long[] wet) {
        int w = (int) (q >>> 6);
        return ((blocked[w] | wet[w]) & 1L << q) == 0;
    }

    /**
     * Pushes the first point of each stretch of open, dry points in {@code [lo, hi]} (one row), skipping whole words
     * that are closed (mostly: already wet).
     */
    private static void seedStretches(long lo, long hi, long[] blocked, long[] wet, LongStack seeds) {
        boolean inside = false;
        for (long p = lo; p <= hi; ) {
            int w = (int) (p >>> 6);
            long closed = blocked[w] | wet[w];
            if ((p & 63) == 0 && hi - p >= 63 && closed == -1L) {
                p += 64;
                inside = false;
                continue;
            }
            boolean o = (closed & 1L << p) == 0;
            if (o && !inside) {
                seeds.push(p);
            }
            inside = o;
            p++;
        }
    }

    /** The first point of the open run through open point {@code q} that starts at or after {@code first}. */
    private static long runStart(long q, long first, long[] blocked, long[] wet) {
        long p = q; // invariant: p is open; look for a closed point below it
        while (p > first) {
            int w = (int) (p >>> 6);
            int b = (int) (p & 63);
            long below = b == 0 ? 0 : (blocked[w] | wet[w]) << (64 - b); // the bits under p, at the top
            if (below == 0) {
                p -= b == 0 ? 1 : b; // this word's lower bits are open: on to the last bit of the word below
                if (b == 0 && p >= first && !open(p, blocked, wet)) {
                    return p + 1;
                }
                continue;
            }
            return Math.max(first, p - Long.numberOfLeadingZeros(below));
        }
        return first;
    }

    /** The last point of the open run through open point {@code q} that ends at or before {@code last}. */
    private static long runEnd(long q, long last, long[] blocked, long[] wet) {
        long p = q; // invariant: p is open; look for a closed point above it
        while (p < last) {
            int w = (int) (p >>> 6);
            int b = (int) (p & 63);
            long above = b == 63 ? 0 : (blocked[w] | wet[w]) >>> (b + 1); // the bits over p, at the bottom
            if (above == 0) {
                p += 63 - b; // this word's upper bits are open: on to the word's last bit
                if (p >= last) {
                    return last;
                }
                if (!open(p + 1, blocked, wet)) {
                    return p;
                }
                p++;
                continue;
            }
            return Math.min(last, p + Long.numberOfTrailingZeros(above));
        }
        return last;
    }

    /** Sets bits {@code lo..hi} of a bit set. */
    private static void setRange(long[] bits, long lo, long hi) {
        int wl = (int) (lo >>> 6), wh = (int) (hi >>> 6);
        long first = -1L << lo, lastMask = -1L >>> (63 - (hi & 63));
        if (wl == wh) {
            bits[wl] |= first & lastMask;
            return;
        }
        bits[wl] |= first;
        for (int w = wl + 1; w < wh; w++) {
            bits[w] = -1L;
        }
        bits[wh] |= lastMask;
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
