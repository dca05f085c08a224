package dev.tessera.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossCurvePlotTest {

    @TempDir
    Path dir;

    private BufferedImage plot(String... lines) throws Exception {
        Path metrics = dir.resolve("metrics.jsonl"), png = dir.resolve("loss.png");
        Files.writeString(metrics, String.join("\n", lines) + "\n");
        LossCurvePlot.write(metrics, png);
        return ImageIO.read(png.toFile());
    }

    @Test
    void validationMetricsGetTheirOwnPanel() throws Exception {
        BufferedImage img = plot(
                "{\"step\":0,\"loss\":1.0,\"lr\":0.001}",
                "{\"step\":10,\"loss\":0.5,\"lr\":0.001}",
                "{\"step\":10,\"val/shapes\":6.0,\"val/volume_iou\":0.7}");
        assertThat(img.getWidth()).isEqualTo(1400);
    }

    @Test
    void aCountIsNotACurve() throws Exception {
        // the number of validated shapes is no metric: alone it must not open a validation panel
        BufferedImage img = plot(
                "{\"step\":0,\"loss\":1.0,\"seconds\":2.0}",
                "{\"step\":10,\"loss\":0.5,\"grad_norm\":3.0}",
                "{\"step\":10,\"val/shapes\":6.0}");
        assertThat(img.getWidth()).isEqualTo(800);
    }

    @Test
    void aTornLastLineIsSkipped() throws Exception {
        BufferedImage img = plot("{\"step\":0,\"loss\":1.0}", "{\"step\":10,\"loss\":0.5}", "{\"step\":20,\"lo");
        assertThat(img.getWidth()).isEqualTo(800);
    }
}
