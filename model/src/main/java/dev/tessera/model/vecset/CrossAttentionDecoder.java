package dev.tessera.model.vecset;

import dev.tessera.model.nn.FourierEmbedder;
import dev.tessera.model.nn.Layers;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * The geometry decoder of Hunyuan3D-2's VAE ({@code CrossAttentionDecoder}): Fourier-embedded query points, projected
 * by {@code query_proj}, attend to the decoded latent tokens in one residual cross-attention block ({@code
 * cross_attn_decoder}); {@code ln_post} and {@code output_proj} give one value per point (an occupancy logit or a
 * truncated SDF, as the config's {@code label_type} says).
 *
 * <pre>
 * x   = query_proj(F(points))                         [B, P, w]
 * t   = latents_proj(tokens)   (only when w < W)      [B, L, w]
 * x   = cross_attn_decoder(x, t)                      [B, P, w]
 * out = output_proj(ln_post(x))                       [B, P, 1]
 * </pre>
 *
 * For decoding many points against the same tokens, {@link #keysValues} computes the tokens' keys and values once
 * and {@link #forwardCached} reuses them per chunk of points.
 */
final class CrossAttentionDecoder extends Module {
    private final FourierEmbedder fourier;
    private final LinearImpl queryProj;
    private final LinearImpl latentsProj;
    private final ResidualCrossAttentionBlock crossAttnDecoder;
    private final LayerNormImpl lnPost;
    private final LinearImpl outputProj;

    CrossAttentionDecoder(ShapeVaeConfig c, FourierEmbedder fourier, Generator g) {
        super("CrossAttentionDecoder");
        this.fourier = fourier;
        long w = c.width() / c.geoDecoderDownsampleRatio(), heads = c.heads() / c.geoDecoderDownsampleRatio();
        this.queryProj = register_module("query_proj", Layers.linear(c.fourierDim(), w, true, g));
        this.latentsProj = c.geoDecoderDownsampleRatio() != 1
                ? register_module("latents_proj", Layers.linear(c.width(), w, true, g))
                : null;
        boolean qkNorm = c.qkNorm() && c.geoDecoderLnPost(); // the reference drops QK-norm without ln_post
        this.crossAttnDecoder = register_module(
                "cross_attn_decoder",
                new ResidualCrossAttentionBlock(w, w, heads, c.geoDecoderMlpExpandRatio(), c.qkvBias(), qkNorm, g));
        this.lnPost = c.geoDecoderLnPost() ? register_module("ln_post", Layers.layerNorm(w, 1e-5, true)) : null;
        this.outputProj = register_module("output_proj", Layers.linear(w, 1, true, g));
    }

    /** Values at {@code points [B, P, 3]} given decoded tokens {@code [B, L, W]} → {@code [B, P, 1]}. */
    Tensor forward(Tensor points, Tensor tokens) {
        Tensor x = queryProj.forward(
                fourier.forward(points).to(tokens.scalar_type().intern())); // [B, P, w]
        Tensor t = latentsProj == null ? tokens : latentsProj.forward(tokens); // [B, L, w]
        x = crossAttnDecoder.forward(x, t); // [B, P, w]
        return outputProj.forward(lnPost == null ? x : lnPost.forward(x)); // [B, P, 1]
    }

    /** The keys and values of the decoded tokens {@code [B, L, W]} → {@code [B, L, 2w]}. */
    Tensor keysValues(Tensor tokens) {
        Tensor t = latentsProj == null ? tokens : latentsProj.forward(tokens); // [B, L, w]
        return crossAttnDecoder.keysValues(t); // [B, L, 2w]
    }

    /** As {@link #forward} with the tokens' precomputed {@link #keysValues} {@code kv [B, L, 2w]}. */
    Tensor forwardCached(Tensor points, Tensor kv) {
        Tensor x = queryProj.forward(fourier.forward(points).to(kv.scalar_type().intern())); // [B, P, w]
        x = crossAttnDecoder.forwardCached(x, kv); // [B, P, w]
        return outputProj.forward(lnPost == null ? x : lnPost.forward(x)); // [B, P, 1]
    }
}
