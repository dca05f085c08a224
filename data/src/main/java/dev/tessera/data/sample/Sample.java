package dev.tessera.data.sample;

import static dev.tessera.data.sample.SampleSchema.*;

import dev.tessera.data.safetensors.DType;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One training sample in memory: the arrays of {@link SampleSchema}, packed row-major ({@code xyz xyz ...}), and the
 * file's metadata. {@link #write(Path)} stores it as one safetensors file, atomically; {@link #read(Path)} loads one
 * whole (training reads subsets through {@code dev.tessera.data.dataset} instead).
 *
 * @param surfacePoints {@code [Ns·3]}
 * @param surfaceNormals {@code [Ns·3]}
 * @param sharpPoints {@code [Nk·3]} (may be empty)
 * @param sharpNormals {@code [Nk·3]}
 * @param nearPoints {@code [Nn·3]}
 * @param nearSdf {@code [Nn]}
 * @param nearSharpPoints {@code [Nq·3]} (may be empty)
 * @param nearSharpSdf {@code [Nq]}
 * @param volumePoints {@code [Nv·3]}
 * @param volumeSdf {@code [Nv]}
 * @param voxels64 {@code [64³]}: 0 outside, 1 surface, 2 inside
 * @param sparseCoords {@code [Nz·3]} voxel coordinates at {@code sparseResolution}, or {@code null}
 * @param sparseSdf {@code [Nz]} or {@code null}
 * @param sparseResolution the sparse grid's resolution (0 when absent)
 * @param views rendered views or {@code null}
 * @param metadata the {@code __metadata__} strings
 */
