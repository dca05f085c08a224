package dev.tessera.model.vecset;

import dev.tessera.model.nn.FourierEmbedder;
import dev.tessera.model.nn.Layers;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The Perceiver encoder of Hunyuan3D-2's VAE ({@code PointCrossAttentionEncoder}): every point becomes {@code
 * concat(Fourier(xyz), features)}, projected by {@code input_proj}; the query tokens (points picked by farthest point
 * sampling, see {@link EncoderInput}) attend to all input points in one residual cross-attention block ({@code
 * cross_attn}), then the {@code self_attn} transformer and {@code ln_post} follow.
 *
 * <pre>
 * query = input_proj([F(q_xyz), q_feat])            [B, L, W]
 * data  = input_proj([F(p_xyz), p_feat])            [B, M, W]
 * h     = cross_attn(query, data)                    [B, L, W]
 * h     = ln_post(self_attn(h))                      [B, L, W]
 * </pre>
 *
 * With Dora's sharp-edge branch ({@code sharp_cross_attn}), the sharp-edge points and their queries are projected by
 * {@code input_proj1} and {@code h = cross_attn(query, data_uniform) + cross_attn1(query, data_sharp)}.
 */
final class PointCrossAttentionEncoder extends Module {
    private final ShapeVaeConfig config;
    private final FourierEmbedder fourier;
    private final LinearImpl inputProj;
    private final ResidualCrossAttentionBlock crossAttn;
    private final LinearImpl inputProj1;
    private final ResidualCrossAttentionBlock crossAttn1;
    private final Transformer selfAttn;
    private final LayerNormImpl lnPost;

    PointCrossAttentionEncoder(ShapeVaeConfig c, FourierEmbedder fourier, Generator g) {
        super("PointCrossAttentionEncoder");
        this.config = c;
        this.fourier = fourier;
        long w = c.width(), in = c.fourierDim() + c.pointFeats();
        this.inputProj = register_module("input_proj", Layers.linear(in, w, true, g));
        this.crossAttn = register_module(
                "cross_attn", new ResidualCrossAttentionBlock(w, w, c.heads(), 4, c.qkvBias(), c.qkNorm(), g));
        if (c.sharpCrossAttn()) {
            this.inputProj1 = register_module("input_proj1", Layers.linear(in, w, true, g));
            this.crossAttn1 = register_module(
                    "cross_attn1", new ResidualCrossAttentionBlock(w, w, c.heads(), 4, c.qkvBias(), c.qkNorm(), g));
        } else {
            this.inputProj1 = null;
            this.crossAttn1 = null;
        }
        this.selfAttn = c.numEncoderLayers() > 0
                ? register_module(
                        "self_attn", new Transformer(w, c.numEncoderLayers(), c.heads(), c.qkvBias(), c.qkNorm(), g))
                : null;
        this.lnPost = c.useLnPost() ? register_module("ln_post", Layers.layerNorm(w, 1e-5, true)) : null;
    }

    /** {@code concat(Fourier(xyz), features)} of points {@code [B, N, 3 + F]} → {@code [B, N, fourierDim + F]}. */
    Tensor embed(Tensor points) {
        Tensor xyz = points.narrow(2, 0, 3); // [B, N, 3]
        Tensor feats = points.narrow(2, 3, points.size(2) - 3); // [B, N, F]
        return torch.cat(new TensorVector(fourier.forward(xyz), feats), -1); // [B, N, 3(2K+1) + F]
    }

    /** The latent tokens of an encoder input → {@code [B, L, W]}. */
    Tensor forward(EncoderInput in) {
        Tensor query = embed(in.queries()); // [B, L, Cin]
        Tensor data = embed(in.data()); // [B, M, Cin]
        Tensor h;
        if (crossAttn1 == null) {
            h = crossAttn.forward(inputProj.forward(query), inputProj.forward(data)); // [B, L, W]
        } else {
            int qu = in.uniformQueries(), mu = in.uniformData();
            Tensor q = torch.cat(
                    new TensorVector(
                            inputProj.forward(query.narrow(1, 0, qu)),
                            inputProj1.forward(query.narrow(1, qu, query.size(1) - qu))),
                    1); // [B, L, W]
            Tensor du = inputProj.forward(data.narrow(1, 0, mu)); // [B, Mu, W]
            Tensor ds = inputProj1.forward(data.narrow(1, mu, data.size(1) - mu)); // [B, Ms, W]
            h = crossAttn.forward(q, du).add(crossAttn1.forward(q, ds)); // [B, L, W]
        }
        if (selfAttn != null) {
            h = selfAttn.forward(h); // [B, L, W]
        }
        return lnPost == null ? h : lnPost.forward(h); // [B, L, W]
    }

    ShapeVaeConfig config() {
        return config;
    }
}
