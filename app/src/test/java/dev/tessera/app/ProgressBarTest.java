package dev.tessera.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The bar's rate and ETA count only the units done since the job (re)started. */
class ProgressBarTest {
    private static final long TEN_SECONDS = 10_000_000_000L;

    /** The bar's clock, in nanoseconds: fixed, so that rates and ETAs are exact. */
    private static final long START = 1_000_000_000L;

    private static ProgressBar bar() {
        return new ProgressBar(
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false, () -> START);
    }

    @Test
    void aNewJobsRateIsItsUnitsOverItsTime() {
        ProgressBar b = bar();
        b.start("prep", 100);
        b.advance(20, "ok");
        String line = b.line(START + TEN_SECONDS);
        assertThat(line)
                .startsWith("prep [####")
                .contains("20/100")
                .contains("2.00/s")
                .contains("ok");
        assertThat(line).contains("ETA 0:40");
    }

    @Test
    void aResumedJobCountsOnlyTheUnitsDoneSinceItResumed() {
        ProgressBar b = bar();
        b.start("train", 3000, 1500);
        assertThat(b.line(START + TEN_SECONDS))
                .contains("1500/3000")
                .contains("0.00/s")
                .doesNotContain("ETA");
        b.advance(1510, "loss 0.07");
        String line = b.line(START + TEN_SECONDS);
        // 10 steps in 10 s, 1490 to go: not 151 steps a second and an ETA of 10 s
        assertThat(line).contains("1510/3000").contains("1.00/s").contains("ETA 24:50");
    }
}
