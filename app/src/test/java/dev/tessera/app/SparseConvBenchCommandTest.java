package dev.tessera.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SparseConvBenchCommandTest {
    @Test
    void smallGridPrintsOneMeasuredLinePerCase() {
        CliTest.Run r = CliTest.run(
                "bench", "sparse-conv", "--grids", "16:4", "--occupancy", "0.1,0.3", "--warmup", "0", "--reps", "1");
        assertThat(r.code()).as(r.err()).isZero();
        String[] lines = r.out().strip().split("\n");
        assertThat(lines).hasSize(3);
        for (int i = 1; i < 3; i++) {
            String[] f = lines[i].trim().split("\\s+");
            assertThat(f[0]).isEqualTo(i == 1 ? "sparse_conv3d_16_10pct" : "sparse_conv3d_16_30pct");
            long voxels = Long.parseLong(f[2]);
            // the gyroid band holds the requested fraction of the 16³ grid (ties at the threshold may add a few)
            assertThat(voxels)
                    .isBetween((long) ((i == 1 ? 0.1 : 0.3) * 4096), (long) ((i == 1 ? 0.1 : 0.3) * 4096) + 64);
            assertThat(Arrays.stream(f, 3, 6).mapToDouble(Double::parseDouble)).allMatch(v -> v > 0);
        }
    }

    @Test
    void badGridIsAUsageError() {
        CliTest.Run r = CliTest.run("bench", "sparse-conv", "--grids", "128x32");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--grids wants R:C pairs");
    }
}
