package dev.tessera.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import dev.tessera.model.Torch;
import dev.tessera.model.dit.VecSetDiTConfig;
import dev.tessera.model.dit.VecSetDitBench;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The benchmarks' training steps ({@link MicroBatchBench}) train, and two setups step alike. */
class MicroBatchBenchTest {
    static {
        Torch.load();
    }

    @Test
    void twoSetupsTakeTheSameStepsAndTheWeightsMove() {
        VecSetDiTConfig config = VecSetDiTConfig.bench(); // the line's own, with its cross-attention
        try (VecSetDitBench.TrainSetup a = new VecSetDitBench.TrainSetup(config, 2, 8);
                VecSetDitBench.TrainSetup b = new VecSetDitBench.TrainSetup(config, 2, 8)) {
            float[] before = Tensors.toFloats(a.parameters().get(0));
            assertArrayEquals(before, Tensors.toFloats(b.parameters().get(0)));
            for (int s = 0; s < 3; s++) {
                try (StepScope scope = new StepScope()) {
                    a.run();
                    b.run();
                }
            }
            for (int i = 0; i < a.parameters().size(); i++) {
                assertArrayEquals(
                        Tensors.toFloats(a.parameters().get(i)),
                        Tensors.toFloats(b.parameters().get(i)),
                        "param " + i);
            }
            assertThat(Arrays.equals(before, Tensors.toFloats(a.parameters().get(0))))
                    .as("three AdamW steps move the first weight")
                    .isFalse();
            assertThat(a.micros()).isBetween(1, 2);
        }
    }
}
