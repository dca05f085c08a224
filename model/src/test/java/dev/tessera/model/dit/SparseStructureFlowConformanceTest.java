package dev.tessera.model.dit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.model.Conformance;
import dev.tessera.model.Rng;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TRELLIS's recorded sparse-structure flow model ({@code testdata/conformance/trellis-ss-flow*}). */
class SparseStructureFlowConformanceTest {

    @ParameterizedTest
    @ValueSource(strings = {"trellis-ss-flow", "trellis-ss-flow-patch2"})
    void reproducesVelocity(String folder) throws Exception {
        SparseStructureFlowConfig c = SparseStructureFlowConfig.fromTrellisArgs(Conformance.config(folder));
        SparseStructureFlowModel model = new SparseStructureFlowModel(c, Rng.cpu(0));
        // the fixed position embedding this class computes is the one TRELLIS saved
        Tensor computedPos = model.posEmb().clone();
        assertThat(Conformance.loadWeights(folder, model).isClean()).isTrue();
        try (StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            assertThat(Conformance.maxAbsDiff(computedPos, model.posEmb())).isLessThan(1e-6);
            Tensor v = model.forward(
                    Conformance.io(folder, "x"), Conformance.io(folder, "t"), Conformance.io(folder, "cond"));
            assertThat(Tensors.shape(v)).containsExactly(2, 8, 8, 8, 8);
            double d = Conformance.maxAbsDiff(v, Conformance.io(folder, "velocity"));
            System.out.printf("%s: max |Δvelocity| = %.3g%n", folder, d);
            assertThat(d).isLessThan(1e-4);
        }
    }
}
