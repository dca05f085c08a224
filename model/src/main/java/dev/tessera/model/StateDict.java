package dev.tessera.model;

import dev.tessera.data.safetensors.DType;
import dev.tessera.data.safetensors.SafetensorsReader;
import dev.tessera.data.safetensors.SafetensorsWriter;
import dev.tessera.data.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;

/**
 * A module's named tensors — its registered parameters and buffers, keyed as PyTorch keys them
 * ({@code blocks.0.attn.qkv.weight}) — and their exchange with safetensors files.
 *
 * <p>Loading is strict by default: every missing key, unexpected key, shape mismatch and dtype mismatch is listed in
 * one {@link StateDictMismatchException}, and nothing is copied unless everything matches. {@link
 * #loadNonStrict(Module, SafetensorsReader)} copies what matches and returns the same report.
 *
 * <p>Tensors that must not be saved (PyTorch's {@code persistent=False} buffers, such as Fourier frequencies) are
 * not registered by Tessera's modules at all; they are computed on the fly or cached in plain fields.
 */
public final class StateDict {
    static {
        Torch.load();
    }

    private StateDict() {}

    /**
     * Parameters then buffers of {@code module} and its descendants, by key. Each value is its own handle on the
     * module's tensor (same storage), valid as long as it is reachable (or until the step scope it was made in closes),
     * not a reference into the transient dictionary libtorch returns: those dangle once the dictionary is collected,
     * which crashed {@code Ema.update} in native code.
     */
    public static Map<String, Tensor> of(Module module) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        put(out, module.named_parameters(true));
        put(out, module.named_buffers(true));
        return out;
    }

    private static void put(Map<String, Tensor> out, StringTensorDict dict) {
        long n = dict.size();
        for (long i = 0; i < n; i++) {
            var item = dict.get(i);
            out.put(item.key().getString(), new Tensor(item.value()));
        }
    }

    /** Compares a checkpoint with a module without loading anything. */
    public static LoadReport check(Module module, SafetensorsReader source) {
        return compare(of(module), source, 0);
    }

    /**
     * Loads every tensor of {@code source} into {@code module}, strictly.
     *
     * @throws StateDictMismatchException listing all mismatches, before anything is copied
     */
    public static LoadReport load(Module module, SafetensorsReader source) throws IOException {
        Map<String, Tensor> target = of(module);
        LoadReport report = compare(target, source, 0);
        if (!report.isClean()) {
            throw new StateDictMismatchException(source.path().toString(), report);
        }
        int n = copy(target, source);
        return compare(target, source, n);
    }

    /**
     * Loads named tensors held in memory (a checkpoint converted from another layout, for one) into {@code module},
     * strictly, with the same report as {@link #load(Module, SafetensorsReader)}; {@code sourceName} names them in
     * the error.
     *
     * @throws StateDictMismatchException listing all mismatches, before anything is copied
     */
    public static LoadReport load(Module module, Map<String, Tensor> source, String sourceName) {
        Map<String, Tensor> target = of(module);
        LoadReport report = compare(target, source);
        if (!report.isClean()) {
            throw new StateDictMismatchException(sourceName, report);
        }
        int n = 0;
        try (NoGradGuard g = new NoGradGuard()) {
            for (Map.Entry<String, Tensor> e : target.entrySet()) {
                e.getValue().copy_(source.get(e.getKey()));
                n++;
            }
        }
        return new LoadReport(List.of(), List.of(), List.of(), List.of(), n);
    }

    private static LoadReport compare(Map<String, Tensor> target, Map<String, Tensor> source) {
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> shapes = new ArrayList<>();
        List<String> dtypes = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : target.entrySet()) {
            String key = e.getKey();
            Tensor have = source.get(key);
            long[] want = Tensors.shape(e.getValue());
            if (have == null) {
                missing.add(key + " " + Arrays.toString(want));
                continue;
            }
            if (!Arrays.equals(want, Tensors.shape(have))) {
                shapes.add(key + ": model " + Arrays.toString(want) + ", checkpoint "
                        + Arrays.toString(Tensors.shape(have)));
            }
            DType a = Tensors.dtype(e.getValue().scalar_type());
            DType b = Tensors.dtype(have.scalar_type());
            if (a != b) {
                dtypes.add(key + ": model " + a + ", checkpoint " + b);
            }
        }
        for (Map.Entry<String, Tensor> e : source.entrySet()) {
            if (!target.containsKey(e.getKey())) {
                unexpected.add(e.getKey() + " " + Arrays.toString(Tensors.shape(e.getValue())));
            }
        }
        return new LoadReport(missing, unexpected, shapes, dtypes, 0);
    }

    /**
     * Loads every tensor of {@code source} into {@code module}, strict on names and shapes but converting floating-point
     * element types (F16, BF16, F32, F64) to the module's on copy: for released checkpoints stored in half precision
     * (TRELLIS's {@code *_fp16} files, Hunyuan3D-2's fp16 weights) loaded into a float32 model, as PyTorch's {@code
     * load_state_dict} does. Any other dtype mismatch is refused like a missing key.
     *
     * @throws StateDictMismatchException listing all mismatches, before anything is copied
     */
    public static LoadReport loadCasting(Module module, SafetensorsReader source) throws IOException {
        Map<String, Tensor> target = of(module);
        LoadReport report = compare(target, source, 0);
        List<String> badTypes = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : target.entrySet()) {
            String key = e.getKey();
            if (source.contains(key)
                    && !(isFloat(Tensors.dtype(e.getValue().scalar_type()))
                            && isFloat(source.info(key).dtype()))
                    && Tensors.dtype(e.getValue().scalar_type())
                            != source.info(key).dtype()) {
                badTypes.add(key);
            }
        }
        if (!report.missing().isEmpty()
                || !report.unexpected().isEmpty()
                || !report.shapeMismatches().isEmpty()
                || !badTypes.isEmpty()) {
            List<String> dtypes = report.dtypeMismatches().stream()
                    .filter(m -> badTypes.stream().anyMatch(k -> m.startsWith(k + ":")))
                    .toList();
            throw new StateDictMismatchException(
                    source.path().toString(),
                    new LoadReport(report.missing(), report.unexpected(), report.shapeMismatches(), dtypes, 0));
        }
        int n = 0;
        try (NoGradGuard g = new NoGradGuard();
                StepScope scope = new StepScope()) {
            for (Map.Entry<String, Tensor> e : target.entrySet()) {
                e.getValue().copy_(Tensors.view(source, e.getKey())); // converts the element type
                n++;
            }
        }
        return new LoadReport(List.of(), List.of(), List.of(), List.of(), n);
    }

    private static boolean isFloat(DType t) {
        return t == DType.F16 || t == DType.BF16 || t == DType.F32 || t == DType.F64;
    }

    /** Loads the tensors of {@code source} whose name, shape and dtype match, and reports the rest. */
    public static LoadReport loadNonStrict(Module module, SafetensorsReader source) throws IOException {
        Map<String, Tensor> target = of(module);
        int n = copy(target, source);
        return compare(target, source, n);
    }

    private static int copy(Map<String, Tensor> target, SafetensorsReader source) throws IOException {
        int n = 0;
        try (NoGradGuard g = new NoGradGuard();
                StepScope scope = new StepScope()) {
            for (Map.Entry<String, Tensor> e : target.entrySet()) {
                String key = e.getKey();
                if (!source.contains(key) || !matches(e.getValue(), source.info(key))) {
                    continue;
                }
                Tensor view = Tensors.view(source, key);
                e.getValue().copy_(view);
                n++;
            }
        }
        return n;
    }

    private static boolean matches(Tensor t, TensorInfo info) {
        return Arrays.equals(Tensors.shape(t), info.shape()) && Tensors.dtype(t.scalar_type()) == info.dtype();
    }

    private static LoadReport compare(Map<String, Tensor> target, SafetensorsReader source, int loaded) {
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> shapes = new ArrayList<>();
        List<String> dtypes = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : target.entrySet()) {
            String key = e.getKey();
            if (!source.contains(key)) {
                missing.add(key + " " + Arrays.toString(Tensors.shape(e.getValue())));
                continue;
            }
            TensorInfo info = source.info(key);
            long[] want = Tensors.shape(e.getValue());
            if (!Arrays.equals(want, info.shape())) {
                shapes.add(key + ": model " + Arrays.toString(want) + ", checkpoint " + info.shapeString());
            }
            DType have = Tensors.dtype(e.getValue().scalar_type());
            if (have != info.dtype()) {
                dtypes.add(key + ": model " + have + ", checkpoint " + info.dtype());
            }
        }
        for (String key : source.names()) {
            if (!target.containsKey(key)) {
                unexpected.add(key + " " + source.info(key).shapeString());
            }
        }
        return new LoadReport(missing, unexpected, shapes, dtypes, loaded);
    }

    /** Writes the module's tensors to a safetensors file (atomically), with optional metadata. */
    public static void save(Module module, Path file, Map<String, String> metadata) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt").metadata(metadata);
        try (StepScope scope = new StepScope()) {
            for (Map.Entry<String, Tensor> e : of(module).entrySet()) {
                Tensors.add(w, e.getKey(), e.getValue());
            }
            w.write(file);
        }
    }
}
