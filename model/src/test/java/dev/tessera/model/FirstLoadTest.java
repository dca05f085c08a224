package dev.tessera.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * libtorch loads in a fresh JVM with an empty native cache. On machines with a system libtorch (Debian's
 * {@code libtorch-dev}) this crashed before {@link Torch#load()} extracted all natives first.
 */
class FirstLoadTest {
    /** Entry point of the child JVM. */
    public static void main(String[] args) {
        Torch.load();
        var t = org.bytedeco.pytorch.global.torch.ones(3).sum();
        System.out.println("sum=" + t.item_float());
    }

    @Test
    void loadsWithAnEmptyNativeCache() throws Exception {
        // Under target/, not @TempDir: the cache holds symlinks to system CUDA libraries that JUnit warns about.
        Path cache = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "javacpp-cache-");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-Dorg.bytedeco.javacpp.cachedir=" + cache,
                "-cp",
                System.getProperty("java.class.path"),
                FirstLoadTest.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
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
}
