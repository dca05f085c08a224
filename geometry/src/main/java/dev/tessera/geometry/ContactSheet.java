package dev.tessera.geometry;

import dev.tessera.geometry.RenderOptions.Background;
import dev.tessera.geometry.RenderOptions.Srgb;
import dev.tessera.geometry.Renderer.Output;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Preview sheets: several renderings laid out in a grid, each cell optionally captioned — N orbit views of one mesh
 * ({@link #orbit}) or one view of N meshes ({@link #grid}).
 *
 * <p><b>Layout</b> ({@link Layout}): cells of {@code cellWidth × cellHeight} pixels in row-major order, left to
 * right then top to bottom, {@code columns} wide ({@code ⌈√N⌉} by default) and {@code ⌈N / columns⌉} high, separated
 * and surrounded by {@code gap} pixels; with labels, a caption strip of {@link Layout#labelHeight()} pixels sits under
 * every cell. The sheet's background is the render background (transparent or solid), captions are drawn with a
 * built-in pixel font in dark grey (light grey on dark backgrounds).
 *
 * <p><b>Framing.</b> The camera looks at the centre of the shape's bounding box from the smallest distance at which
 * every vertex projects inside the cell shrunk by the margin. Every orbit view of a mesh uses the largest of its
 * views' distances, so the views share one scale. In a grid each mesh is framed on its own, or all by the bounding box
 * of all of them ({@code sharedFraming}) to compare sizes.
 */
public final class ContactSheet {
    private ContactSheet() {}

    /** Largest accepted sheet width or height in pixels. */
    public static final int MAX_SHEET_SIZE = 32768;

    /** Most cells on one sheet. */
    public static final int MAX_CELLS = 1024;

    /**
     * How to draw a sheet.
     *
     * @param render options of every cell; its width and height are the cell size, its background the sheet's
     * @param output which image each cell shows
     * @param columns grid columns, or 0 for {@code ⌈√N⌉}
     * @param gap pixels between and around cells, ≥ 0
     * @param labels whether to draw a caption under each cell
     * @param fovYDeg vertical field of view of the cameras in degrees
     * @param margin framing margin: the shape spans at most {@code 1 / margin} of the cell, ≥ 1
     * @param sharedFraming in a grid, frame every mesh by one sphere around all of them
     */
    public record Options(
            RenderOptions render,
            Output output,
            int columns,
            int gap,
            boolean labels,
            double fovYDeg,
            double margin,
            boolean sharedFraming) {
        public Options {
            Objects.requireNonNull(render, "render options");
            Objects.requireNonNull(output, "output");
            if (columns < 0 || columns > MAX_CELLS) {
                throw new IllegalArgumentException(
                        "columns must be 0 (automatic) to " + MAX_CELLS + ", got " + columns);
            }
            if (gap < 0 || gap > 4096) {
                throw new IllegalArgumentException("gap must be 0 to 4096 pixels, got " + gap);
            }
            if (!(fovYDeg > 0 && fovYDeg < 179)) {
                throw new IllegalArgumentException("field of view must be in (0°, 179°), got " + fovYDeg);
            }
            if (!(margin >= 1 && margin <= 100)) {
                throw new IllegalArgumentException("framing margin must be in [1, 100], got " + margin);
            }
        }

        /**
         * Defaults for square cells of {@code cellSize} pixels: colour on white, automatic columns, a gap of 1/32
         * of the cell (at least 2 pixels), labels, a 35° field of view and a 1.08 margin.
         */
        public static Options of(int cellSize) {
            RenderOptions.checkSize(cellSize, cellSize);
            return new Options(
                    RenderOptions.of(cellSize, cellSize).withBackground(Background.WHITE),
                    Output.COLOR,
                    0,
                    Math.max(2, cellSize / 32),
                    true,
                    35,
                    1.08,
                    false);
        }

        /** These options with other render options (their size is the cell size). */
        public Options withRender(RenderOptions newRender) {
            return new Options(newRender, output, columns, gap, labels, fovYDeg, margin, sharedFraming);
        }

        /** These options showing another output in the cells. */
        public Options withOutput(Output newOutput) {
            return new Options(render, newOutput, columns, gap, labels, fovYDeg, margin, sharedFraming);
        }

        /** These options with a fixed number of columns (0: automatic). */
        public Options withColumns(int newColumns) {
            return new Options(render, output, newColumns, gap, labels, fovYDeg, margin, sharedFraming);
        }

        /** These options with another gap in pixels. */
        public Options withGap(int newGap) {
            return new Options(render, output, columns, newGap, labels, fovYDeg, margin, sharedFraming);
        }

        /** These options with captions on or off. */
        public Options withLabels(boolean on) {
            return new Options(render, output, columns, gap, on, fovYDeg, margin, sharedFraming);
        }

        /** These options with another field of view, margin and grid framing. */
        public Options withFraming(double newFovYDeg, double newMargin, boolean shared) {
            return new Options(render, output, columns, gap, labels, newFovYDeg, newMargin, shared);
        }
    }

    /**
     * The geometry of a sheet.
     *
     * @param count number of cells
     * @param columns cells per row
     * @param rows number of rows
     * @param cellWidth cell width in pixels
     * @param cellHeight cell height in pixels (the rendering; the caption strip comes below)
     * @param gap pixels between and around cells
     * @param labelHeight caption strip height in pixels, 0 without labels
     * @param labelScale size of a font pixel in sheet pixels
     */
    public record Layout(
            int count, int columns, int rows, int cellWidth, int cellHeight, int gap, int labelHeight, int labelScale) {

        /** Sheet width: {@code columns · cellWidth + (columns + 1) · gap}. */
        public int width() {
            return columns * cellWidth + (columns + 1) * gap;
        }

        /** Sheet height: {@code rows · (cellHeight + labelHeight) + (rows + 1) · gap}. */
        public int height() {
            return rows * (cellHeight + labelHeight) + (rows + 1) * gap;
        }

        /** Left edge of cell {@code i}. */
        public int cellX(int i) {
            return gap + (i % columns) * (cellWidth + gap);
        }

        /** Top edge of cell {@code i}. */
        public int cellY(int i) {
            return gap + (i / columns) * (cellHeight + labelHeight + gap);
        }
    }

    /**
     * The layout of {@code count} cells with these options, its size checked.
     *
     * @throws IllegalArgumentException when the count or the sheet size is out of range, naming both
     */
    public static Layout layout(int count, Options o) {
        if (count < 1 || count > MAX_CELLS) {
            throw new IllegalArgumentException("a contact sheet holds 1 to " + MAX_CELLS + " cells, got " + count);
        }
        int cols = o.columns() > 0 ? Math.min(o.columns(), count) : (int) Math.ceil(Math.sqrt(count));
        int rows = (count + cols - 1) / cols;
        int cw = o.render().width(), ch = o.render().height();
        int scale = Math.max(1, (Math.min(cw, ch) + 120) / 160);
        int labelHeight = o.labels() ? BitmapFont.GLYPH_HEIGHT * scale + 2 * Math.max(2, 2 * scale) : 0;
        long w = (long) cols * cw + (long) (cols + 1) * o.gap();
        long h = (long) rows * (ch + labelHeight) + (long) (rows + 1) * o.gap();
        if (w > MAX_SHEET_SIZE || h > MAX_SHEET_SIZE) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "contact sheet of %d cells of %d×%d in %d columns would be %d×%d pixels, more than %d a side;"
                            + " use smaller cells or fewer views",
                    count,
                    cw,
                    ch,
                    cols,
                    w,
                    h,
                    MAX_SHEET_SIZE));
        }
        return new Layout(count, cols, rows, cw, ch, o.gap(), labelHeight, scale);
    }

    /**
     * {@code views} orbit views of one mesh at yaws {@code startYawDeg + 360° · k / views} and a fixed pitch,
     * captioned with their yaw and pitch.
     *
     * @throws InvalidMeshException when the mesh has no triangles or zero area
     * @throws IllegalArgumentException when the sizes are out of range or the sheet would not fit in the heap
     */
    public static BufferedImage orbit(TriangleMesh mesh, int views, double startYawDeg, double pitchDeg, Options o) {
        Objects.requireNonNull(mesh, "mesh");
        Layout layout = layout(views, o);
        checkMesh(mesh, "mesh");
        checkMemory(layout, mesh.vertexCount(), mesh.triangleCount(), o);
        double[] centre = centre(List.of(mesh));
        double distance = 0;
        for (int k = 0; k < views; k++) {
            distance = Math.max(
                    distance, fitDistance(List.of(mesh), centre, startYawDeg + 360.0 * k / views, pitchDeg, o));
        }
        List<String> labels = new ArrayList<>();
        List<Camera> cameras = new ArrayList<>();
        for (int k = 0; k < views; k++) {
            double yaw = startYawDeg + 360.0 * k / views;
            cameras.add(Camera.orbit(centre[0], centre[1], centre[2], yaw, pitchDeg, distance, o.fovYDeg()));
            double shown = ((yaw % 360) + 360) % 360;
            labels.add(String.format(Locale.ROOT, "yaw %s\u00b0 pitch %s\u00b0", angle(shown), angle(pitchDeg)));
        }
        return draw(layout, Collections.nCopies(views, mesh), cameras, labels, o);
    }

    /**
     * One view (at {@code yawDeg}, {@code pitchDeg}) of each mesh, captioned with {@code labels} (or with their
     * numbers when {@code labels} is null). A mesh without triangles or surface area (a reconstruction that came back
     * empty) leaves its cell blank, captioned with its label and "(empty)": a sheet of results shows every result.
     *
     * @throws IllegalArgumentException when the sizes are out of range, labels and meshes differ in number, or the
     *     sheet would not fit in the heap
     */
    public static BufferedImage grid(
            List<TriangleMesh> meshes, List<String> labels, double yawDeg, double pitchDeg, Options o) {
        Objects.requireNonNull(meshes, "meshes");
        Layout layout = layout(meshes.size(), o);
        if (labels != null && labels.size() != meshes.size()) {
            throw new IllegalArgumentException(
                    "got " + labels.size() + " labels for " + meshes.size() + " meshes; give one label per mesh");
        }
        int maxV = 0, maxT = 0;
        List<TriangleMesh> drawn = new ArrayList<>();
        for (int i = 0; i < meshes.size(); i++) {
            TriangleMesh m = Objects.requireNonNull(meshes.get(i), "mesh " + (i + 1));
            if (drawable(m)) {
                drawn.add(m);
                maxV = Math.max(maxV, m.vertexCount());
                maxT = Math.max(maxT, m.triangleCount());
            }
        }
        checkMemory(layout, maxV, maxT, o);
        boolean shared = o.sharedFraming() && !drawn.isEmpty();
        double[] sharedCentre = shared ? centre(drawn) : null;
        double sharedDistance = shared ? fitDistance(drawn, sharedCentre, yawDeg, pitchDeg, o) : Double.NaN;
        List<Camera> cameras = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < meshes.size(); i++) {
            String label = labels != null ? labels.get(i) : "#" + (i + 1);
            if (!drawable(meshes.get(i))) {
                cameras.add(null);
                captions.add(label + " (empty)");
                continue;
            }
            List<TriangleMesh> one = List.of(meshes.get(i));
            double[] c = sharedCentre != null ? sharedCentre : centre(one);
            double d = sharedCentre != null ? sharedDistance : fitDistance(one, c, yawDeg, pitchDeg, o);
            cameras.add(Camera.orbit(c[0], c[1], c[2], yawDeg, pitchDeg, d, o.fovYDeg()));
            captions.add(label);
        }
        return draw(layout, meshes, cameras, captions, o);
    }

    /** Whether a mesh has something to draw: triangles of positive total area. */
    static boolean drawable(TriangleMesh m) {
        return !m.isEmpty() && m.area() > 0;
    }

    private static BufferedImage draw(
            Layout layout, List<TriangleMesh> meshes, List<Camera> cameras, List<String> labels, Options o) {
        int w = layout.width(), h = layout.height();
        int[] sheet = new int[w * h];
        Background bg = o.render().background();
        int bgArgb = bg.transparent() ? 0 : argb(bg.color());
        Arrays.fill(sheet, bgArgb);
        boolean dark = !bg.transparent() && luminance(bg.color()) < 0.45;
        int ink = dark ? 0xFFD0D0D0 : 0xFF404040;
        Renderer.Prepared prepared = null;
        for (int i = 0; i < layout.count(); i++) {
            int x0 = layout.cellX(i), y0 = layout.cellY(i);
            if (cameras.get(i) != null) { // null: an empty mesh's blank cell
                if (i == 0 || meshes.get(i) != meshes.get(i - 1) || prepared == null) {
                    prepared = null; // let the previous mesh's arrays go before preparing the next
                    prepared = Renderer.prepare(meshes.get(i), o.render());
                }
                Renderer.Image img = Renderer.render(prepared, cameras.get(i), o.render());
                BufferedImage cell = img.image(o.output());
                int[] px = cell.getRGB(0, 0, layout.cellWidth(), layout.cellHeight(), null, 0, layout.cellWidth());
                for (int y = 0; y < layout.cellHeight(); y++) {
                    System.arraycopy(px, y * layout.cellWidth(), sheet, (y0 + y) * w + x0, layout.cellWidth());
                }
            }
            if (layout.labelHeight() > 0) {
                String text = fit(labels.get(i), layout.cellWidth(), layout.labelScale());
                int tw = BitmapFont.width(text, layout.labelScale());
                int tx = x0 + (layout.cellWidth() - tw) / 2;
                int ty = y0
                        + layout.cellHeight()
                        + (layout.labelHeight() - BitmapFont.GLYPH_HEIGHT * layout.labelScale()) / 2;
                BitmapFont.draw(sheet, w, h, tx, ty, text, layout.labelScale(), ink);
            }
        }
        // an opaque sheet needs no alpha channel: its PNG is about a quarter smaller
        BufferedImage out =
                new BufferedImage(w, h, bg.transparent() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, w, h, sheet, 0, w);
        return out;
    }

    /** Shortens a caption with "..." so it fits the cell width. */
    private static String fit(String text, int width, int scale) {
        String t = text.replace('\n', ' ');
        if (BitmapFont.width(t, scale) <= width) {
            return t;
        }
        int n = Math.max(0, width / (BitmapFont.ADVANCE * scale) - 3);
        return t.substring(0, Math.min(n, t.length())) + "...";
    }

    /**
     * The orbit distance at which every vertex of {@code meshes} projects inside the cell shrunk by the margin, for
     * a camera looking at {@code centre} from {@code (yaw, pitch)}: a vertex at camera-space offset {@code (x, y, z)}
     * from the centre ({@code z} towards the eye) is inside when {@code d ≥ z + max(|x| / tan(h), |y| / tan(v))}
     * with {@code h}, {@code v} the half fields of view; O(V).
     */
    static double fitDistance(List<TriangleMesh> meshes, double[] centre, double yawDeg, double pitchDeg, Options o) {
        RenderOptions r = o.render();
        double tanV = StrictMath.tan(Math.toRadians(o.fovYDeg()) / 2) / o.margin();
        double tanH = tanV * r.width() / r.height();
        Camera unit = Camera.orbit(0, 0, 0, yawDeg, pitchDeg, 1, o.fovYDeg());
        double[] rt = unit.right(), up = unit.up(), fw = unit.forward();
        double need = 0, zmax = Double.NEGATIVE_INFINITY, r2 = 0;
        for (TriangleMesh m : meshes) {
            for (int v = 0; v < m.vertexCount(); v++) {
                double dx = m.x(v) - centre[0], dy = m.y(v) - centre[1], dz = m.z(v) - centre[2];
                double x = dx * rt[0] + dy * rt[1] + dz * rt[2];
                double y = dx * up[0] + dy * up[1] + dz * up[2];
                double z = -(dx * fw[0] + dy * fw[1] + dz * fw[2]);
                need = Math.max(need, z + Math.max(Math.abs(x) / tanH, Math.abs(y) / tanV));
                zmax = Math.max(zmax, z);
                r2 = Math.max(r2, dx * dx + dy * dy + dz * dz);
            }
        }
        double radius = Math.sqrt(r2);
        if (!(radius > 0)) {
            throw new InvalidMeshException("cannot frame a shape of zero extent");
        }
        // keep the nearest vertex well in front of the eye even for flat shapes seen edge-on
        return Math.max(need, zmax + 0.25 * radius);
    }

    /** The centre of the bounding box of all meshes, {@code {x, y, z}}. */
    static double[] centre(List<TriangleMesh> meshes) {
        double x0 = Double.POSITIVE_INFINITY, y0 = x0, z0 = x0, x1 = Double.NEGATIVE_INFINITY, y1 = x1, z1 = x1;
        for (TriangleMesh m : meshes) {
            Aabb b = m.bounds();
            x0 = Math.min(x0, b.minX());
            y0 = Math.min(y0, b.minY());
            z0 = Math.min(z0, b.minZ());
            x1 = Math.max(x1, b.maxX());
            y1 = Math.max(y1, b.maxY());
            z1 = Math.max(z1, b.maxZ());
        }
        return new double[] {0.5 * (x0 + x1), 0.5 * (y0 + y1), 0.5 * (z0 + z1)};
    }

    private static void checkMesh(TriangleMesh m, String name) {
        if (m.isEmpty()) {
            throw new InvalidMeshException(name + ": cannot render a mesh without triangles");
        }
        if (!(m.area() > 0)) {
            throw new InvalidMeshException(name + ": cannot render a mesh of zero surface area");
        }
    }

    private static void checkMemory(Layout layout, int vertices, int triangles, Options o) {
        long sheet = 8L * layout.width() * layout.height(); // pixel array and image
        long need = sheet + Renderer.estimateBytes(vertices, triangles, o.render());
        long max = Runtime.getRuntime().maxMemory();
        if (need > max / 10 * 8) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "a %d×%d contact sheet needs about %.1f GiB, more than the %.1f GiB heap allows;"
                            + " use smaller cells or a larger -Xmx",
                    layout.width(),
                    layout.height(),
                    need / (double) (1L << 30),
                    max / (double) (1L << 30)));
        }
    }

    private static String angle(double deg) {
        double r = Math.round(deg * 10) / 10.0;
        return r == Math.rint(r) ? Long.toString((long) r) : Double.toString(r);
    }

    private static int argb(Srgb c) {
        int r = (int) Math.round(c.r() * 255), g = (int) Math.round(c.g() * 255), b = (int) Math.round(c.b() * 255);
        return 0xFF000000 | (r << 16) | (g << 8) | b;
    }

    private static double luminance(Srgb c) {
        return 0.2126 * c.r() + 0.7152 * c.g() + 0.0722 * c.b();
    }
}
