package dev.tessera.model.dit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.model.Checkpoint;
import dev.tessera.model.Optimizers;
import dev.tessera.model.Rng;
import dev.tessera.model.StateDict;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import dev.tessera.model.flow.RectifiedFlow;
import java.util.Map;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class VecSetDiTTest {
    static double maxAbs(Tensor t) {
        return t.abs().max().item_double();
    }

    static Tensor labels(long... l) {
        return Tensors.fromLongs(l, l.length);
    }

    @Test
    void anUntrainedDiTOutputsExactlyZeroForEveryCondition() {
        VecSetDiTConfig base = VecSetDiTConfig.tiny();
        for (VecSetDiTConfig c : new VecSetDiTConfig[] {base, base.withClasses(3), base.withContext(16)}) {
            VecSetDiT dit = new VecSetDiT(c, Rng.cpu(0));
            try (StepScope s = new StepScope()) {
                Generator g = Rng.cpu(1);
                Tensor x = Rng.randn(g, 2, 64, 8).mul(new org.bytedeco.pytorch.Scalar(5));
                Tensor cond = switch (c.condition()) {
                    case NONE -> null;
                    case CLASS -> labels(0, 3);
                    case TOKENS -> Rng.randn(g, 2, 7, 16);
                };
                Tensor v = dit.forward(x, Rng.rand(g, 2), cond);
                assertThat(Tensors.shape(v)).containsExactly(2, 64, 8);
                assertThat(maxAbs(v)).as(c.condition().id()).isEqualTo(0.0);
            }
        }
    }

    @Test
    void parameterNamesFollowTheArticleAndDiT() {
        VecSetDiT dit = new VecSetDiT(VecSetDiTConfig.tiny().withContext(16), Rng.cpu(0));
        Map<String, Tensor> sd = StateDict.of(dit);
        assertThat(sd.keySet())
                .contains(
                        "proj_in.weight",
                        "t_embedder.mlp.0.weight",
                        "t_embedder.mlp.2.bias",
                        "layers.0.attn1.qkv.weight",
                        "layers.0.attn1.q_norm.weight",
                        "layers.0.attn1.k_norm.bias",
                        "layers.0.attn1.proj.weight",
                        "layers.1.attn2.q.weight",
                        "layers.1.attn2.kv.weight",
                        "layers.1.attn2.k_norm.weight",
                        "layers.1.ff.fc1.weight",
                        "layers.1.ff.fc2.bias",
                        "layers.1.adaln_linear.weight",
                        "final_layer.adaLN_modulation.1.weight",
                        "final_layer.linear.weight");
        assertThat(Tensors.shape(sd.get("layers.0.attn2.kv.weight"))).containsExactly(128, 16);
        assertThat(Tensors.shape(sd.get("layers.0.adaln_linear.weight"))).containsExactly(384, 64);
        VecSetDiT cls = new VecSetDiT(VecSetDiTConfig.tiny().withClasses(5), Rng.cpu(0));
        assertThat(Tensors.shape(StateDict.of(cls).get("y_embedder.embedding_table.weight")))
                .containsExactly(6, 64); // 5 classes + the null class
        assertThat(StateDict.of(cls).keySet()).noneMatch(k -> k.contains("attn2"));
        // the initialisation is DiT's, written out
        assertThat(maxAbs(StateDict.of(cls).get("layers.0.adaln_linear.weight")))
                .isZero();
        assertThat(maxAbs(StateDict.of(cls).get("final_layer.linear.weight"))).isZero();
        assertThat(maxAbs(StateDict.of(cls).get("layers.0.attn1.qkv.bias"))).isZero();
        double bound = Math.sqrt(6.0 / (64 + 192));
        assertThat(maxAbs(StateDict.of(cls).get("layers.0.attn1.qkv.weight"))).isBetween(0.9 * bound, bound);
        double std = StateDict.of(cls).get("t_embedder.mlp.0.weight").std().item_double();
        assertThat(std).isBetween(0.018, 0.022);
        // seeded: the same generator seed gives the same weights
        VecSetDiT again = new VecSetDiT(VecSetDiTConfig.tiny().withClasses(5), Rng.cpu(0));
        assertThat(maxAbs(StateDict.of(again)
                        .get("layers.1.ff.fc1.weight")
                        .sub(StateDict.of(cls).get("layers.1.ff.fc1.weight"))))
                .isZero();
    }

    @Test
    void gradientsReachEveryParameterOnceTheZeroLayersHaveMoved() {
        // adaLN-Zero: at step 1 only the output layer has a gradient; one step later the gates and the final
        // modulation do; one more and every parameter does.
        VecSetDiT dit = new VecSetDiT(VecSetDiTConfig.tiny().withContext(16), Rng.cpu(0));
        AdamW opt = new AdamW(dit.parameters(), Optimizers.adamWOptions(1e-2, 0.9, 0.999, 1e-8, 0));
        Generator g = Rng.cpu(2);
        Tensor x1 = Rng.randn(g, 2, 64, 8);
        Tensor ctx = Rng.randn(g, 2, 5, 16);
        RectifiedFlow flow = new RectifiedFlow(0, 1, 0);
        for (int step = 0; step < 3; step++) {
            try (StepScope s = new StepScope()) {
                opt.zero_grad();
                flow.loss(dit, x1, ctx, null, g).loss().backward();
                opt.step();
            }
        }
        try (StepScope s = new StepScope()) {
            opt.zero_grad();
            flow.loss(dit, x1, ctx, null, g).loss().backward();
            var named = dit.named_parameters(true);
            for (long i = 0; i < named.size(); i++) {
                Tensor grad = named.get(i).value().grad();
                assertThat(grad.defined()).as(named.get(i).key().getString()).isTrue();
                assertThat(grad.abs().sum().item_double())
                        .as(named.get(i).key().getString())
                        .isGreaterThan(0);
            }
        }
    }

    @Test
    void permutingTheTokensPermutesTheVelocity() {
        VecSetDiT dit = new VecSetDiT(VecSetDiTConfig.tiny().withClasses(2), Rng.cpu(0));
        randomise(dit, 3);
        try (StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            Generator g = Rng.cpu(4);
            Tensor x = Rng.randn(g, 2, 64, 8), t = Rng.rand(g, 2);
            Tensor perm = Rng.randperm(g, 64);
            Tensor v = dit.forward(x, t, labels(0, 2));
            Tensor vp = dit.forward(x.index_select(1, perm), t, labels(0, 2));
            assertThat(maxAbs(v)).isGreaterThan(1e-3);
            assertThat(maxAbs(vp.sub(v.index_select(1, perm)))).isLessThan(1e-5);
            // the label matters, and the null class is a class of its own
            Tensor other = dit.forward(x, t, labels(1, 1));
            assertThat(maxAbs(other.select(0, 0).sub(v.select(0, 0)))).isGreaterThan(1e-4);
            assertThat(maxAbs(other.select(0, 1).sub(v.select(0, 1)))).isGreaterThan(1e-4);
        }
    }

    /** Gives every zero-initialised tensor small random values, so the model computes a non-trivial function. */
    static void randomise(VecSetDiT dit, long seed) {
        Generator g = Rng.cpu(seed);
        for (var e : StateDict.of(dit).entrySet()) {
            if (e.getValue().abs().max().item_double() == 0) {
                dev.tessera.model.nn.Init.normal(e.getValue(), 0, 0.05, g);
            }
        }
    }

    @Test
    void precomputedContextKeysAndValuesGiveTheSameVelocitiesAndSamples() {
        VecSetDiT dit = new VecSetDiT(VecSetDiTConfig.tiny().withContext(16), Rng.cpu(0));
        randomise(dit, 6);
        dit.eval();
        try (StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            Generator g = Rng.cpu(7);
            Tensor x = Rng.randn(g, 2, 64, 8), t = Rng.rand(g, 2), ctx = Rng.randn(g, 2, 5, 16);
            Tensor other = Rng.randn(g, 2, 5, 16);
            dev.tessera.model.flow.VelocityModel cached = dit.forConditions(ctx, null);
            assertThat(cached).isNotSameAs(dit);
            Tensor plain = dit.forward(x, t, ctx);
            assertThat(maxAbs(plain)).isGreaterThan(1e-3);
            assertThat(maxAbs(cached.velocity(x, t, ctx).sub(plain))).isLessThan(1e-6);
            // a context it was not prepared for is computed as usual
            assertThat(maxAbs(cached.velocity(x, t, other).sub(dit.forward(x, t, other))))
                    .isLessThan(1e-6);
            // a guided sampling run (which prepares [cond; uncond] once) equals one step-by-step without the cache
            Tensor noise = Rng.randn(g, 2, 64, 8);
            double[] times = dev.tessera.model.flow.Timesteps.uniform(4, 1);
            var guidance = dev.tessera.model.flow.Guidance.of(3.0);
            Tensor fast = new dev.tessera.model.flow.EulerSampler()
                    .sample(dit, noise, times, ctx, ctx.mul(new org.bytedeco.pytorch.Scalar(0)), guidance);
            Tensor slow = noise.clone();
            for (int i = 0; i < 4; i++) {
                Tensor v = guidance.velocity(
                        (z, tt, c) -> dit.forward(z, tt, c),
                        slow,
                        times[i],
                        ctx,
                        ctx.mul(new org.bytedeco.pytorch.Scalar(0)));
                slow = slow.add(v.mul(new org.bytedeco.pytorch.Scalar(times[i + 1] - times[i])));
            }
            assertThat(maxAbs(fast.sub(slow))).isLessThan(1e-5);
        }
    }

    @Test
    void presetsAndConfigsRoundTrip() throws Exception {
        VecSetDiTConfig b = VecSetDiTConfig.bench();
        assertThat(b.latentTokens()).isEqualTo(256);
        assertThat(b.latentChannels()).isEqualTo(32);
        assertThat(b.hiddenSize()).isEqualTo(384);
        assertThat(b.depth()).isEqualTo(4);
        assertThat(b.numHeads()).isEqualTo(6);
        assertThat(b.contextDim()).isEqualTo(384);
        String json = Checkpoint.JSON.writeValueAsString(b.withClasses(4));
        assertThat(json).contains("\"condition\" : \"class\"", "\"qk_norm\" : \"layer_norm\"", "\"num_classes\" : 4");
        assertThat(Checkpoint.JSON.readValue(json, VecSetDiTConfig.class)).isEqualTo(b.withClasses(4));
    }

    @Test
    void wrongInputsAreRefusedWithTheExpectedShape() {
        VecSetDiT cls = new VecSetDiT(VecSetDiTConfig.tiny().withClasses(2), Rng.cpu(0));
        VecSetDiT none = new VecSetDiT(VecSetDiTConfig.tiny(), Rng.cpu(0));
        try (StepScope s = new StepScope()) {
            Generator g = Rng.cpu(5);
            Tensor x = Rng.randn(g, 2, 10, 8), t = Rng.rand(g, 2);
            assertThatThrownBy(() -> cls.forward(x, t, null)).hasMessageContaining("class-conditioned");
            assertThatThrownBy(() -> none.forward(x, t, labels(0, 1))).hasMessageContaining("unconditional");
            assertThatThrownBy(() -> none.forward(Rng.randn(g, 2, 10, 4), t, null))
                    .hasMessageContaining("[B, N, 8]");
            assertThatThrownBy(() -> none.forward(x, Rng.rand(g, 3), null)).hasMessageContaining("[B] = [2]");
        }
        assertThatThrownBy(() -> new VecSetDiTConfig(8, 8, 60, 1, 7, 4, null, null, 0, 0, false, 0))
                .hasMessageContaining("divisible");
        assertThatThrownBy(() -> VecSetDiTConfig.tiny().withClasses(0)).hasMessageContaining("num_classes");
    }
}
