package dev.tessera.data.synth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.data.Progress;
import dev.tessera.geometry.MeshCheck;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.io.MeshIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SyntheticShapesTest {
    @ParameterizedTest
    @EnumSource(ShapeClass.class)
    void everyClassMeshesClosedAndOutward(ShapeClass c) {
        for (int i = 0; i < 3; i++) {
            TriangleMesh m = SyntheticShapes.mesh(c, SyntheticShapes.shapeSeed(11, i), 48);
            MeshCheck check = MeshCheck.of(m);
            assertThat(check.isWatertight()).as("%s #%d: %s", c, i, check).isTrue();
            assertThat(m.volume()).as("%s #%d volume", c, i).isGreaterThan(0.005);
            assertThat(m.bounds().maxSize()).isLessThan(2.0);
        }
    }

    @Test
    void sameSeedSameShapeOtherSeedOtherShape() {
        TriangleMesh a = SyntheticShapes.mesh(ShapeClass.CHAIR, 5, 40);
        assertThat(SyntheticShapes.mesh(ShapeClass.CHAIR, 5, 40)).isEqualTo(a);
        assertThat(SyntheticShapes.mesh(ShapeClass.CHAIR, 6, 40)).isNotEqualTo(a);
    }

    @Test
    void generateWritesMeshesAndLabels(@TempDir Path dir) throws IOException {
        List<SyntheticShapes.Item> items = SyntheticShapes.generate(
                dir, 6, 3, Arrays.asList(ShapeClass.SPHERE, ShapeClass.MUG), 32, MeshIO.Format.PLY, Progress.NONE);
        assertThat(items)
                .extracting(SyntheticShapes.Item::label)
                .containsExactly("sphere", "mug", "sphere", "mug", "sphere", "mug");
        List<String> csv = Files.readAllLines(dir.resolve(SyntheticShapes.LABELS));
        assertThat(csv).hasSize(7).first().isEqualTo("file,label");
        assertThat(csv.get(2)).isEqualTo("mug/mug-00001.ply,mug");
        TriangleMesh back = MeshIO.read(dir.resolve("mug/mug-00001.ply"));
        assertThat(back.positions())
                .containsExactly(SyntheticShapes.mesh(ShapeClass.MUG, SyntheticShapes.shapeSeed(3, 1), 32)
                        .positions());
    }
}
