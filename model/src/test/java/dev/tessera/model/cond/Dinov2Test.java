package dev.tessera.model.cond;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.model.Rng;
import dev.tessera.model.StateDict;
import dev.tessera.model.StateDictMismatchException;
import dev.tessera.model.StepScope;
import dev.tessera.model.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Dinov2Test {
    @TempDir
    Path tmp;

    /** A 4 × 4 grid, the same formula as the Python that produced the expected values. */
    static Tensor grid() {
        float[] v = new float[16];
        for (int i = 0; i < 16; i++) {
            v[i] = (float) Math.sin(0.7 * i + 0.3 * (i % 4) * (i % 4));
        }
        return Tensors.fromFloats(v, 1, 1, 4, 4);
    }

    // F.interpolate in PyTorch 1.13 (Debian's python3-torch), mode="bicubic", on grid():
    // HUB: scale_factor=((g+0.1)/4,)*2; HUB_REG: size=(g,g), antialias=True; HUGGING_FACE: size=(g,g)
    static final Map<String, float[]> TORCH = Map.of(
            "HUB3",
                    new float[] {
                        0.1319396f,
                        0.6621998f,
                        -0.4752111f,
                        -0.1894935f,
                        -0.2493661f,
                        0.2261644f,
                        0.411092f,
                        -0.1918118f,
                        -0.0140819f
                    },
            "HUB_REG3",
                    new float[] {
                        0.2289841f,
                        0.2923909f,
                        -0.3016f,
                        -0.2063448f,
                        -0.041602f,
                        0.1106466f,
                        0.3946632f,
                        -0.1666552f,
                        -0.0328131f
                    },
            "HUGGING_FACE3",
                    new float[] {
                        0.1495618f,
                        0.6028596f,
                        -0.5473742f,
                        -0.2635606f,
                        -0.0552552f,
                        0.1315461f,
                        0.5601318f,
                        -0.4540731f,
                        0.1931579f
                    },
            "HUB_REG5",
                    new float[] {
                        -0.0542525f,
                        0.6702077f,
                        0.8985021f,
                        0.0837485f,
                        -1.1526467f,
                        0.3348998f,
                        -0.0883207f,
                        -0.5051259f,
                        -0.2495425f,
                        0.5912796f,
                        -0.2199393f,
                        -0.2470114f,
                        -0.048047f,
                        0.1437357f,
                        0.1031623f,
                        -0.3081898f,
                        0.1183184f,
                        0.5109609f,
                        0.2320869f,
                        -0.6038077f,
                        0.9581158f,
                        0.344911f,
                        -0.7010482f,
                        -0.674445f,
                        0.7286908f
                    },
            "HUGGING_FACE5",
                    new float[] {
                        -0.0780698f,
                        0.7017236f,
                        1.011077f,
                        0.0798398f,
                        -1.2193198f,
                        0.3879226f,
                        -0.0926724f,
                        -0.6311312f,
                        -0.2942437f,
                        0.6920466f,
                        -0.2558221f,
                        -0.3031653f,
                        -0.0552555f,
                        0.1830458f,
                        0.1196006f,
                        -0.3631266f,
                        0.1220569f,
                        0.6364866f,
                        0.2765017f,
                        -0.703639f,
                        1.0018193f,
                        0.3929777f,
                        -0.8115549f,
                        -0.7408012f,
                        0.7874532f
                    });

    @Test
    void theThreeInterpolationRulesMatchPyTorch() {
        try (StepScope s = new StepScope()) {
            for (Map.Entry<String, float[]> e : TORCH.entrySet()) {
                String key = e.getKey();
                int g = key.charAt(key.length() - 1) - '0';
                PositionInterpolation rule = PositionInterpolation.valueOf(key.substring(0, key.length() - 1));
                float[] got = Tensors.toFloats(Dinov2Embeddings.interpolate(grid(), g, g, 4, rule));
                assertThat(got).as(key).containsExactly(e.getValue(), within(2e-6f));
            }
        }
    }

    @Test
    void theRuleMattersForTheInterpolatedConformanceCase() throws IOException {
        Path dir = Dinov2ConformanceTest.folder("dinov2-vit");
        for (PositionInterpolation rule : PositionInterpolation.values()) {
            Dinov2Model model = new Dinov2Model(Dinov2Config.tiny().withInterpolation(rule), Rng.cpu(0));
            try (SafetensorsReader w = SafetensorsReader.open(dir.resolve("weights.safetensors"));
                    SafetensorsReader io = SafetensorsReader.open(dir.resolve("io.safetensors"));
                    StepScope s = new StepScope();
                    NoGradGuard ng = new NoGradGuard()) {
                Dinov2HubLayout.load(model, w);
                Tensor t = model.forward(Tensors.read(io, "pixels.70")).tokens();
                double err = Dinov2ConformanceTest.maxAbsDiff(t, Tensors.read(io, "tokens.70"));
                if (rule == PositionInterpolation.HUB) {
                    assertThat(err).isLessThan(1e-4);
                } else {
                    assertThat(err).as(rule.name()).isGreaterThan(1e-3);
                }
            }
        }
    }

    @Test
    void hubKeysMapToHuggingFaceKeys() {
        assertThat(Dinov2HubLayout.huggingFaceKeys("pos_embed")).containsExactly("embeddings.position_embeddings");
        assertThat(Dinov2HubLayout.huggingFaceKeys("patch_embed.proj.weight"))
                .containsExactly("embeddings.patch_embeddings.projection.weight");
        assertThat(Dinov2HubLayout.huggingFaceKeys("blocks.3.attn.qkv.bias"))
                .containsExactly(
                        "encoder.layer.3.attention.attention.query.bias",
                        "encoder.layer.3.attention.attention.key.bias",
                        "encoder.layer.3.attention.attention.value.bias");
        assertThat(Dinov2HubLayout.huggingFaceKeys("blocks.1.7.ls2.gamma")) // block_chunks > 0
                .containsExactly("encoder.layer.7.layer_scale2.lambda1");
        assertThat(Dinov2HubLayout.huggingFaceKeys("blocks.0.mlp.w12.weight"))
                .containsExactly("encoder.layer.0.mlp.weights_in.weight");
        assertThat(Dinov2HubLayout.huggingFaceKeys("head.weight")).containsExactly("head.weight");
    }

    /** The torch.hub name of a Hugging Face key (the inverse map, for building hub-layout test checkpoints). */
    static String hubKey(String hf) {
        return hf.replace("embeddings.position_embeddings", "pos_embed")
                .replace("embeddings.patch_embeddings.projection", "patch_embed.proj")
                .replace("embeddings.", "")
                .replace("encoder.layer.", "blocks.")
                .replace("attention.output.dense", "attn.proj")
                .replace("layer_scale1.lambda1", "ls1.gamma")
                .replace("layer_scale2.lambda1", "ls2.gamma")
                .replace("mlp.weights_in", "mlp.w12")
                .replace("mlp.weights_out", "mlp.w3")
                .replaceFirst("^layernorm\\.", "norm.");
    }

    @Test
    void aSwiGluHubCheckpointLoadsIntoTheHuggingFaceModel() {
        Dinov2Config c =
                new Dinov2Config(48, 2, 4, 4.0, 14, 28, 3, 1e-6, 0.7, true, true, 2, PositionInterpolation.HUB_REG);
        assertThat(c.ffnHidden()).isEqualTo(128); // (int(192·2/3) + 7) // 8 · 8
        Dinov2Model a = new Dinov2Model(c, Rng.cpu(1));
        try (StepScope s = new StepScope()) {
            Map<String, Tensor> hf = StateDict.of(a);
            assertThat(hf).containsKeys("encoder.layer.1.mlp.weights_in.weight", "embeddings.register_tokens");
            Generator g = Rng.cpu(2);
            for (Tensor t : hf.values()) { // make every tensor distinct, registers and mask included
                try (NoGradGuard ng = new NoGradGuard()) {
                    t.copy_(Rng.randn(g, Tensors.shape(t))
                            .mul(new org.bytedeco.pytorch.Scalar(0.1))
                            .add(t));
                }
            }
            Map<String, Tensor> hub = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : hf.entrySet()) {
                String k = e.getKey();
                if (k.contains("attention.attention.query.")) {
                    String kind = k.substring(k.lastIndexOf('.') + 1);
                    String base = k.substring(0, k.indexOf("attention.attention."));
                    Tensor fused = torch.cat(
                            new TensorVector(
                                    e.getValue(),
                                    hf.get(base + "attention.attention.key." + kind),
                                    hf.get(base + "attention.attention.value." + kind)),
                            0);
                    hub.put(hubKey(base) + "attn.qkv." + kind, fused);
                } else if (!k.contains("attention.attention.")) {
                    hub.put(hubKey(k), e.getValue());
                }
            }
            assertThat(hub).containsKeys("cls_token", "register_tokens", "blocks.0.mlp.w3.bias", "norm.weight");
            Dinov2Model b = new Dinov2Model(c, Rng.cpu(3));
            StateDict.load(b, Dinov2HubLayout.toHuggingFace(hub), "hub");
            Tensor x = Rng.randn(g, 2, 3, 42, 28); // 3 × 2 patches: non-square, interpolated
            assertThat(Dinov2ConformanceTest.maxAbsDiff(
                            a.forward(x).tokens(), b.forward(x).tokens()))
                    .isLessThan(1e-6);
            assertThat(Tensors.shape(a.forward(x).prenorm())).containsExactly(2, 1 + 2 + 6, 48);
        }
    }

    @Test
    void aCheckpointOfAnotherSizeIsRefusedWithTheFullReport() throws IOException {
        Path dir = Dinov2ConformanceTest.folder("dinov2-vit");
        Dinov2Model withRegisters = new Dinov2Model(Dinov2Config.tinyReg(), Rng.cpu(0));
        try (SafetensorsReader w = SafetensorsReader.open(dir.resolve("weights-original.safetensors"))) {
            assertThatThrownBy(() -> Dinov2HubLayout.load(withRegisters, w))
                    .isInstanceOf(StateDictMismatchException.class)
                    .hasMessageContaining("torch.hub layout")
                    .hasMessageContaining("embeddings.register_tokens");
        }
    }

    @Test
    void readsAHuggingFaceConfig() throws IOException {
        Path f = tmp.resolve("config.json");
        Files.writeString(f, """
                {"architectures": ["Dinov2Model"], "hidden_act": "gelu", "hidden_size": 1536, "image_size": 518,
                 "layer_norm_eps": 1e-06, "layerscale_value": 1.0, "mlp_ratio": 4, "model_type": "dinov2",
                 "num_attention_heads": 24, "num_channels": 3, "num_hidden_layers": 40, "patch_size": 14,
                 "qkv_bias": true, "torch_dtype": "float32", "use_swiglu_ffn": true}
                """);
        assertThat(Dinov2Config.readHuggingFace(f)).isEqualTo(Dinov2Config.dinov2Giant());
        assertThat(Dinov2Config.dinov2Giant().ffnHidden()).isEqualTo(4096);
    }

    @Test
    void badInputsFailClearly() {
        Dinov2Model m = new Dinov2Model(Dinov2Config.tiny(), Rng.cpu(0));
        try (StepScope s = new StepScope()) {
            assertThatThrownBy(() -> m.forward(torch.zeros(1, 3, 50, 56))).hasMessageContaining("multiples of 14");
        }
        assertThatThrownBy(() -> new Dinov2Model(
                        new Dinov2Config(60, 1, 7, 4, 14, 56, 3, 1e-6, 1, true, false, 0, null), Rng.cpu(0)))
                .hasMessageContaining("divisible");
    }

    @Test
    void trellisConditionIsAnUnscaledLayerNormOverChannels() {
        try (StepScope s = new StepScope()) {
            Tensor x = Rng.randn(Rng.cpu(5), 2, 7, 16)
                    .mul(new org.bytedeco.pytorch.Scalar(3))
                    .add(new org.bytedeco.pytorch.Scalar(1));
            Tensor y = Dinov2Model.trellisCondition(x);
            float[] v = Tensors.toFloats(y.narrow(1, 3, 1));
            double mean = 0, sq = 0;
            for (int i = 0; i < 16; i++) {
                mean += v[i] / 16.0;
            }
            for (int i = 0; i < 16; i++) {
                sq += (v[i] - mean) * (v[i] - mean) / 16.0;
            }
            assertThat(mean).isCloseTo(0, within(1e-5));
            assertThat(sq).isCloseTo(1, within(1e-3));
            assertThat(List.of(Tensors.shape(y))).isNotNull();
        }
    }

    @Test
    void infersTheConfigFromEitherLayout() throws IOException {
        for (String name : List.of("dinov2-vit", "dinov2-vit-reg")) {
            Path dir = Dinov2ConformanceTest.folder(name);
            for (String file : List.of("weights.safetensors", "weights-original.safetensors")) {
                try (SafetensorsReader r = SafetensorsReader.open(dir.resolve(file))) {
                    Dinov2Config c = Dinov2Config.infer(r);
                    Dinov2Config want = name.endsWith("reg") ? Dinov2Config.tinyReg() : Dinov2Config.tiny();
                    PositionInterpolation rule =
                            file.contains("original") ? want.interpolation() : PositionInterpolation.HUGGING_FACE;
                    // heads are not in the tensors: infer assumes DINOv2's 64-wide heads (one head at width 64)
                    assertThat(c)
                            .isEqualTo(new Dinov2Config(
                                    64, 2, 1, 4.0, 14, 56, 3, 1e-6, 1.0, true, false, want.numRegisterTokens(), rule));
                }
            }
        }
    }

    @Test
    void loadsAHuggingFaceModelDirectory() throws IOException {
        Path dir = Dinov2ConformanceTest.folder("dinov2-vit");
        Path model = tmp.resolve("dinov2-tiny");
        Files.createDirectories(model);
        Files.copy(dir.resolve("weights.safetensors"), model.resolve("model.safetensors"));
        Files.writeString(model.resolve("config.json"), """
                {"architectures": ["Dinov2Model"], "hidden_size": 64, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "mlp_ratio": 4, "patch_size": 14, "image_size": 56, "num_channels": 3,
                 "layer_norm_eps": 1e-06, "layerscale_value": 1.0, "qkv_bias": true, "use_swiglu_ffn": false}
                """);
        Dinov2Model m = Dinov2Model.load(model);
        assertThat(m.config().interpolation()).isEqualTo(PositionInterpolation.HUGGING_FACE);
        try (SafetensorsReader io = SafetensorsReader.open(dir.resolve("io.safetensors"));
                StepScope s = new StepScope();
                NoGradGuard ng = new NoGradGuard()) {
            Tensor t = m.forward(Tensors.read(io, "pixels")).tokens();
            assertThat(Dinov2ConformanceTest.maxAbsDiff(t, Tensors.read(io, "tokens")))
                    .isLessThan(1e-4);
        }
        assertThatThrownBy(() -> Dinov2Model.load(tmp.resolve("nothing-here")))
                .hasMessageContaining("no DINOv2 weights");
    }
}
