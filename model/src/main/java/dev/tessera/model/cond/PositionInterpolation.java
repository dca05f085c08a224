package dev.tessera.model.cond;

/**
 * How a ViT's learned position embedding (a square {@code M × M} grid) is resized to an image whose patch grid is
 * {@code gh × gw}. All three are bicubic (PyTorch's {@code a = −0.75} kernel, {@code align_corners=False}); they differ
 * in what they hand to {@code interpolate}, and so in the sample positions, by small but real amounts. No rule
 * interpolates when the grid already matches (DINOv2 at its native 518 px, 37 × 37), which is how the 3D pipelines
 * call it.
 */
public enum PositionInterpolation {
    /**
     * facebookresearch/dinov2 through torch.hub ({@code dinov2_vitl14}, {@code dinov2_vitg14}...): {@code scale_factor =
     * ((gh + 0.1)/M, (gw + 0.1)/M)} without antialias (the historical offset kludge). The output size is
     * {@code floor(M · scale)} and the kernel samples at the scale it was given, not at {@code M / g}.
     */
    HUB,
    /** The torch.hub models with registers ({@code dinov2_vitl14_reg}...): {@code size = (gh, gw)} with antialias. */
    HUB_REG,
    /** Hugging Face's {@code Dinov2Model}: {@code size = (gh, gw)} without antialias. */
    HUGGING_FACE
}
