package dev.tessera.model.latent;

import java.io.IOException;

/**
 * Mean and standard deviation of a latent set's values, over everything and per channel, computed in doubles. The
 * rectified-flow trainer derives its latent normalisation from them.
 *
 * @param shapes number of latents read
 * @param mean mean of every value
 * @param std population standard deviation of every value
 * @param channelMean mean per channel (the last axis of a vecset, the first of a grid)
 * @param channelStd population standard deviation per channel
 */
public record LatentStatistics(long shapes, double mean, double std, double[] channelMean, double[] channelStd) {

    static LatentStatistics of(LatentSet set) throws IOException {
        LatentSetInfo info = set.info();
        int c = Math.toIntExact(info.channels());
        long[] shape = info.shape();
        double[] sum = new double[c], sq = new double[c];
        long[] n = new long[c];
        for (String id : set.ids()) {
            float[] f = set.floats(id);
            if (info.kind() == LatentKind.VECSET) {
                for (int i = 0; i < f.length; i++) {
                    int ch = i % c;
                    sum[ch] += f[i];
                    sq[ch] += (double) f[i] * f[i];
                    n[ch]++;
                }
            } else {
                int per = Math.toIntExact(f.length / shape[0]);
                for (int i = 0; i < f.length; i++) {
                    int ch = i / per;
                    sum[ch] += f[i];
                    sq[ch] += (double) f[i] * f[i];
                    n[ch]++;
                }
            }
        }
        double tSum = 0, tSq = 0;
        long tN = 0;
        double[] mean = new double[c], std = new double[c];
        for (int ch = 0; ch < c; ch++) {
            tSum += sum[ch];
            tSq += sq[ch];
            tN += n[ch];
            mean[ch] = n[ch] == 0 ? 0 : sum[ch] / n[ch];
            std[ch] = n[ch] == 0 ? 0 : Math.sqrt(Math.max(0, sq[ch] / n[ch] - mean[ch] * mean[ch]));
        }
        double m = tN == 0 ? 0 : tSum / tN;
        double s = tN == 0 ? 0 : Math.sqrt(Math.max(0, tSq / tN - m * m));
        return new LatentStatistics(set.size(), m, s, mean, std);
    }
}
