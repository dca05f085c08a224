package dev.tessera.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.data.dataset.Dataset;
import dev.tessera.model.vecset.VecsetTrainTask;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tessera evaluate}: the held-out shapes of a run's split, measured, reported and drawn. */
class EvaluateCommandTest {
    @TempDir
    static Path dir;

    static Path dataset;
    static Path run;

    @BeforeAll
    static void trainATinyRun() throws Exception {
        dataset = TrainVaeCommandTest.datasetWithoutSparse(dir, 4, 3);
        run = dir.resolve("run");
        CliTest.Run r = CliTest.run(
                "train-vae",
                "--model",
                "vecset",
                "--data",
                dataset.toString(),
                "--out",
                run.toString(),
                "--steps",
                "3",
                "--batch-size",
                "1",
                "--queries",
                "64,32,64",
                "--validate-every",
                "0",
                "--validation",
                "0.4,1,16");
        assertThat(r.code()).as(r.err()).isZero();
    }

    /** {@code tessera evaluate} of the run on its dataset at 16³, with {@code extra} arguments. */
    private static CliTest.Run evaluate(String... extra) {
        List<String> args = new ArrayList<>(
                List.of("evaluate", "--ckpt", run.toString(), "--data", dataset.toString(), "--resolution", "16"));
        args.addAll(List.of(extra));
        return CliTest.run(args.toArray(new String[0]));
    }

    @Test
    void measuresEveryHeldOutShapeOfTheRunsSplit() throws Exception {
        Path json = dir.resolve("eval.json"), sheet = dir.resolve("eval.png");
        CliTest.Run r = evaluate("--json", json.toString(), "--sheet", sheet.toString());
        assertThat(r.code()).as(r.err()).isZero();
        List<String> held = VecsetTrainTask.heldOut(Dataset.open(dataset), 0.4);
        assertThat(held).isNotEmpty().hasSizeLessThan(8); // the run trained on the others
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        List<String> ids = new ArrayList<>();
        for (JsonNode s : report.get("shapes")) {
            ids.add(s.get("id").asText());
            double iou = s.get("volume_iou").asDouble();
            assertThat(iou).isBetween(0.0, 1.0);
        }
        assertThat(ids).isEqualTo(held);
        assertThat(report.get("validation_fraction").asDouble()).isEqualTo(0.4);
        assertThat(report.get("mean").has("fscore@0.02")).isTrue();
        for (String id : held) {
            assertThat(r.out()).contains(id);
        }
        assertThat(r.out()).contains("mean (" + held.size() + ")");
        var image = ImageIO.read(sheet.toFile());
        assertThat(image.getWidth()).isGreaterThanOrEqualTo(2 * 160); // reference | reconstruction pairs

        CliTest.Run one = evaluate("--shapes", "1");
        assertThat(one.code()).as(one.err()).isZero();
        assertThat(one.out()).contains("evaluate: 1 of " + held.size() + " held-out shapes");
    }

    @Test
    void aDirectoryWithoutTheRunsSettingsNeedsTheShare() {
        CliTest.Run r = CliTest.run("evaluate", "--ckpt", dir.toString(), "--data", dataset.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("vecset.json").contains("--fraction");
        CliTest.Run bad =
                CliTest.run("evaluate", "--ckpt", run.toString(), "--data", dataset.toString(), "--fraction", "1.5");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("(0, 1)");
    }
}
