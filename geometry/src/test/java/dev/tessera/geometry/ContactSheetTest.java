package dev.tessera.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.geometry.RenderOptions.Background;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContactSheetTest {
    static final TriangleMesh TORUS = TestSolids.torus(1, 0.3, 48, 24);

    @Test
    void orbitSheetHasTheLayoutsDimensions() {
        ContactSheet.Options o = ContactSheet.Options.of(64).withGap(3);
        ContactSheet.Layout l = ContactSheet.layout(8, o);
        assertThat(l.columns()).isEqualTo(3);
        assertThat(l.rows()).isEqualTo(3);
        assertThat(l.width()).isEqualTo(3 * 64 + 4 * 3);
        assertThat(l.height()).isEqualTo(3 * (64 + l.labelHeight()) + 4 * 3);
        assertThat(l.labelHeight()).isPositive();
        BufferedImage sheet = ContactSheet.orbit(TORUS, 8, 0, 20, o);
        assertThat(sheet.getWidth()).isEqualTo(l.width());
        assertThat(sheet.getHeight()).isEqualTo(l.height());
        // the white gap, the ninth (empty) cell, and ink in a caption strip
        assertThat(sheet.getRGB(1, 1)).isEqualTo(0xFFFFFFFF);
        assertThat(sheet.getColorModel().hasAlpha())
                .as("an opaque sheet carries no alpha")
                .isFalse();
        assertThat(sheet.getRGB(l.cellX(8) + 32, l.cellY(8) + 32)).isEqualTo(0xFFFFFFFF);
        int ink = 0;
        for (int y = l.cellY(0) + 64; y < l.cellY(0) + 64 + l.labelHeight(); y++) {
            for (int x = l.cellX(0); x < l.cellX(0) + 64; x++) {
                if (sheet.getRGB(x, y) != 0xFFFFFFFF) {
                    ink++;
                }
            }
        }
        assertThat(ink).isGreaterThan(20);
        // every cell shows the torus
        for (int i = 0; i < 8; i++) {
            int drawn = 0;
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 64; x++) {
                    if (sheet.getRGB(l.cellX(i) + x, l.cellY(i) + y) != 0xFFFFFFFF) {
                        drawn++;
                    }
                }
            }
            assertThat(drawn).as("cell %d", i).isGreaterThan(300);
        }
    }

    @Test
    void framingKeepsTheShapeInsideEveryCell() {
        ContactSheet.Options o = ContactSheet.Options.of(48)
                .withGap(0)
                .withLabels(false)
                .withRender(RenderOptions.of(48, 48).withBackground(Background.TRANSPARENT));
        BufferedImage sheet = ContactSheet.orbit(TORUS, 4, 10, 35, o);
        assertThat(sheet.getWidth()).isEqualTo(96);
        assertThat(sheet.getColorModel().hasAlpha()).isTrue();
        for (int i = 0; i < 4; i++) {
            int x0 = (i % 2) * 48, y0 = (i / 2) * 48;
            for (int k = 0; k < 48; k++) {
                // the border rows and columns of every cell stay empty, yet the shape fills most of the cell
                assertThat(sheet.getRGB(x0 + k, y0) >>> 24).isZero();
                assertThat(sheet.getRGB(x0 + k, y0 + 47) >>> 24).isZero();
                assertThat(sheet.getRGB(x0, y0 + k) >>> 24).isZero();
                assertThat(sheet.getRGB(x0 + 47, y0 + k) >>> 24).isZero();
            }
        }
    }

    @Test
    void gridShowsOneViewOfEachMesh() {
        List<TriangleMesh> meshes = List.of(TORUS, TestSolids.icosphere(2, 1), TriangleMeshTest.unitCube());
        ContactSheet.Options o = ContactSheet.Options.of(40).withColumns(3).withOutput(Renderer.Output.NORMALS);
        BufferedImage sheet = ContactSheet.grid(meshes, List.of("torus", "sphere", "cube"), 30, 20, o);
        ContactSheet.Layout l = ContactSheet.layout(3, o);
        assertThat(l.rows()).isEqualTo(1);
        assertThat(sheet.getWidth()).isEqualTo(l.width());
        assertThat(sheet.getHeight()).isEqualTo(l.height());
        BufferedImage shared = ContactSheet.grid(meshes, null, 30, 20, o.withFraming(35, 1.1, true));
        assertThat(shared.getWidth()).isEqualTo(l.width());
    }

    @Test
    void rejectsBadSizesAndInputs() {
        ContactSheet.Options o = ContactSheet.Options.of(64);
        assertThatThrownBy(() -> ContactSheet.orbit(TORUS, 0, 0, 0, o)).hasMessageContaining("1 to 1024 cells");
        assertThatThrownBy(() -> ContactSheet.layout(1024, ContactSheet.Options.of(4096)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than 32768");
        assertThatThrownBy(() -> ContactSheet.Options.of(-5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ContactSheet.grid(List.of(TORUS), List.of("a", "b"), 0, 0, o))
                .hasMessageContaining("one label per mesh");
        TriangleMesh flat = new TriangleMesh(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, new int[] {0, 1, 2});
        assertThatThrownBy(() -> ContactSheet.orbit(flat, 4, 0, 0, o))
                .isInstanceOf(InvalidMeshException.class)
                .hasMessageContaining("zero surface area");
    }

    /** A result that came back empty (no triangles, or no area) is a blank cell with its caption, not an error. */
    @Test
    void anEmptyMeshInAGridLeavesItsCellBlank() {
        TriangleMesh flat = new TriangleMesh(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, new int[] {0, 1, 2});
        TriangleMesh none = new TriangleMesh(new float[0], new int[0]);
        ContactSheet.Options o = ContactSheet.Options.of(48).withColumns(3);
        ContactSheet.Layout l = ContactSheet.layout(3, o);
        for (boolean shared : new boolean[] {false, true}) {
            BufferedImage sheet = ContactSheet.grid(
                    List.of(TORUS, flat, none),
                    List.of("torus", "flat", "none"),
                    30,
                    20,
                    o.withFraming(35, 1.1, shared));
            assertThat(nonWhite(sheet, l.cellX(0), l.cellY(0), 48, 48)).isGreaterThan(300);
            for (int i = 1; i < 3; i++) {
                assertThat(nonWhite(sheet, l.cellX(i), l.cellY(i), 48, 48))
                        .as("cell %d", i)
                        .isZero();
                assertThat(nonWhite(sheet, l.cellX(i), l.cellY(i) + 48, 48, l.labelHeight()))
                        .as("caption %d", i)
                        .isGreaterThan(20);
            }
        }
        BufferedImage allEmpty = ContactSheet.grid(List.of(none), null, 0, 0, o.withColumns(1));
        assertThat(allEmpty.getWidth())
                .isEqualTo(ContactSheet.layout(1, o.withColumns(1)).width());
    }

    private static int nonWhite(BufferedImage im, int x0, int y0, int w, int h) {
        int n = 0;
        for (int y = y0; y < y0 + h; y++) {
            for (int x = x0; x < x0 + w; x++) {
                if (im.getRGB(x, y) != 0xFFFFFFFF) {
                    n++;
                }
            }
        }
        return n;
    }
}
