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
            assertThat(f[1]).startsWith("auto:");
            long voxels = Long.parseLong(f[3]);
            // the gyroid band holds the requested fraction of the 16³ grid (ties at the threshold may add a few)
            assertThat(voxels)
                    .isBetween((long) ((i == 1 ? 0.1 : 0.3) * 4096), (long) ((i == 1 ? 0.1 : 0.3) * 4096) + 64);
            assertThat(Double.parseDouble(f[4])).isPositive(); // sparse ms
            assertThat(Double.parseDouble(f[9])).isPositive(); // dense ms
        }
    }

    @Test
    void everyAlgorithmGetsItsOwnLineWithTheDensePeerSkipped() {
        CliTest.Run r = CliTest.run(
                "bench",
                "sparse-conv",
                "--grids",
                "12:3",
                "--occupancy",
                "0.4",
                "--algorithms",
                "gather-scatter,implicit-gemm,output-gather",
                "--no-dense",
                "--warmup",
                "0",
                "--reps",
                "1");
        assertThat(r.code()).as(r.err()).isZero();
        String[] lines = r.out().strip().split("\n");
        assertThat(lines).hasSize(4);
        assertThat(Arrays.stream(lines, 1, 4).map(l -> l.trim().split("\\s+")[1]))
                .containsExactly("gather_scatter", "implicit_gemm", "output_gather");
        for (int i = 1; i < 4; i++) {
            String[] f = lines[i].trim().split("\\s+");
            assertThat(Double.parseDouble(f[8])).as("estimate").isPositive();
            assertThat(f[9]).isEqualTo("NaN"); // no dense peer
        }
    }

    @Test
    void unknownAlgorithmIsAUsageError() {
        CliTest.Run r = CliTest.run("bench", "sparse-conv", "--algorithms", "winograd");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--algorithms: unknown 'winograd'");
    }

    @Test
    void badGridIsAUsageError() {
        CliTest.Run r = CliTest.run("bench", "sparse-conv", "--grids", "128x32");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--grids wants R:C pairs");
    }
}
