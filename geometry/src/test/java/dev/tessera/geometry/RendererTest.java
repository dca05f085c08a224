package dev.tessera.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tessera.geometry.RenderOptions.Background;
import dev.tessera.geometry.RenderOptions.NormalSpace;
import dev.tessera.geometry.RenderOptions.Srgb;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RendererTest {
    static final TriangleMesh SPHERE = TestSolids.icosphere(5, 1.0);

    /** Flat, unlit rendering: every drawn sample shows its interpolated vertex colour exactly. */
    static RenderOptions unlit(int w, int h) {
        return RenderOptions.of(w, h).withLighting(1.0, List.of()).withSupersample(false);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void sphereSilhouetteAreaIsPiRSquared(boolean supersample) {
        double distance = 4, fov = 40;
        Camera cam = Camera.orbit(30, 15, distance, fov);
        int size = 256;
        Renderer.Image img =
                Renderer.render(SPHERE, cam, RenderOptions.of(size, size).withSupersample(supersample));
        // a sphere centred on the optical axis projects to a circle of radius f·tan(asin(ρ/D))
        double r = cam.focalPixels(size) * Math.tan(Math.asin(1.0 / distance));
        double expected = Math.PI * r * r;
        assertThat(r).isGreaterThan(80);
        assertThat(img.coveredArea()).isCloseTo(expected, within(0.01 * expected));
        // and it is centred: the coverage-weighted centroid is the image centre
        double sx = 0, sy = 0;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                sx += img.coverage(x, y) * (x + 0.5);
                sy += img.coverage(x, y) * (y + 0.5);
            }
        }
        assertThat(sx / img.coveredArea()).isCloseTo(size / 2.0, within(0.05));
        assertThat(sy / img.coveredArea()).isCloseTo(size / 2.0, within(0.05));
    }

    @Test
    void depthOfAFrontalPlaneIsItsDistance() {
        TriangleMesh plane = TestSolids.quad(50, 0);
        Camera cam = Camera.orbit(0, 0, 3.25, 50);
        Renderer.Image img = Renderer.render(plane, cam, RenderOptions.of(64, 48));
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                assertThat(img.coverage(x, y)).isEqualTo(1f);
                assertThat(img.depth(x, y)).isCloseTo(3.25f, within(1e-5f));
            }
        }
    }

    @Test
    void depthAndColoursOfATiltedPlaneArePerspectiveCorrect() {
        // a plane through the origin tilted 60° about the x axis, colour red = world x mapped to [0, 1],
        // green = world z mapped to [0, 1]: both are linear on the plane, but not in screen space
        double h = 40;
        double c = Math.cos(Math.toRadians(60)), s = Math.sin(Math.toRadians(60));
        float[] p = new float[12];
        float[] col = new float[12];
        double[][] uv = {{-h, -h}, {h, -h}, {h, h}, {-h, h}};
        for (int i = 0; i < 4; i++) {
            double x = uv[i][0], y = uv[i][1] * c, z = -uv[i][1] * s;
            p[3 * i] = (float) x;
            p[3 * i + 1] = (float) y;
            p[3 * i + 2] = (float) z;
            col[3 * i] = (float) ((x + h) / (2 * h));
            col[3 * i + 1] = (float) ((z + h) / (2 * h));
        }
        TriangleMesh plane = new TriangleMesh(p, new int[] {0, 1, 2, 0, 2, 3}, null, col);
        Camera cam = Camera.orbit(0, 0, 2, 60);
        int w = 80, hgt = 60;
        Renderer.Image img = Renderer.render(plane, cam, unlit(w, hgt));
        float[] rgb = img.linearRgb();
        double f = cam.focalPixels(hgt);
        // plane normal (0, s, c) through the origin; camera at z = 2 looking down −z with +y up
        for (int y = 0; y < hgt; y++) {
            for (int x = 0; x < w; x++) {
                double dx = (x + 0.5 - w / 2.0) / f, dy = -(y + 0.5 - hgt / 2.0) / f;
                // ray eye + t·(dx, dy, −1), eye = (0, 0, 2): s·t·dy + c·(2 − t) = 0
                double t = 2 * c / (c - s * dy);
                if (!(t > 0 && t < 12)) {
                    continue; // beyond 12 the plane is so oblique that 1/256-sample snapping dominates
                }
                double wx = t * dx, wz = 2 - t;
                if (Math.abs(wx) > 0.99 * h || Math.abs(wz / s) > 0.99 * h) {
                    continue; // the ray leaves the quad
                }
                int i = y * w + x;
                assertThat(img.coverage(x, y)).isEqualTo(1f);
                // (an affine interpolation would be off by up to tens of percent here)
                assertThat((double) img.depth(x, y)).isCloseTo(t, within(5e-4 * t));
                assertThat((double) rgb[3 * i]).isCloseTo((wx + h) / (2 * h), within(5e-4));
                assertThat((double) rgb[3 * i + 1]).isCloseTo((wz + h) / (2 * h), within(5e-4));
            }
        }
    }

    @Test
    void normalMapOfASphereFacesTheCameraAtTheCentre() {
        Camera cam = Camera.orbit(37, 25, 3, 40);
        Renderer.Image camSpace = Renderer.render(SPHERE, cam, RenderOptions.of(65, 65));
        float[] n = camSpace.normal(32, 32);
        assertThat(n[0]).isCloseTo(0f, within(0.02f));
        assertThat(n[1]).isCloseTo(0f, within(0.02f));
        assertThat(n[2]).isCloseTo(1f, within(0.001f));
        // the encoded pixel is the familiar (128, 128, 255)
        int px = camSpace.normalImage().getRGB(32, 32);
        assertThat((px >> 16) & 255).isBetween(125, 131);
        assertThat((px >> 8) & 255).isBetween(125, 131);
        assertThat(px & 255).isEqualTo(255);

        Renderer.Image world =
                Renderer.render(SPHERE, cam, RenderOptions.of(65, 65).withNormalSpace(NormalSpace.WORLD));
        float[] nw = world.normal(32, 32);
        double[] eye = cam.eye();
        double len = Math.sqrt(eye[0] * eye[0] + eye[1] * eye[1] + eye[2] * eye[2]);
        for (int k = 0; k < 3; k++) {
            assertThat((double) nw[k]).isCloseTo(eye[k] / len, within(0.02));
        }
        // background normals are zero, background depth infinite
        assertThat(world.normal(0, 0)).containsExactly(0f, 0f, 0f);
        assertThat(world.depth(0, 0)).isEqualTo(Float.POSITIVE_INFINITY);
    }

    @Test
    void supersamplingGivesFractionalCoverageOnEdges() {
        Camera cam = Camera.orbit(0, 0, 4, 40);
        Renderer.Image ss = Renderer.render(SPHERE, cam, RenderOptions.of(96, 96));
        Renderer.Image one =
                Renderer.render(SPHERE, cam, RenderOptions.of(96, 96).withSupersample(false));
        int fractional = 0;
        for (float c : ss.coverage()) {
            assertThat(c).isIn(0f, 0.25f, 0.5f, 0.75f, 1f);
            if (c > 0 && c < 1) {
                fractional++;
            }
        }
        assertThat(fractional).isGreaterThan(50);
        for (float c : one.coverage()) {
            assertThat(c).isIn(0f, 1f);
        }
        // fractional alpha reaches the PNG on a transparent background; a solid background is opaque
        BufferedImage im = ss.colorImage();
        int partial = 0;
        for (int y = 0; y < 96; y++) {
            for (int x = 0; x < 96; x++) {
                int a = im.getRGB(x, y) >>> 24;
                if (a > 0 && a < 255) {
                    partial++;
                }
            }
        }
        assertThat(partial).isEqualTo(fractional);
        BufferedImage white = Renderer.render(
                        SPHERE, cam, RenderOptions.of(96, 96).withBackground(Background.WHITE))
                .colorImage();
        assertThat(white.getRGB(0, 0)).isEqualTo(0xFFFFFFFF);
        assertThat(white.getRGB(48, 48) >>> 24).isEqualTo(255);
    }

    @Test
    void sharedEdgesLeaveNoCracks() {
        // a disc fanned into 97 thin triangles around its centre, and a grid whose vertices sit on sample
        // centres: every sample inside is drawn, whatever edge it lies on
        int n = 97;
        float[] p = new float[3 * (n + 1)];
        int[] t = new int[3 * n];
        for (int i = 0; i < n; i++) {
            double a = 2 * Math.PI * i / n;
            p[3 * i] = (float) Math.cos(a);
            p[3 * i + 1] = (float) Math.sin(a);
            t[3 * i] = n;
            t[3 * i + 1] = i;
            t[3 * i + 2] = (i + 1) % n;
        }
        TriangleMesh fan = new TriangleMesh(p, t);
        Camera cam = Camera.orbit(0, 0, 3, 45);
        Renderer.Image img = Renderer.render(fan, cam, unlit(101, 101));
        double f = cam.focalPixels(101);
        for (int y = 0; y < 101; y++) {
            for (int x = 0; x < 101; x++) {
                double dx = (x + 0.5 - 50.5) / f * 3, dy = (y + 0.5 - 50.5) / f * 3;
                if (Math.hypot(dx, dy) < Math.cos(Math.PI / n) - 0.02) {
                    assertThat(img.coverage(x, y)).as("pixel %d %d", x, y).isEqualTo(1f);
                }
            }
        }
    }

    @Test
    void nearPlaneClipsAGroundPlaneBehindTheEye() {
        // a huge ground plane y = 0 seen by a camera 1 above it looking at the horizon: the plane reaches behind
        // the eye, so its triangles must be clipped at the near plane; depth below the horizon is h·f / (row − cy)
        float k = 1000;
        float[] p = {-k, 0, -k, k, 0, -k, k, 0, k, -k, 0, k};
        TriangleMesh ground = new TriangleMesh(p, new int[] {0, 2, 1, 0, 3, 2});
        Camera cam = Camera.lookAt(0, 1, 0, 0, 1, -1, 0, 1, 0, 60);
        int w = 64, h = 64;
        Renderer.Image img = Renderer.render(ground, cam, unlit(w, h));
        double f = cam.focalPixels(h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double below = y + 0.5 - h / 2.0;
                if (below < -0.6) {
                    assertThat(img.coverage(x, y)).isEqualTo(0f);
                } else if (below > 1) {
                    double expected = f / below;
                    assertThat(img.coverage(x, y)).isEqualTo(1f);
                    assertThat((double) img.depth(x, y)).isCloseTo(expected, within(1e-3 * expected));
                }
            }
        }
        // the ground faces up (+y): its camera-space normal points up in the image
        assertThat(img.normal(32, 60)[1]).isCloseTo(1f, within(1e-4f));
    }

    @Test
    void backFacesAreDrawnDimmedOrCulled() {
        TriangleMesh quad = TestSolids.quad(1, 0);
        RenderOptions o = RenderOptions.of(32, 32).withSupersample(false);
        Renderer.Image front = Renderer.render(quad, Camera.orbit(0, 0, 3, 40), o);
        Renderer.Image back = Renderer.render(quad, Camera.orbit(180, 0, 3, 40), o);
        float[] fr = front.linearRgb(), br = back.linearRgb();
        int centre = 3 * (16 * 32 + 16);
        assertThat(back.coverage(16, 16)).isEqualTo(1f);
        assertThat((double) br[centre]).isCloseTo(o.backfaceBrightness() * fr[centre], within(1e-5));
        Renderer.Image culled = Renderer.render(quad, Camera.orbit(180, 0, 3, 40), o.withBackFaces(true, 1));
        assertThat(culled.coveredArea()).isZero();
    }

    @Test
    void vertexColoursAreUsedAndLit() {
        float[] col = new float[3 * SPHERE.vertexCount()];
        for (int v = 0; v < SPHERE.vertexCount(); v++) {
            col[3 * v] = 1; // pure red
        }
        TriangleMesh red = SPHERE.withColors(col);
        Renderer.Image img = Renderer.render(red, Camera.orbit(0, 0, 4, 40), RenderOptions.of(48, 48));
        float[] rgb = img.linearRgb();
        int c = 3 * (24 * 48 + 24);
        assertThat(rgb[c]).isGreaterThan(0.3f);
        assertThat(rgb[c + 1]).isZero();
        assertThat(rgb[c + 2]).isZero();
        Renderer.Image clay = Renderer.render(
                red, Camera.orbit(0, 0, 4, 40), RenderOptions.of(48, 48).withVertexColors(false));
        assertThat(clay.linearRgb()[c + 1]).isGreaterThan(0.1f);
    }

    @Test
    void theSameImagesForAnyNumberOfThreads() throws Exception {
        TriangleMesh torus = TestSolids.torus(1, 0.35, 96, 48);
        Camera cam = Camera.orbit(20, 35, 3.2, 40);
        RenderOptions o = RenderOptions.of(150, 110);
        Renderer.Image many = Renderer.render(torus, cam, o);
        ForkJoinPool one = new ForkJoinPool(1);
        try {
            Renderer.Image single =
                    one.submit(() -> Renderer.render(torus, cam, o)).get();
            assertThat(single.linearRgb()).isEqualTo(many.linearRgb());
            assertThat(single.depth()).isEqualTo(many.depth());
            assertThat(single.normals()).isEqualTo(many.normals());
            assertThat(single.coverage()).isEqualTo(many.coverage());
        } finally {
            one.shutdown();
        }
    }

    @Test
    void creaseAngleKeepsCubeFacesFlat() {
        TriangleMesh cube = TriangleMeshTest.unitCube();
        Camera cam = Camera.orbit(35, 30, 4, 40);
        Renderer.Image img = Renderer.render(cube, cam, RenderOptions.of(64, 64).withSupersample(false));
        // every covered pixel's world normal is one of the six axis directions
        Renderer.Image world = Renderer.render(
                cube, cam, RenderOptions.of(64, 64).withSupersample(false).withNormalSpace(NormalSpace.WORLD));
        int covered = 0;
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                if (img.coverage(x, y) > 0) {
                    covered++;
                    float[] n = world.normal(x, y);
                    float max = Math.max(Math.abs(n[0]), Math.max(Math.abs(n[1]), Math.abs(n[2])));
                    assertThat(max).isCloseTo(1f, within(1e-5f));
                }
            }
        }
        assertThat(covered).isGreaterThan(500);
    }

    @Test
    void srgbEncodingRoundsTheTransferFunction() {
        for (int i = 0; i <= 100_000; i++) {
            double c = i / 100_000.0;
            assertThat(Srgb.encode8(c)).isEqualTo((int) Math.round(255 * Srgb.fromLinear(c)));
        }
        assertThat(Srgb.encode8(-1)).isZero();
        assertThat(Srgb.encode8(7)).isEqualTo(255);
        for (int k = 0; k < 256; k++) {
            assertThat(Srgb.encode8(Srgb.toLinear(k / 255.0))).isEqualTo(k);
        }
    }

    @Test
    void runsHeadless(@TempDir Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        assertThat(java.awt.GraphicsEnvironment.isHeadless()).isTrue();
        BufferedImage sheet = ContactSheet.orbit(SPHERE, 2, 0, 10, ContactSheet.Options.of(32));
        dev.tessera.geometry.io.Png.write(sheet, dir.resolve("sheet.png"));
        assertThat(ImageIO.read(dir.resolve("sheet.png").toFile()).getWidth()).isEqualTo(sheet.getWidth());
    }

    @Test
    void writesPngsAtomically(@TempDir Path dir) throws IOException {
        Renderer.Image img = Renderer.render(SPHERE, Camera.orbit(0, 0, 4, 40), RenderOptions.of(40, 30));
        for (Renderer.Output out : Renderer.Output.values()) {
            Path file = dir.resolve(out + ".png");
            img.writePng(file, out);
            BufferedImage back = ImageIO.read(file.toFile());
            assertThat(back.getWidth()).isEqualTo(40);
            assertThat(back.getHeight()).isEqualTo(30);
            assertThat(back.getColorModel().hasAlpha()).isTrue();
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrder("COLOR.png", "NORMALS.png", "DEPTH.png");
        }
    }

    @Test
    void rejectsBadInputBeforeAllocating() {
        Camera cam = Camera.orbit(0, 0, 3, 40);
        assertThatThrownBy(
                        () -> Renderer.render(new TriangleMesh(new float[0], new int[0]), cam, RenderOptions.of(8, 8)))
                .isInstanceOf(InvalidMeshException.class)
                .hasMessageContaining("without triangles");
        TriangleMesh flat = new TriangleMesh(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, new int[] {0, 1, 2});
        assertThatThrownBy(() -> Renderer.render(flat, cam, RenderOptions.of(8, 8)))
                .isInstanceOf(InvalidMeshException.class)
                .hasMessageContaining("zero surface area");
        assertThatThrownBy(() -> new TriangleMesh(new float[] {0, 0, Float.NaN, 1, 0, 0, 0, 1, 0}, new int[] {0, 1, 2}))
                .isInstanceOf(InvalidMeshException.class);
        assertThatThrownBy(() -> RenderOptions.of(0, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0×10");
        assertThatThrownBy(() -> RenderOptions.of(512, 100_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 to 16384");
        if (Runtime.getRuntime().maxMemory() < (16L << 30)) {
            assertThatThrownBy(() -> Renderer.render(SPHERE, cam, RenderOptions.of(16384, 16384)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("GiB");
        }
        assertThatThrownBy(() -> Camera.orbit(Double.NaN, 0, 3, 40)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Camera.orbit(0, 0, 0, 40)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Camera.orbit(0, 0, 3, 180)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Camera.lookAt(0, 0, 3, 0, 0, 0, 0, 0, 1, 40)).hasMessageContaining("parallel");
        assertThatThrownBy(() -> Srgb.parse("fuchsia-ish")).hasMessageContaining("#rrggbb");
    }
}
