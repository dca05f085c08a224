package dev.tessera.model.gen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.data.dataset.Dataset;
import dev.tessera.data.dataset.Manifest;
import dev.tessera.data.dataset.ManifestRecord;
import dev.tessera.data.safetensors.SafetensorsWriter;
import dev.tessera.geometry.Aabb;
import dev.tessera.geometry.DenseGrid;
import dev.tessera.geometry.MarchingCubes;
import dev.tessera.geometry.ScalarField;
import dev.tessera.geometry.SurfaceSampler;
import dev.tessera.geometry.TriangleMesh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NearestTrainingShapeTest {
    @TempDir
    Path dir;

    static TriangleMesh mesh(ScalarField f) {
        return MarchingCubes.extract(DenseGrid.sample(Aabb.cube(1), 24, f), 0f);
    }

    static ScalarField sphere(double r) {
        return (x, y, z) -> Math.sqrt(x * x + y * y + z * z) - r;
    }

    static ScalarField box(double h) {
        return (x, y, z) -> Math.max(Math.abs(x), Math.max(Math.abs(y), Math.abs(z))) - h;
    }

    @Test
    void aShapeIsNearestToTheTrainingShapesOfItsClass() throws Exception {
        Files.createDirectories(dir.resolve("samples"));
        Object[][] shapes = {
            {"s0", "sphere", sphere(0.5)},
            {"s1", "sphere", sphere(0.7)},
            {"b0", "box", box(0.4)},
            {"b1", "box", box(0.6)}
        };
        for (Object[] s : shapes) {
            float[] pts =
                    SurfaceSampler.sample(mesh((ScalarField) s[2]), 4000, 1).points();
            new SafetensorsWriter()
                    .addFloats("surface.points", pts, pts.length / 3, 3)
                    .write(dir.resolve("samples").resolve(s[0] + ".safetensors"));
            Manifest.append(
                    dir.resolve(Manifest.FILE),
                    new ManifestRecord(
                            (String) s[0],
                            s[0] + ".obj",
                            "h",
                            "s",
                            ManifestRecord.OK,
                            null,
                            (String) s[1],
                            Map.of(),
                            Map.of()));
        }
        NearestTrainingShape nn = NearestTrainingShape.of(Dataset.open(dir), 1024, 0);
        NearestTrainingShape.Match m = nn.nearest(mesh(sphere(0.65)));
        assertThat(m.label()).isEqualTo("sphere");
        assertThat(m.id()).isEqualTo("s1");
        assertThat(m.bestPerClass().get("sphere")).isLessThan(m.bestPerClass().get("box"));
        NearestTrainingShape.Match b = nn.nearest(mesh(box(0.45)));
        assertThat(b.label()).isEqualTo("box");
        assertThat(b.id()).isEqualTo("b0");
        assertThat(b.chamferL2()).isLessThan(1e-2);
        assertThatThrownBy(() -> NearestTrainingShape.of(Dataset.open(dir.resolve("none")), 10, 0))
                .hasMessageContaining("manifest.jsonl");
    }
}
