package dev.tessera.data.sample;

import static dev.tessera.data.sample.SampleSchema.*;

import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.safetensors.TensorInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks a sample file against {@link SampleSchema}: every array present with its type and shape, paired arrays of
 * equal length, finite values, unit normals, voxel labels in {0, 1, 2}, sparse coordinates in range, metadata
 * present — and that the signed distances of the queries agree with the voxel grid wherever a query is farther
 * from the surface than a voxel's diagonal.
 */
public final class SampleValidator {
    private SampleValidator() {}

    /** The outcome: problems (empty when valid) and a few statistics. */
    public record Report(
            List<String> problems,
            long surfacePoints,
            long sharpPoints,
            long queries,
            long sparseVoxels,
            int views,
            long signDisagreements,
            long signChecked) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    /** Validates an open sample file. */
    public static Report validate(SafetensorsReader r) throws IOException {
        List<String> problems = new ArrayList<>();
        for (SampleSchema.Field f : FIELDS) {
            if (!r.contains(f.name())) {
                if (f.required()) {
                    problems.add("missing array " + f.name());
                }
                continue;
            }
            TensorInfo t = r.info(f.name());
            if (t.dtype() != f.dtype()) {
                problems.add(f.name() + " is " + t.dtype() + ", expected " + f.dtype());
            }
            long[] s = t.shape();
            if (f.columns() == 3 && (s.length != 2 || s[1] != 3)) {
                problems.add(f.name() + " has shape " + t.shapeString() + ", expected [N, 3]");
            } else if (f.columns() == 1 && s.length != 1) {
                problems.add(f.name() + " has shape " + t.shapeString() + ", expected [N]");
            }
        }
        if (!problems.isEmpty()) {
            return new Report(problems, 0, 0, 0, 0, 0, 0, 0);
        }
        for (String key :
                new String[] {META_SCHEMA, META_CONTENT_HASH, META_SETTINGS_HASH, META_NORMALIZATION, META_SOURCE}) {
            if (!r.metadata().containsKey(key)) {
                problems.add("metadata lacks '" + key + "'");
            }
        }
        Sample s = Sample.read(r);
        finite(problems, SURFACE_POINTS, s.surfacePoints());
        finite(problems, NEAR_SDF, s.nearSdf());
        finite(problems, VOLUME_SDF, s.volumeSdf());
        finite(problems, NEAR_SHARP_SDF, s.nearSharpSdf());
        unitNormals(problems, SURFACE_NORMALS, s.surfaceNormals());
        unitNormals(problems, SHARP_NORMALS, s.sharpNormals());
        for (byte v : s.voxels64()) {
            if (v < OUTSIDE || v > INSIDE) {
                problems.add(VOXELS_64 + " holds the value " + v + " (allowed: 0, 1, 2)");
                break;
            }
        }
        if (s.sparseCoords() != null) {
            int res = s.sparseResolution();
            if (res <= 0) {
                problems.add("metadata lacks a positive '" + META_SPARSE_RESOLUTION + "'");
            }
            for (short c : s.sparseCoords()) {
                if (c < 0 || c >= res) {
                    problems.add(SPARSE_COORDS + " holds " + c + ", outside [0, " + res + ")");
                    break;
                }
            }
        }
        long[] sign = new long[2];
        signAgreement(s.volumePoints(), s.volumeSdf(), s.voxels64(), sign);
        signAgreement(s.nearPoints(), s.nearSdf(), s.voxels64(), sign);
        if (sign[1] > 0 && sign[0] > 0.001 * sign[1]) {
            problems.add(String.format(
                    Locale.ROOT,
                    "%d of %d queries away from the surface have an SDF sign that " + "disagrees with the voxel grid",
                    sign[0],
                    sign[1]));
        }
        long queries = s.nearSdf().length + s.nearSharpSdf().length + s.volumeSdf().length;
        return new Report(
                problems,
                s.surfacePoints().length / 3,
                s.sharpPoints().length / 3,
                queries,
                s.sparseSdf() == null ? 0 : s.sparseSdf().length,
                s.views() == null ? 0 : s.views().count(),
                sign[0],
                sign[1]);
    }

    private static void finite(List<String> problems, String name, float[] a) {
        for (int i = 0; i < a.length; i++) {
            if (!Float.isFinite(a[i])) {
                problems.add(name + " holds a non-finite value at element " + i);
                return;
            }
        }
    }

    private static void unitNormals(List<String> problems, String name, float[] n) {
        for (int i = 0; i + 2 < n.length; i += 3) {
            double len = Math.sqrt(n[i] * n[i] + n[i + 1] * n[i + 1] + n[i + 2] * n[i + 2]);
            if (Math.abs(len - 1) > 1e-3) {
                problems.add(String.format(Locale.ROOT, "%s row %d has length %.4f, not 1", name, i / 3, len));
                return;
            }
        }
    }

    /**
     * Counts queries farther than a voxel diagonal from the surface whose sign disagrees with the voxel holding
     * them (inside ⇔ label 2, outside ⇔ label 0). {@code out[0]} disagreements, {@code out[1]} checked.
     */
    static void signAgreement(float[] points, float[] sdf, byte[] voxels, long[] out) {
        int r = Sample.VOXEL_RESOLUTION;
        double h = 2.0 / r;
        double margin = h * Math.sqrt(3);
        for (int i = 0; i < sdf.length; i++) {
            if (Math.abs(sdf[i]) <= margin) {
                continue;
            }
            int x = (int) Math.floor((points[3 * i] + 1) / h);
            int y = (int) Math.floor((points[3 * i + 1] + 1) / h);
            int z = (int) Math.floor((points[3 * i + 2] + 1) / h);
            if (x < 0 || y < 0 || z < 0 || x >= r || y >= r || z >= r) {
                continue;
            }
            byte v = voxels[(x * r + y) * r + z];
            out[1]++;
            boolean inside = sdf[i] < 0;
            if ((inside && v != INSIDE) || (!inside && v != OUTSIDE)) {
                out[0]++;
            }
        }
    }
}
