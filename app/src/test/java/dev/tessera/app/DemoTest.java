package dev.tessera.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.data.Progress;
import dev.tessera.model.latent.LatentSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The smoke test of the whole pipeline: {@code tessera demo --quick}, then a re-run of the same directory. */
class DemoTest {
    @TempDir
    Path dir;

    @Test
    void quickDemoRunsEndToEndAndResumes() throws Exception {
        Path out = dir.resolve("demo");
        int code = Main.run("demo", "--quick", "--out", out.toString());
        assertThat(code).isEqualTo(Cli.OK);

        Demo.Settings s = Demo.Settings.quick();
        // every stage left its product
        assertThat(out.resolve("shapes/labels.csv")).exists();
        assertThat(out.resolve("dataset/manifest.jsonl")).exists();
        assertThat(out.resolve("vae/loss.png")).exists();
        assertThat(out.resolve("dit/loss.png")).exists();
        LatentSet latents = LatentSet.open(out.resolve("latents"));
        assertThat(latents.size()).isEqualTo(s.shapes());
        assertThat(latents.labels()).containsExactlyInAnyOrderElementsOf(s.classes());
        for (String c : s.classes()) {
            for (int i = 0; i < s.perClass(); i++) {
                Path glb = out.resolve("generated/" + c + String.format("/sample-%03d.glb", i));
                assertThat(glb).exists();
                assertThat(Files.size(glb)).isGreaterThan(1000);
            }
        }
        assertThat(out.resolve("sheet.png")).exists();
        String html = Files.readString(out.resolve("index.html"));
        for (String ref : List.of("sheet.png", "vae/loss.png", "dit/loss.png", "generated/torus/sample-000.glb")) {
            assertThat(html).contains("\"" + ref + "\"");
        }
        var summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertThat(summary.get("nearest_class").size()).isEqualTo(s.classes().size());
        double accuracy = summary.get("nearest_class_accuracy").asDouble();
        assertThat(accuracy).isBetween(0.0, 1.0);
        // the DiT carries the demo's sampling settings, so `generate --ckpt OUT/dit` repeats them by default
        var sampling = new ObjectMapper()
                .readTree(out.resolve("dit/config.json").toFile())
                .get("sampling");
        assertThat(sampling.get("cfg").asDouble()).isEqualTo(s.cfg());
        assertThat(sampling.get("steps").asInt()).isEqualTo(s.sampleSteps());

        // the same directory again: nothing is trained or generated again
        long vaeWeights =
                Files.getLastModifiedTime(out.resolve("vae/model.safetensors")).toMillis();
        long sample = Files.getLastModifiedTime(out.resolve("generated/cone/sample-000.glb"))
                .toMillis();
        Demo.Result again = Demo.run(s, out, Progress.NONE);
        assertThat(Files.getLastModifiedTime(out.resolve("vae/model.safetensors"))
                        .toMillis())
                .isEqualTo(vaeWeights);
        assertThat(Files.getLastModifiedTime(out.resolve("generated/cone/sample-000.glb"))
                        .toMillis())
                .isEqualTo(sample);
        assertThat(again.accuracy()).isEqualTo(accuracy);

        // other settings in the same directory are refused, naming the directory
        Demo.Settings other = new Demo.Settings(
                s.classes(),
                s.shapesPerClass() + 1,
                s.synthResolution(),
                s.prepResolution(),
                s.surfacePoints(),
                s.queriesPerSigma(),
                s.volumePoints(),
                s.vaeSteps(),
                s.vaeLr(),
                s.vaeBatch(),
                s.vaeQueries(),
                s.ditSteps(),
                s.ditLr(),
                s.ditBatch(),
                s.perClass(),
                s.sampleSteps(),
                s.cfg(),
                s.resolution(),
                s.seed());
        assertThatThrownBy(() -> Demo.run(other, out, Progress.NONE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(out.toString())
                .hasMessageContaining("other settings");
    }

    @Test
    void refusesANonEmptyDirectoryThatIsNoDemo() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "mine");
        assertThat(Main.run("demo", "--quick", "--out", dir.toString())).isEqualTo(Cli.FAILED);
        assertThat(dir.resolve(Demo.SETTINGS)).doesNotExist();
    }
}
