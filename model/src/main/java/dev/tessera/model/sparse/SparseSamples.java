package dev.tessera.model.sparse;

import dev.tessera.data.dataset.Dataset;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.sample.SampleSchema;
import java.io.IOException;

/**
 * Reads what the sparse VAEs train on from prepared samples ({@code docs/sample-format.md}): the sparse SDF band
 * ({@code sparse.coords}, {@code sparse.sdf}) and the surface-voxel occupancy ({@code voxels64 == 1}). Errors name
 * the sample file and the fix.
 */
public final class SparseSamples {
    private SparseSamples() {}

    /** One sample's sparse SDF: voxel coordinates {@code [3N]} on a {@code resolution³} grid, distances {@code [N]}. */
    public record Band(String id, int resolution, int[] coords, float[] sdf) {}

    /**
     * The sparse SDF band of sample {@code id}.
     *
     * @param resolution the resolution the model expects; the sample's {@code sparse_resolution} must equal it
     */
    public static Band band(Dataset dataset, String id, int resolution) throws IOException {
        try (SafetensorsReader r = dataset.open(id)) {
            if (!r.contains(SampleSchema.SPARSE_COORDS) || !r.contains(SampleSchema.SPARSE_SDF)) {
                throw new IllegalArgumentException(dataset.file(id) + ": no sparse SDF voxels ("
                        + SampleSchema.SPARSE_COORDS + "); prep the dataset with --sparse-resolution " + resolution);
            }
            int res = Integer.parseInt(r.metadata().getOrDefault(SampleSchema.META_SPARSE_RESOLUTION, "0"));
            if (res != resolution) {
                throw new IllegalArgumentException(dataset.file(id) + ": sparse_resolution is " + res
                        + " but the model takes " + resolution + "; prep with --sparse-resolution " + resolution
                        + " or choose a model of resolution " + res);
            }
            int[] coords = r.ints(SampleSchema.SPARSE_COORDS);
            float[] sdf = r.floats(SampleSchema.SPARSE_SDF);
            if (sdf.length == 0) {
                throw new IllegalArgumentException(dataset.file(id) + ": the sparse SDF band is empty");
            }
            return new Band(id, res, coords, sdf);
        }
    }

    /**
     * The surface-voxel occupancy of sample {@code id} ({@code voxels64 == 1}, TRELLIS's sparse structure) at
     * {@code resolution³}: 64, or a divisor of 64, where a coarse voxel is occupied when any of its fine ones is (max
     * pooling). Row-major x, y, z, 0/1 floats.
     */
    public static float[] occupancy(Dataset dataset, String id, int resolution) throws IOException {
        int n = dev.tessera.data.sample.Sample.VOXEL_RESOLUTION;
        checkResolution(resolution);
        byte[] v;
        try (SafetensorsReader r = dataset.open(id)) {
            v = r.bytes(SampleSchema.VOXELS_64);
        }
        if (v.length != n * n * n) {
            throw new IllegalArgumentException(dataset.file(id) + ": voxels64 has " + v.length + " values, not 64³");
        }
        return pool(v, SampleSchema.SURFACE, resolution);
    }

    /**
     * The occupancy {@code [r³]} of the voxels of a 64³ grid (row-major x, y, z) whose value is {@code value}, max-pooled
     * to {@code resolution³} (a divisor of 64): a coarse voxel is 1 when any of its fine ones has the value.
     */
    static float[] pool(byte[] v, byte value, int resolution) {
        int n = dev.tessera.data.sample.Sample.VOXEL_RESOLUTION;
        checkResolution(resolution);
        int f = n / resolution;
        float[] out = new float[resolution * resolution * resolution];
        for (int x = 0; x < n; x++) {
            for (int y = 0; y < n; y++) {
                for (int z = 0; z < n; z++) {
                    if (v[(x * n + y) * n + z] == value) {
                        out[((x / f) * resolution + y / f) * resolution + z / f] = 1f;
                    }
                }
            }
        }
        return out;
    }

    /** Refuses a sparse-structure resolution that does not divide the samples' 64. */
    static void checkResolution(int resolution) {
        int n = dev.tessera.data.sample.Sample.VOXEL_RESOLUTION;
        if (resolution < 1 || resolution > n || n % resolution != 0) {
            throw new IllegalArgumentException("the sparse-structure occupancy comes from the samples' " + n
                    + "³ voxels: the model's resolution must divide " + n + ", got " + resolution);
        }
    }
}
