package dev.tessera.model.vecset;

import dev.tessera.model.nn.Layers;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Hunyuan3D-2's VAE cross-attention ({@code MultiheadCrossAttention}): {@code c_q} on the queries, a fused {@code
 * c_kv} on the data split per head ({@link HeadNorms}), optional QK-norm, scaled dot-product attention, {@code c_proj}.
 */
final class MultiheadCrossAttention extends Module {
    private final LinearImpl cQ;
    private final LinearImpl cKv;
    private final LinearImpl cProj;
    private final HeadNorms attention;

    MultiheadCrossAttention(long width, long dataWidth, long heads, boolean qkvBias, boolean qkNorm, Generator g) {
        super("MultiheadCrossAttention");
        this.cQ = register_module("c_q", Layers.linear(width, width, qkvBias, g));
        this.cKv = register_module("c_kv", Layers.linear(dataWidth, 2 * width, qkvBias, g));
        this.cProj = register_module("c_proj", Layers.linear(width, width, true, g));
        this.attention = register_module("attention", new HeadNorms(width, heads, qkNorm));
    }

    /** Queries {@code x [B, N, W]} attend to {@code data [B, M, Wd]} → {@code [B, N, W]}. */
    Tensor forward(Tensor x, Tensor data) {
        Tensor q = cQ.forward(x); // [B, N, W]
        Tensor kv = cKv.forward(data); // [B, M, 2W]
        return cProj.forward(attention.crossAttention(q, kv)); // [B, N, W]
    }

    /** The fused key/value projection of {@code data [B, M, Wd]} → {@code [B, M, 2W]}, to reuse over many queries. */
    Tensor keysValues(Tensor data) {
        return cKv.forward(data); // [B, M, 2W]
    }

    /** Queries {@code x [B, N, W]} against precomputed {@link #keysValues} {@code kv [B, M, 2W]} → {@code [B, N, W]}. */
    Tensor forwardCached(Tensor x, Tensor kv) {
        Tensor q = cQ.forward(x); // [B, N, W]
        return cProj.forward(attention.crossAttention(q, kv)); // [B, N, W]
    }
}
