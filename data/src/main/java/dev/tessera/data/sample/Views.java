package dev.tessera.data.sample;

/**
 * Rendered condition views of a shape: {@code count} RGBA images of {@code size × size} pixels, their
 * world-to-camera matrices and orbit parameters.
 *
 * @param count number of views K
 * @param size image width and height in pixels
 * @param images RGBA bytes, {@code [K, size, size, 4]} row-major, sRGB
 * @param extrinsics world-to-camera matrices, {@code [K, 4, 4]} row-major
 * @param orbits yaw (°), pitch (°), distance, vertical field of view (°) per view, {@code [K, 4]}
 */
public record Views(int count, int size, byte[] images, float[] extrinsics, float[] orbits) {
    public Views {
        if ((long) count * size * size * 4 != images.length) {
            throw new IllegalArgumentException(count + " views of " + size + "² RGBA need "
                    + ((long) count * size * size * 4) + " bytes, got " + images.length);
        }
        if (extrinsics.length != count * 16 || orbits.length != count * 4) {
            throw new IllegalArgumentException("view matrices or orbits do not match " + count + " views");
        }
    }
}
