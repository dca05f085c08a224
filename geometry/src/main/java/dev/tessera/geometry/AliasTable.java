package dev.tessera.geometry;

import java.util.SplittableRandom;

/**
 * Walker's alias method (Vose's construction) for drawing an index with probability proportional to its weight in
 * {@code O(1)}: picks triangles by area for {@link SurfaceSampler} and edges by length for
 * {@link SharpEdgeSampler}. Items of zero weight are never drawn. Immutable and thread-safe.
 */
final class AliasTable {
    private final int[] item;
    private final double[] prob;
    private final int[] alias;
    /** The sum of the weights. */
    final double total;

    private AliasTable(int[] item, double[] prob, int[] alias, double total) {
        this.item = item;
        this.prob = prob;
        this.alias = alias;
        this.total = total;
    }

    /** A table over non-negative weights, or {@code null} when their sum is zero or not finite. */
    static AliasTable of(double[] w) {
        double total = 0;
        int m = 0;
        for (double a : w) {
            total += a;
            if (a > 0) {
                m++;
            }
        }
        if (!(total > 0) || !Double.isFinite(total)) {
            return null;
        }
        int[] item = new int[m];
        double[] prob = new double[m];
        int[] alias = new int[m];
        int j = 0;
        for (int i = 0; i < w.length; i++) {
            if (w[i] > 0) {
                item[j] = i;
                prob[j++] = w[i] * m / total;
            }
        }
        int[] small = new int[m], large = new int[m];
        int ns = 0, nl = 0;
        for (int i = 0; i < m; i++) {
            if (prob[i] < 1) {
                small[ns++] = i;
            } else {
                large[nl++] = i;
            }
        }
        while (ns > 0 && nl > 0) {
            int s = small[--ns], l = large[--nl];
            alias[s] = l;
            prob[l] = prob[l] + prob[s] - 1;
            if (prob[l] < 1) {
                small[ns++] = l;
            } else {
                large[nl++] = l;
            }
        }
        while (nl > 0) {
            prob[large[--nl]] = 1;
        }
        while (ns > 0) {
            prob[small[--ns]] = 1; // rounding leftovers: their scaled weight was 1 up to rounding
        }
        for (int i = 0; i < m; i++) {
            alias[i] = prob[i] >= 1 ? i : alias[i];
        }
        return new AliasTable(item, prob, alias, total);
    }

    /** Draws one index with probability proportional to its weight. */
    int draw(SplittableRandom r) {
        double u = r.nextDouble() * prob.length;
        int col = Math.min((int) u, prob.length - 1);
        return item[u - col < prob[col] ? col : alias[col]];
    }
}
