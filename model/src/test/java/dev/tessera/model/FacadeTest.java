package dev.tessera.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.data.safetensors.DType;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.safetensors.SafetensorsWriter;
import dev.tessera.model.nn.Layers;
import dev.tessera.model.nn.Mlp;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FacadeTest {
    @TempDir
    Path dir;

    /** A small module with nested names: enc.fc1, enc.fc2, head (+ a buffer). */
    static final class Tiny extends Module {
        final Mlp enc;
        final org.bytedeco.pytorch.LinearImpl head;

        Tiny(long width, Generator g) {
            super("Tiny");
            enc = register_module("enc", Mlp.timm(4, width, 4, dev.tessera.model.nn.Activation.GELU, g));
            head = register_module("head", Layers.linear(4, 2, true, g));
            register_buffer("scale", torch.ones(2));
        }
    }

    @Test
    void stateDictKeysReadLikePython() {
        assertThat(StateDict.of(new Tiny(8, Rng.cpu(1))).keySet())
                .containsExactly(
                        "enc.fc1.weight",
                        "enc.fc1.bias",
                        "enc.fc2.weight",
                        "enc.fc2.bias",
                        "head.weight",
                        "head.bias",
                        "scale");
    }

    @Test
    void checkpointRoundTripIsExact() throws IOException {
        Tiny a = new Tiny(8, Rng.cpu(1));
        Checkpoint.save(dir.resolve("run"), Map.of("width", 8), a);
        Tiny b = new Tiny(8, Rng.cpu(2));
        LoadReport report = Checkpoint.load(dir.resolve("run"), b);
        assertThat(report.isClean()).isTrue();
        assertThat(report.loaded()).isEqualTo(7);
        for (var e : StateDict.of(a).entrySet()) {
            assertThat(Tensors.toFloats(StateDict.of(b).get(e.getKey())))
                    .containsExactly(Tensors.toFloats(e.getValue()));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> config = Checkpoint.config(dir.resolve("run"), Map.class);
        assertThat(config).containsEntry("width", 8);
    }

    @Test
    void strictLoadReportsEveryMismatchAtOnceAndLoadsNothing() throws IOException {
        Tiny model = new Tiny(8, Rng.cpu(1));
        float[] before = Tensors.toFloats(model.head.weight());
        Path f = dir.resolve("bad.safetensors");
        new SafetensorsWriter()
                .addFloats("enc.fc1.weight", new float[8 * 4], 8, 4)
                .addFloats("enc.fc1.bias", new float[8], 8)
                // enc.fc2.weight missing
                .addFloats("enc.fc2.bias", new float[5], 5) // shape mismatch
                .addFloats("head.weight", DType.F16, new float[8], 2, 4) // dtype mismatch
                .addFloats("head.bias", new float[2], 2)
                .addFloats("scale", new float[2], 2)
                .addFloats("decoder.extra", new float[3], 3) // unexpected
                .write(f);
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            assertThatThrownBy(() -> StateDict.load(model, r))
                    .isInstanceOf(StateDictMismatchException.class)
                    .hasMessageContaining("nothing was loaded")
                    .hasMessageContaining("1 missing keys")
                    .hasMessageContaining("enc.fc2.weight [4, 8]")
                    .hasMessageContaining("1 unexpected keys")
                    .hasMessageContaining("decoder.extra [3]")
                    .hasMessageContaining("enc.fc2.bias: model [4], checkpoint [5]")
                    .hasMessageContaining("head.weight: model F32, checkpoint F16");
            assertThat(Tensors.toFloats(model.head.weight())).containsExactly(before);
            LoadReport report = StateDict.loadNonStrict(model, r);
            assertThat(report.loaded()).isEqualTo(4);
            assertThat(report.missing()).hasSize(1);
            assertThat(Tensors.toFloats(model.head.bias())).containsOnly(0f);
            assertThat(Tensors.toFloats(model.head.weight())).containsExactly(before);
        }
    }

    @Test
    void safetensorsViewIsZeroCopy() throws IOException {
        Path f = dir.resolve("v.safetensors");
        new SafetensorsWriter()
                .addFloats("x", new float[] {1, 2, 3, 4, 5, 6}, 2, 3)
                .write(f);
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            Tensor v = Tensors.view(r, "x");
            long mapped = new org.bytedeco.javacpp.BytePointer(r.buffer("x")).address();
            assertThat(v.data_ptr().address()).isEqualTo(mapped);
            assertThat(Tensors.shape(v)).containsExactly(2, 3);
            assertThat(Tensors.toFloats(v.sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional())))
                    .containsExactly(6f, 15f);
            Tensor owned = Tensors.read(r, "x");
            assertThat(owned.data_ptr().address()).isNotEqualTo(mapped);
            assertThat(Tensors.toFloats(owned)).containsExactly(1, 2, 3, 4, 5, 6);
        }
    }

    @Test
    void everyDtypeGoesThroughTensors() throws IOException {
        Path f = dir.resolve("d.safetensors");
        SafetensorsWriter w = new SafetensorsWriter();
        for (DType d : new DType[] {
            DType.F64, DType.F32, DType.F16, DType.BF16, DType.I64, DType.I32, DType.I16, DType.I8, DType.U8, DType.BOOL
        }) {
            w.addBytes(d.name(), d, new byte[3 * d.byteSize()], 3);
        }
        w.write(f);
        Path g = dir.resolve("d2.safetensors");
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            SafetensorsWriter back = new SafetensorsWriter();
            for (String n : r.names()) {
                Tensor t = Tensors.read(r, n);
                assertThat(Tensors.dtype(t.scalar_type())).isEqualTo(DType.valueOf(n));
                Tensors.add(back, n, t);
            }
            back.write(g);
        }
        try (SafetensorsReader a = SafetensorsReader.open(f);
                SafetensorsReader b = SafetensorsReader.open(g)) {
            for (String n : a.names()) {
                assertThat(b.bytes(n)).isEqualTo(a.bytes(n));
                assertThat(b.info(n).dtype()).isEqualTo(a.info(n).dtype());
            }
        }
    }

    @Test
    void generatorsAreDeterministicAndRestorable() {
        Generator a = Rng.cpu(42);
        Generator b = Rng.cpu(42);
        assertThat(Tensors.toFloats(Rng.randn(a, 16))).containsExactly(Tensors.toFloats(Rng.randn(b, 16)));
        byte[] state = Rng.state(a);
        float[] next = Tensors.toFloats(Rng.randn(a, 8));
        Rng.restore(a, state);
        assertThat(Tensors.toFloats(Rng.randn(a, 8))).containsExactly(next);
    }

    @Test
    void stepScopeKeepsNativeMemoryFlat() {
        Tiny model = new Tiny(64, Rng.cpu(1));
        Generator g = Rng.cpu(3);
        for (int i = 0; i < 20; i++) { // warm up allocator
            try (StepScope s = new StepScope()) {
                model.enc.forward(Rng.randn(g, 256, 4)).sum().backward();
            }
        }
        long before = Pointer.totalCount();
        for (int i = 0; i < 200; i++) {
            try (StepScope s = new StepScope()) {
                model.enc.forward(Rng.randn(g, 256, 4)).sum().backward();
            }
        }
        assertThat(Pointer.totalCount() - before).isLessThan(50);
    }

    @Test
    void keptTensorsSurviveTheirScope() {
        Tensor kept;
        try (StepScope s = new StepScope()) {
            kept = StepScope.keep(torch.ones(3));
        }
        assertThat(Tensors.toFloats(kept)).containsExactly(1f, 1f, 1f);
        StepScope.release(kept);
    }

    @Test
    void autocastGuardRestoresThePreviousState() {
        assertThat(Autocast.isEnabled(DeviceType.CPU)).isFalse();
        var lin = Layers.linear(4, 4, true, Rng.cpu(1));
        try (Autocast ac = Autocast.enable(DeviceType.CPU, ScalarType.BFloat16)) {
            assertThat(Autocast.isEnabled(DeviceType.CPU)).isTrue();
            assertThat(lin.forward(torch.ones(2, 4)).scalar_type().intern()).isEqualTo(ScalarType.BFloat16);
            try (Autocast off = Autocast.disable(DeviceType.CPU)) {
                assertThat(lin.forward(torch.ones(2, 4)).scalar_type().intern()).isEqualTo(ScalarType.Float);
            }
            assertThat(Autocast.isEnabled(DeviceType.CPU)).isTrue();
        }
        assertThat(Autocast.isEnabled(DeviceType.CPU)).isFalse();
        assertThat(lin.forward(torch.ones(2, 4)).scalar_type().intern()).isEqualTo(ScalarType.Float);
    }

    @Test
    void adamBetasAreWrittenInTheTuplesMemoryOrder() {
        var defaults = new org.bytedeco.pytorch.AdamWOptions(1e-3); // C++ defaults: beta1 0.9, beta2 0.999
        var ours = Optimizers.adamWOptions(1e-3, 0.9, 0.999, 1e-8, 0);
        assertThat(ours.betas().get(0)).isEqualTo(defaults.betas().get(0));
        assertThat(ours.betas().get(1)).isEqualTo(defaults.betas().get(1));
    }

    @Test
    void deviceNames() {
        assertThat(Devices.name(Devices.parse("cpu"))).isEqualTo("cpu");
        assertThat(Devices.name(Devices.parse("auto"))).isEqualTo(Devices.cudaDevices() > 0 ? "cuda:0" : "cpu");
        assertThatThrownBy(() -> Devices.parse("tpu")).hasMessageContaining("use cpu, cuda, cuda:N or auto");
        assertThatThrownBy(() -> Devices.parse("cuda:x")).hasMessageContaining("expected cuda:N");
        if (Devices.cudaDevices() == 0) {
            assertThatThrownBy(() -> Devices.parse("cuda:0")).hasMessageContaining("cuda");
        }
    }
}
