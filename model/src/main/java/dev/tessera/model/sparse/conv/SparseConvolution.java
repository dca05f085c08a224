package dev.tessera.model.sparse.conv;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The arithmetic of every sparse convolution, given its {@link KernelMap}: for each kernel offset {@code t},
 * gather the input rows of its pairs ({@code index_select}), multiply by the offset's weight matrix
 * ({@code mm}), and add the products into the output rows ({@code index_add_}). The centre offset of a submanifold
 * map is the identity and needs neither the gather nor the scatter: it starts the output as {@code bias + x·W_c}.
 * Every step is a differentiable libtorch op, so autograd gives the backward pass (a gather of the output gradient,
 * two GEMMs and a scatter-add per offset).
 */
final class SparseConvolution {
    private SparseConvolution() {}

    /**
     * Applies a convolution.
     *
     * @param feats {@code [N, C_in]}
     * @param map the kernel map from the input's coordinates to the output's
     * @param weight {@code [C_out, k, k, k, C_in]}
     * @param bias {@code [C_out]} or {@code null}
     * @return {@code [M, C_out]} features of the map's output rows
     */
    static Tensor apply(Tensor feats, KernelMap map, Tensor weight, Tensor bias) {
        long cout = weight.size(0), cin = weight.size(4);
        if (feats.size(1) != cin) {
            throw new IllegalArgumentException(
                    "a sparse convolution with " + cin + " input channels got features with " + feats.size(1));
        }
        int volume = map.volume();
        // one contiguous [C_in, C_out] matrix per offset (BLAS then never sees a size-1 dimension with an odd stride,
        // which gave wrong input gradients for C_in = 1)
        Tensor w = weight.view(cout, volume, cin).permute(1, 2, 0).contiguous(); // [K, C_in, C_out]
        int centre = map.identityOffset();
        Tensor out;
        if (centre >= 0) {
            Tensor wc = w.select(0, centre); // [C_in, C_out]
            out = bias == null ? feats.mm(wc) : torch.addmm(bias, feats, wc); // [N, C_out]
        } else {
            out = feats.new_zeros(new long[] {map.outputs(), cout}); // [M, C_out]
            if (bias != null) {
                out = out.add(bias); // [M, C_out]
            }
        }
        for (int t = 0; t < volume; t++) {
            Tensor in = map.inRows(t);
            if (t == centre || in == null) {
                continue;
            }
            Tensor g = feats.index_select(0, in); // [P_t, C_in]
            Tensor y = g.mm(w.select(0, t)); // [P_t, C_out]
            out.index_add_(0, map.outRows(t), y); // [M, C_out]
        }
        return out;
    }
}
