package dev.tessera.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StepTimerTest {
    @Test
    void timeRunsWarmupAndRepetitionsAndReportsTheMedianStep() {
        int[] calls = {0};
        // the steps sleep 0, 30, 0, 30, 0 ms after one untimed step of 200 ms: the median is a quick one
        StepTimer.Timing t = StepTimer.time(1, 5, () -> {
            int i = calls[0]++;
            sleep(i == 0 ? 200 : i % 2 == 0 ? 30 : 0);
        });
        assertThat(calls[0]).isEqualTo(6);
        assertThat(t.wallMs()).isLessThan(25).isGreaterThanOrEqualTo(0);
        assertThat(t.cpuMs()).isGreaterThanOrEqualTo(0);
        assertThat(t.note()).isEmpty();
        assertThatThrownBy(() -> StepTimer.time(0, 0, () -> {})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StepTimer.time(-1, 3, () -> {})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void medianTakesTheUpperMiddleOfAnEvenCount() {
        assertThat(StepTimer.median(new double[] {4, 1, 3})).isEqualTo(3);
        assertThat(StepTimer.median(new double[] {4, 1, 3, 2})).isEqualTo(3);
    }

    @Test
    void aLinePrintsTheTimesAndTheNoteWhenThereIsOne() {
        StepTimer.Timing t = new StepTimer.Timing(12.34, 24.06);
        assertThat(t.line("grid_dit_train_step")).isEqualTo("grid_dit_train_step 12.3 cpu 24.1");
        assertThat(t.withNote("voxels 7").line("x")).isEqualTo("x 12.3 cpu 24.1 voxels 7");
        assertThat(t.withNote("voxels 7").wallMs()).isEqualTo(12.34);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
