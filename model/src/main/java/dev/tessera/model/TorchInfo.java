package dev.tessera.model;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.pytorch.global.torch;

/**
 * Facts about the loaded libtorch: its version and build, the devices it can use, and its threads.
 *
 * @param version libtorch's version, from its build configuration
 * @param parallelBackend OpenMP / native, and the thread settings, as libtorch reports them
 * @param intraOpThreads threads used inside one op
 * @param interOpThreads threads used to run independent ops
 * @param cudaBuild true when these natives were built with CUDA
 * @param cudaDevices number of CUDA devices visible (0 on a CPU build)
 * @param mkldnn true when oneDNN kernels are available
 * @param blasCore the kernel family OpenBLAS chose ({@code Haswell}, {@code Cooperlake}...)
 * @param nativeDirectory where the native libraries were extracted
 * @param buildConfig libtorch's {@code show_config()} text
 */
public record TorchInfo(
        String version,
        String parallelBackend,
        int intraOpThreads,
        long interOpThreads,
        boolean cudaBuild,
        int cudaDevices,
        boolean mkldnn,
        String blasCore,
        String nativeDirectory,
        String buildConfig) {

    private static final Pattern VERSION = Pattern.compile("TORCH_VERSION=([0-9][^,\\s]*)");

    /** Loads libtorch if needed and reads its facts. */
    public static TorchInfo read() {
        Torch.load();
        String config = torch.show_config().getString();
        Matcher m = VERSION.matcher(config);
        String version = m.find() ? m.group(1) : "unknown";
        String parallel = torch.get_parallel_info().getString();
        String backend = "unknown";
        for (String line : parallel.split("\n")) {
            if (line.startsWith("ATen parallel backend:")) {
                backend = line.substring("ATen parallel backend:".length()).trim();
            }
        }
        boolean cuda = torch.hasCUDA();
        int devices = cuda && torch.cuda_is_available() ? torch.cuda_device_count() : 0;
        var dir = Torch.nativeDirectory();
        return new TorchInfo(
                version,
                backend,
                torch.get_num_threads(),
                torch.get_num_interop_threads(),
                cuda,
                devices,
                torch.hasMKLDNN(),
                Torch.openblasCore(),
                dir == null ? "unknown" : dir.toString(),
                config);
    }

    /** The devices a model can run on: {@code cpu}, then {@code cuda:0}... */
    public List<String> devices() {
        List<String> out = new ArrayList<>();
        out.add("cpu");
        for (int i = 0; i < cudaDevices; i++) {
            out.add("cuda:" + i);
        }
        return out;
    }
}
