package dev.tessera.model.cond;

import org.bytedeco.pytorch.Tensor;

/**
 * What {@link Dinov2Model} returns: the tokens after the final LayerNorm ({@code tokens}, Hugging Face's
 * {@code last_hidden_state}, what Hunyuan3D-2 conditions on) and before it ({@code prenorm}, torch.hub's
 * {@code x_prenorm}, from which TRELLIS builds its condition), both {@code [B, 1 + R + N, C]} in the order CLS,
 * registers, patches.
 */
public record Dinov2Output(Tensor tokens, Tensor prenorm) {}
