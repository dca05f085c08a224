package dev.tessera.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.data.Progress;
import dev.tessera.model.Rng;
import dev.tessera.model.StateDict;
import dev.tessera.model.Tensors;
import dev.tessera.model.nn.Activation;
import dev.tessera.model.nn.Mlp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    @TempDir
    Path dir;

    /** Fits y = sin(3x) with a small MLP; batches drawn from the step's random stream. */
    static final class SineTask implements TrainTask {
        final Mlp mlp = Mlp.timm(1, 32, 1, Activation.GELU, Rng.cpu(1));
        double poison = Double.NaN;
        long poisonStep = -1;
        boolean failValidation;

        @Override
        public Module model() {
            return mlp;
        }

        @Override
        public Object config() {
            return Map.of("hidden", 32);
        }

        @Override
        public Map<String, Tensor> loss(long step, int micro, SplittableRandom random, Generator g) {
            float[] x = new float[64], y = new float[64];
            for (int i = 0; i < 64; i++) {
                x[i] = (float) (random.nextDouble() * 2 - 1);
                y[i] = (float) Math.sin(3 * x[i]);
            }
            Tensor pred = mlp.forward(Tensors.fromFloats(x, 64, 1))
                    .add(Rng.randn(g, 64, 1).mul(new org.bytedeco.pytorch.Scalar(1e-3)));
            Tensor loss = torch.mse_loss(pred, Tensors.fromFloats(y, 64, 1));
            if (step == poisonStep) {
                loss = loss.mul(new org.bytedeco.pytorch.Scalar(poison));
            }
            return Map.of("loss", loss);
        }

        @Override
        public Map<String, Double> validate(long step) {
            if (failValidation) {
                throw new IllegalStateException("out of memory while decoding"); // as a decode too large would
            }
            float[] x = new float[101];
            for (int i = 0; i <= 100; i++) {
                x[i] = -1 + i / 50f;
            }
            float[] p = Tensors.toFloats(mlp.forward(Tensors.fromFloats(x, 101, 1)));
            double err = 0;
            for (int i = 0; i <= 100; i++) {
                err += Math.pow(p[i] - Math.sin(3 * x[i]), 2) / 101;
            }
            return Map.of("mse", err);
        }
    }

    static TrainOptions options(int steps) {
        return TrainOptions.defaults(steps, 1e-2)
                .withWarmup(5)
                .withCheckpointEvery(10)
                .withLogEvery(1)
                .withSeed(4);
    }

    @Test
    void lossFallsAndTheRunDirectoryIsACheckpoint() throws Exception {
        SineTask task = new SineTask();
        Trainer.Result r =
                new Trainer(task, options(300).withValidateEvery(100), dir.resolve("run"), Progress.NONE).run(false);
        List<String> lines = Files.readAllLines(dir.resolve("run/metrics.jsonl"));
        double first = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(lines.get(0))
                .get("loss")
                .asDouble();
        assertThat(r.lastLoss()).isLessThan(first / 5);
        assertThat(r.lastValidation().get("mse")).isLessThan(0.05);
        assertThat(dir.resolve("run/model.safetensors")).exists();
        assertThat(dir.resolve("run/config.json")).exists();
        assertThat(dir.resolve("run/loss.png")).exists();
        assertThat(Files.list(dir.resolve("run/checkpoints")).count()).isEqualTo(3); // keep 3
        assertThat(lines).anyMatch(l -> l.contains("\"val/mse\""));
        assertThatThrownBy(
                        () -> new Trainer(new SineTask(), options(150), dir.resolve("run"), Progress.NONE).run(false))
                .hasMessageContaining("already holds checkpoints");
    }

    @Test
    void resumeIsBitExact() throws Exception {
        SineTask straight = new SineTask();
        new Trainer(straight, options(40).withEma(0.9), dir.resolve("a"), Progress.NONE).run(false);

        SineTask first = new SineTask();
        // interrupt the run at step 25 (a diverging loss), after the checkpoint of step 19
        first.poisonStep = 25;
        assertThatThrownBy(
                        () -> new Trainer(first, options(40).withEma(0.9), dir.resolve("b"), Progress.NONE).run(false))
                .isInstanceOf(TrainingDivergedException.class)
                .hasMessageContaining("at step 25")
                .hasMessageContaining("step-0000019");
        SineTask resumed = new SineTask(); // fresh weights: everything must come from the checkpoint
        new Trainer(resumed, options(40).withEma(0.9), dir.resolve("b"), Progress.NONE).run(true);
        var a = StateDict.of(straight.mlp);
        var b = StateDict.of(resumed.mlp);
        for (String k : a.keySet()) {
            assertThat(Tensors.toFloats(b.get(k))).as(k).containsExactly(Tensors.toFloats(a.get(k)));
        }
        assertThat(Files.readAllBytes(dir.resolve("b/model.safetensors")))
                .isEqualTo(Files.readAllBytes(dir.resolve("a/model.safetensors")));
    }

    @Test
    void aValidationThatFailsKeepsTheCheckpointOfItsStep() throws Exception {
        SineTask failing = new SineTask();
        failing.failValidation = true;
        TrainOptions o = options(12).withCheckpointEvery(6).withValidateEvery(6);
        assertThatThrownBy(() -> new Trainer(failing, o, dir.resolve("v"), Progress.NONE).run(false))
                .hasMessageContaining("out of memory");
        // the checkpoint of step 5, the first validated step, was written before the validation failed
        assertThat(Trainer.latestCheckpoint(dir.resolve("v")).getFileName().toString())
                .isEqualTo("step-0000005");
        // and the run goes on from it
        Trainer.Result r = new Trainer(new SineTask(), o, dir.resolve("v"), Progress.NONE).run(true);
        assertThat(r.steps()).isEqualTo(12);
        assertThat(r.lastValidation()).containsKey("mse");
    }

    @Test
    void aCheckpointWithLibtorchsOptimizerArchiveIsRefusedOnResume() throws Exception {
        new Trainer(new SineTask(), options(10), dir.resolve("old"), Progress.NONE).run(false);
        Path ckpt = dir.resolve("old/checkpoints/step-0000009");
        Files.move(ckpt.resolve(Trainer.OPTIMIZER), ckpt.resolve("optimizer.pt")); // as Tessera wrote it before
        assertThatThrownBy(() -> new Trainer(new SineTask(), options(20), dir.resolve("old"), Progress.NONE).run(true))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("step-0000009")
                .hasMessageContaining("optimizer.pt")
                .hasMessageContaining("another --out");
    }

    @Test
    void nonFiniteStepsCanBeSkipped() throws Exception {
        SineTask task = new SineTask();
        task.poisonStep = 3;
        new Trainer(task, options(8).withSkipNonFinite(true), dir.resolve("s"), Progress.NONE).run(false);
        assertThat(Files.readString(dir.resolve("s/metrics.jsonl"))).contains("\"skipped\":\"non-finite loss\"");
    }

    @Test
    void scheduleWarmsUpThenDecays() {
        TrainOptions o = TrainOptions.defaults(100, 1.0).withWarmup(10);
        assertThat(o.lrAt(0)).isEqualTo(0.1);
        assertThat(o.lrAt(9)).isEqualTo(1.0);
        assertThat(o.lrAt(10)).isEqualTo(1.0);
        assertThat(o.lrAt(55)).isCloseTo(0.1 + 0.9 * 0.5, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(o.lrAt(100)).isCloseTo(0.1, org.assertj.core.api.Assertions.within(1e-12));
    }
}
