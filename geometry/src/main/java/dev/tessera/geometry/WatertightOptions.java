package dev.tessera.geometry;

/**
 * Options of {@link Watertight#remesh(TriangleMesh, WatertightOptions)}.
 *
 * @param resolution grid points per axis of the unsigned-distance grid (≥ 16); the offset is one grid step, so the
 *     detail kept and the thinnest gap left open are about {@code 2 / resolution} of the shape's size; memory is
 *     {@code 8·resolution³} bytes at the peak (the distance grid and the field, floats)
 * @param margin free space around the shape on each side, as a fraction of its longest side (≥ 0); at least three
 *     grid steps plus the offset are always kept free so the surface never touches the grid's boundary
 * @param shrink move every vertex back by the offset along its normal, so the surface sits on the input instead of
 *     one offset outside it (thin parts then become two close, facing sheets)
 */
public record WatertightOptions(int resolution, double margin, boolean shrink) {
    /** The recipe's defaults: 256³ samples, 5 % margin, no shrinking. */
    public static final WatertightOptions DEFAULT = new WatertightOptions(256, 0.05, false);

    public WatertightOptions {
        if (resolution < 16) {
            throw new IllegalArgumentException("watertight resolution must be at least 16, got " + resolution);
        }
        if (!(margin >= 0 && margin <= 10)) {
            throw new IllegalArgumentException("watertight margin must be in [0, 10], got " + margin);
        }
    }

    /** These options at another resolution. */
    public WatertightOptions withResolution(int r) {
        return new WatertightOptions(r, margin, shrink);
    }

    /** These options with another margin. */
    public WatertightOptions withMargin(double m) {
        return new WatertightOptions(resolution, m, shrink);
    }

    /** These options with or without shrinking. */
    public WatertightOptions withShrink(boolean s) {
        return new WatertightOptions(resolution, margin, s);
    }
}
