package dev.tessera.model.vecset;

import org.bytedeco.pytorch.Tensor;

/**
 * One training batch of the vecset VAE: what the encoder reads, and the supervised query points with their signed
 * distances and loss weights.
 *
 * @param input the encoder's input points and query tokens
 * @param points query points {@code [B, P, 3]}
 * @param sdf their signed distances {@code [B, P]} (negative inside)
 * @param weights their loss weights {@code [B, P]}: per shape, 1 in all over the near-surface and volume queries and
 *     sharp_weight over the near-sharp ones
 */
public record VecsetBatch(EncoderInput input, Tensor points, Tensor sdf, Tensor weights) {}
