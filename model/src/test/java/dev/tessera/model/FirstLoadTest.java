package dev.tessera.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * libtorch in a fresh JVM: it loads with an empty native cache (on machines with a system libtorch, Debian's {@code
 * libtorch-dev}, this crashed before {@link Torch#load()} extracted all natives first), and the environment the
 * launcher exports reaches it — or {@link Torch#load()} says what is missing.
 */
class FirstLoadTest {
    /** Entry point of the child JVM. */
    public static void main(String[] args) {
        Torch.load();
        var t = org.bytedeco.pytorch.global.torch.ones(3).sum();
        System.out.println("sum=" + t.item_float());
        System.out.println("core=" + Torch.openblasCore());
    }

    @Test
    void loadsWithAnEmptyNativeCache() throws Exception {
        // Under target/, not @TempDir: the cache holds symlinks to system CUDA libraries that JUnit warns about.
        Path cache = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "javacpp-cache-");
        String out = child(Map.of(), "-Dorg.bytedeco.javacpp.cachedir=" + cache);
        assertThat(out).contains("sum=3.0");
        try (var s = Files.walk(cache)) {
            assertThat(s.anyMatch(f -> f.getFileName().toString().equals("libtorch_cpu.so")
                            || f.getFileName().toString().startsWith("libtorch_cpu")))
                    .isTrue();
        }
        try (var s = Files.walk(cache)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    @Test
    void openblasCoretypeChoosesTheKernelsLibtorchRuns() throws Exception {
        String avx512 = Torch.avx512CoreType();
        Assumptions.assumeTrue(avx512 != null, "the CPU has no AVX-512");
        // the kernels OpenBLAS reports are the ones the variable names, in the library libtorch calls
        assertThat(child(Map.of("OPENBLAS_CORETYPE", "HASWELL"))).contains("core=Haswell");
        String out = child(Map.of("OPENBLAS_CORETYPE", avx512));
        assertThat(out.toLowerCase(Locale.ROOT)).contains("core=" + avx512.toLowerCase(Locale.ROOT));
        assertThat(out).doesNotContain("OPENBLAS_CORETYPE=");
    }

    @Test
    void aJvmWithoutTheLaunchersEnvironmentIsToldWhatToExport() throws Exception {
        Map<String, String> bare = new HashMap<>();
        bare.put("GLIBC_TUNABLES", null);
        bare.put("OPENBLAS_CORETYPE", null);
        String out = child(bare);
        assertThat(out).contains("sum=3.0").contains("export GLIBC_TUNABLES=" + Torch.GLIBC_TUNABLES);
        String core = out.substring(out.indexOf("core=") + 5).strip();
        boolean weak = !Torch.avx512Kernels(core);
        if (Torch.avx512CoreType() != null && weak) {
            assertThat(out).contains("export OPENBLAS_CORETYPE=" + Torch.avx512CoreType());
        } else {
            assertThat(out).doesNotContain("OPENBLAS_CORETYPE=");
        }
        String tuned = child(Map.of("GLIBC_TUNABLES", Torch.GLIBC_TUNABLES));
        assertThat(tuned).doesNotContain("GLIBC_TUNABLES");
    }

    /**
     * Runs {@link #main} in a new JVM with this test's class path and {@code OMP_WAIT_POLICY=PASSIVE}, the given
     * environment changes (a {@code null} value removes the variable) and JVM options; returns its output.
     */
    private static String child(Map<String, String> env, String... jvmOptions) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), FirstLoadTest.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
