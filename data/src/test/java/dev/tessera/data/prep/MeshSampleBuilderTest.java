package dev.tessera.data.prep;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.data.sample.Sample;
import dev.tessera.data.sample.SampleSchema;
import dev.tessera.data.synth.ShapeClass;
import dev.tessera.data.synth.SyntheticShapes;
import dev.tessera.geometry.Aabb;
import dev.tessera.geometry.MeshDistance;
import dev.tessera.geometry.TriangleMesh;
import dev.tessera.geometry.Voxelizer;
import org.junit.jupiter.api.Test;

class MeshSampleBuilderTest {
    /**
     * The labels ask the sign once per region; on closed shapes with a hole (torus), a cavity open to the outside
     * (mug) and thin parts (chair) they equal the labels of a sign test at every voxel.
     */
    @Test
    void voxelLabelsEqualASignTestAtEveryVoxel() {
        int n = Sample.VOXEL_RESOLUTION;
        for (ShapeClass c : new ShapeClass[] {ShapeClass.TORUS, ShapeClass.MUG, ShapeClass.CHAIR}) {
            TriangleMesh mesh = SyntheticShapes.mesh(c, SyntheticShapes.shapeSeed(3, 1), 64);
            MeshDistance d = MeshDistance.of(mesh);
            byte[] labels = MeshSampleBuilder.voxelLabels(mesh, d::signed);
            byte[] surface = Voxelizer.dense(Voxelizer.surface(mesh, Aabb.cube(1), n));
            byte[] solid = Voxelizer.dense(Voxelizer.solid(mesh, Aabb.cube(1), n, d::signed));
            int inside = 0;
            for (int v = 0; v < labels.length; v++) {
                byte want = surface[v] != 0
                        ? SampleSchema.SURFACE
                        : solid[v] != 0 ? SampleSchema.INSIDE : SampleSchema.OUTSIDE;
                assertThat(labels[v]).as("%s voxel %d", c, v).isEqualTo(want);
                inside += labels[v] == SampleSchema.INSIDE ? 1 : 0;
            }
            assertThat(inside).as(c.toString()).isPositive();
        }
    }
}