public record Sample(
        float[] surfacePoints,
        float[] surfaceNormals,
        float[] sharpPoints,
        float[] sharpNormals,
        float[] nearPoints,
        float[] nearSdf,
        float[] nearSharpPoints,
        float[] nearSharpSdf,
        float[] volumePoints,
        float[] volumeSdf,
        byte[] voxels64,
        short[] sparseCoords,
        float[] sparseSdf,
        int sparseResolution,
        Views views,
        Map<String, String> metadata) {

    /** Side of the voxel grid stored in every sample. */
    public static final int VOXEL_RESOLUTION = 64;

    public Sample {
        pairs(SURFACE_POINTS, surfacePoints, SURFACE_NORMALS, surfaceNormals, 3);
        pairs(SHARP_POINTS, sharpPoints, SHARP_NORMALS, sharpNormals, 3);
        pairs(NEAR_POINTS, nearPoints, NEAR_SDF, nearSdf, 1);
        pairs(NEAR_SHARP_POINTS, nearSharpPoints, NEAR_SHARP_SDF, nearSharpSdf, 1);
        pairs(VOLUME_POINTS, volumePoints, VOLUME_SDF, volumeSdf, 1);
        if (voxels64.length != VOXEL_RESOLUTION * VOXEL_RESOLUTION * VOXEL_RESOLUTION) {
            throw new IllegalArgumentException(VOXELS_64 + " needs 64³ values, got " + voxels64.length);
        }
        if ((sparseCoords == null) != (sparseSdf == null)) {
            throw new IllegalArgumentException("sparse coords and SDF must be both present or both absent");
        }
        if (sparseCoords != null && sparseCoords.length != 3 * sparseSdf.length) {
            throw new IllegalArgumentException("sparse coords " + sparseCoords.length + " != 3 × " + sparseSdf.length);
        }
        // sorted, so a sample's bytes never depend on the JVM's hash seed (Map.copyOf iterates in a per-run order)
        metadata = Collections.unmodifiableSortedMap(new TreeMap<>(metadata));
    }

    private static void pairs(String a, float[] points, String b, float[] other, int columns) {
        if (points.length % 3 != 0) {
            throw new IllegalArgumentException(a + " length " + points.length + " is not a multiple of 3");
        }
        if (other.length != points.length / 3 * columns) {
            throw new IllegalArgumentException(
                    b + " has " + other.length + " values for " + points.length / 3 + " rows of " + a);
        }
    }

    /** Writes the sample as one safetensors file (temporary file + rename). */
    public void write(Path file) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter().metadata(metadata).metadata(META_SCHEMA, SCHEMA_VERSION);
        w.addFloats(SURFACE_POINTS, surfacePoints, surfacePoints.length / 3, 3);
        w.addFloats(SURFACE_NORMALS, surfaceNormals, surfaceNormals.length / 3, 3);
        w.addFloats(SHARP_POINTS, sharpPoints, sharpPoints.length / 3, 3);
        w.addFloats(SHARP_NORMALS, sharpNormals, sharpNormals.length / 3, 3);
        w.addFloats(NEAR_POINTS, nearPoints, nearPoints.length / 3, 3);
        w.addFloats(NEAR_SDF, nearSdf, nearSdf.length);
        w.addFloats(NEAR_SHARP_POINTS, nearSharpPoints, nearSharpPoints.length / 3, 3);
        w.addFloats(NEAR_SHARP_SDF, nearSharpSdf, nearSharpSdf.length);
        w.addFloats(VOLUME_POINTS, volumePoints, volumePoints.length / 3, 3);
        w.addFloats(VOLUME_SDF, volumeSdf, volumeSdf.length);
        w.addBytes(VOXELS_64, DType.U8, voxels64, VOXEL_RESOLUTION, VOXEL_RESOLUTION, VOXEL_RESOLUTION);
        if (sparseCoords != null) {
            ByteBuffer b = ByteBuffer.allocate(sparseCoords.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            b.asShortBuffer().put(sparseCoords);
            w.add(SPARSE_COORDS, DType.I16, new long[] {sparseCoords.length / 3, 3}, b);
            w.addFloats(SPARSE_SDF, sparseSdf, sparseSdf.length);
            w.metadata(META_SPARSE_RESOLUTION, Integer.toString(sparseResolution));
        }
        if (views != null) {
            w.addBytes(VIEW_IMAGES, DType.U8, views.images(), views.count(), views.size(), views.size(), 4);
            w.addFloats(VIEW_EXTRINSICS, views.extrinsics(), views.count(), 4, 4);
            w.addFloats(VIEW_ORBITS, views.orbits(), views.count(), 4);
        }
        w.write(file);
    }

    /** Reads a whole sample file. */
    public static Sample read(Path file) throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            return read(r);
        }
    }

    /** Reads a whole sample from an open reader. */
    public static Sample read(SafetensorsReader r) throws IOException {
        short[] coords = null;
        float[] sparse = null;
        int sparseRes = 0;
        if (r.contains(SPARSE_COORDS)) {
            int[] c = r.ints(SPARSE_COORDS);
            coords = new short[c.length];
            for (int i = 0; i < c.length; i++) {
                coords[i] = (short) c[i];
            }
            sparse = r.floats(SPARSE_SDF);
            sparseRes = Integer.parseInt(r.metadata().getOrDefault(META_SPARSE_RESOLUTION, "0"));
        }
        Views views = null;
        if (r.contains(VIEW_IMAGES)) {
            long[] s = r.info(VIEW_IMAGES).shape();
            views = new Views(
                    (int) s[0], (int) s[1], r.bytes(VIEW_IMAGES), r.floats(VIEW_EXTRINSICS), r.floats(VIEW_ORBITS));
        }
        return new Sample(
                r.floats(SURFACE_POINTS),
                r.floats(SURFACE_NORMALS),
                r.floats(SHARP_POINTS),
                r.floats(SHARP_NORMALS),
                r.floats(NEAR_POINTS),
                r.floats(NEAR_SDF),
                r.floats(NEAR_SHARP_POINTS),
                r.floats(NEAR_SHARP_SDF),
                r.floats(VOLUME_POINTS),
                r.floats(VOLUME_SDF),
                r.bytes(VOXELS_64),
                coords,
                sparse,
                sparseRes,
                views,
                new LinkedHashMap<>(r.metadata()));
    }
}
