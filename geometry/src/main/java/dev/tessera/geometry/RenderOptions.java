package dev.tessera.geometry;

import java.util.List;
import java.util.Locale;

/**
 * What {@link Renderer} draws and how: image size, supersampling, background, material, lights and normal-map space.
 * Immutable; start from {@link #of(int, int)} and change fields with the {@code with...} methods.
 *
 * <p>Colours given here ({@link Srgb}) are sRGB-encoded in [0, 1], as a colour picker shows them; shading happens in
 * linear light and the output is sRGB-encoded again. Mesh vertex colours are linear, as {@link TriangleMesh} stores
 * them.
 *
 * @param width output width in pixels, 1 to {@value #MAX_SIZE}
 * @param height output height in pixels, 1 to {@value #MAX_SIZE}
 * @param supersample render 2×2 samples per pixel and average them (box filter); edges get fractional coverage
 * @param background transparent, or a solid colour composited under the shape
 * @param baseColor the surface colour when the mesh has no vertex colours (or they are switched off)
 * @param vertexColors use the mesh's per-vertex colours when it has them
 * @param ambient ambient light intensity, added to every lit sample, ≥ 0
 * @param lights directional lights fixed to the camera (so every view of an orbit is lit the same way)
 * @param normalSpace the frame of the normal-map output
 * @param creaseAngleDeg faces meeting at a larger angle than this keep separate normals (a sharp edge); 180 smooths
 *     everything, 0 gives flat shading. Ignored when the mesh has normals and {@code useMeshNormals} is set
 * @param useMeshNormals shade with the mesh's own vertex normals when it has them
 * @param cullBackFaces skip triangles seen from behind; otherwise they are drawn two-sided (lit as if facing the
 *     camera, dimmed by {@code backfaceBrightness}) so holes and inside-out parts are visible
 * @param backfaceBrightness factor in [0, 1] on the colour of back-facing surfaces
 */
public record RenderOptions(
        int width,
        int height,
        boolean supersample,
        Background background,
        Srgb baseColor,
        boolean vertexColors,
        double ambient,
        List<Light> lights,
        NormalSpace normalSpace,
        double creaseAngleDeg,
        boolean useMeshNormals,
        boolean cullBackFaces,
        double backfaceBrightness) {

    /** Largest accepted width or height in pixels. */
    public static final int MAX_SIZE = 16384;

    /** The default surface colour: a neutral, slightly warm clay (sRGB #BEB5A8). */
    public static final Srgb CLAY = new Srgb(0xBE / 255.0, 0xB5 / 255.0, 0xA8 / 255.0);

    /**
     * The default lights, in camera space: a soft key light from the upper left in front, a weaker fill from the
     * right and a faint light from above and behind that rims the top edges.
     */
    public static final List<Light> STUDIO_LIGHTS = List.of(
            new Light(-0.55, 0.70, 0.45, 0.90), new Light(0.75, -0.05, 0.65, 0.28), new Light(0.0, 0.80, -0.60, 0.25));

    public RenderOptions {
        checkSize(width, height);
        if (background == null || baseColor == null || lights == null || normalSpace == null) {
            throw new IllegalArgumentException("render options: background, base colour, lights and normal space "
                    + "must not be null (use an empty light list for ambient only)");
        }
        lights = List.copyOf(lights);
        if (!(ambient >= 0) || !Double.isFinite(ambient)) {
            throw new IllegalArgumentException("ambient intensity must be finite and ≥ 0, got " + ambient);
        }
        if (!(creaseAngleDeg >= 0 && creaseAngleDeg <= 180)) {
            throw new IllegalArgumentException("crease angle must be in [0°, 180°], got " + creaseAngleDeg);
        }
        if (!(backfaceBrightness >= 0 && backfaceBrightness <= 1)) {
            throw new IllegalArgumentException("backface brightness must be in [0, 1], got " + backfaceBrightness);
        }
    }

    /**
     * Defaults for a {@code width × height} image: 2×2 supersampling, transparent background, clay colour, vertex
     * colours when present, ambient 0.10 with {@link #STUDIO_LIGHTS}, camera-space normals, 40° crease angle, mesh
     * normals when present, two-sided drawing with back faces at 55 % brightness.
     */
    public static RenderOptions of(int width, int height) {
        return new RenderOptions(
                width,
                height,
                true,
                Background.TRANSPARENT,
                CLAY,
                true,
                0.10,
                STUDIO_LIGHTS,
                NormalSpace.CAMERA,
                40,
                true,
                false,
                0.55);
    }

    /**
     * Checks an image size before anything is allocated.
     *
     * @throws IllegalArgumentException naming the size and the accepted range
     */
    public static void checkSize(int width, int height) {
        if (width < 1 || height < 1 || width > MAX_SIZE || height > MAX_SIZE) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "image size %d×%d is not valid: width and height must be 1 to %d pixels",
                    width,
                    height,
                    MAX_SIZE));
        }
    }

    /** Samples per pixel along each axis: 2 with supersampling, else 1. */
    public int samplesPerAxis() {
        return supersample ? 2 : 1;
    }

    /** These options for another image size (checked like {@link #checkSize}). */
    public RenderOptions withSize(int newWidth, int newHeight) {
        return with(c -> {
            c.width = newWidth;
            c.height = newHeight;
        });
    }

    /** These options with 2×2 supersampling on or off. */
    public RenderOptions withSupersample(boolean on) {
        return with(c -> c.supersample = on);
    }

    /** These options with another background. */
    public RenderOptions withBackground(Background newBackground) {
        return with(c -> c.background = newBackground);
    }

    /** These options with another surface colour (used when the mesh has no vertex colours). */
    public RenderOptions withBaseColor(Srgb color) {
        return with(c -> c.baseColor = color);
    }

    /** These options with the mesh's vertex colours used or ignored. */
    public RenderOptions withVertexColors(boolean on) {
        return with(c -> c.vertexColors = on);
    }

    /** These options with another ambient intensity and camera-fixed lights. */
    public RenderOptions withLighting(double newAmbient, List<Light> newLights) {
        return with(c -> {
            c.ambient = newAmbient;
            c.lights = newLights;
        });
    }

    /** These options with the normal map in another frame. */
    public RenderOptions withNormalSpace(NormalSpace space) {
        return with(c -> c.normalSpace = space);
    }

    /** Sets the crease angle and whether the mesh's own normals are used. */
    public RenderOptions withShading(double newCreaseAngleDeg, boolean newUseMeshNormals) {
        return with(c -> {
            c.creaseAngleDeg = newCreaseAngleDeg;
            c.useMeshNormals = newUseMeshNormals;
        });
    }

    /** Sets back-face culling and the brightness of back faces drawn two-sided. */
    public RenderOptions withBackFaces(boolean cull, double brightness) {
        return with(c -> {
            c.cullBackFaces = cull;
            c.backfaceBrightness = brightness;
        });
    }

    private RenderOptions with(java.util.function.Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return c.build();
    }

    /** A mutable copy for the {@code with…} methods: one place lists the fields. */
    private static final class Copy {
        int width;
        int height;
        boolean supersample;
        Background background;
        Srgb baseColor;
        boolean vertexColors;
        double ambient;
        List<Light> lights;
        NormalSpace normalSpace;
        double creaseAngleDeg;
        boolean useMeshNormals;
        boolean cullBackFaces;
        double backfaceBrightness;

        Copy(RenderOptions o) {
            width = o.width;
            height = o.height;
            supersample = o.supersample;
            background = o.background;
            baseColor = o.baseColor;
            vertexColors = o.vertexColors;
            ambient = o.ambient;
            lights = o.lights;
            normalSpace = o.normalSpace;
            creaseAngleDeg = o.creaseAngleDeg;
            useMeshNormals = o.useMeshNormals;
            cullBackFaces = o.cullBackFaces;
            backfaceBrightness = o.backfaceBrightness;
        }

        RenderOptions build() {
            return new RenderOptions(
                    width,
                    height,
                    supersample,
                    background,
                    baseColor,
                    vertexColors,
                    ambient,
                    lights,
                    normalSpace,
                    creaseAngleDeg,
                    useMeshNormals,
                    cullBackFaces,
                    backfaceBrightness);
        }
    }

    /**
     * An sRGB-encoded colour, components in [0, 1].
     *
     * @param r red
     * @param g green
     * @param b blue
     */
    public record Srgb(double r, double g, double b) {
        /** White, {@code #FFFFFF}. */
        public static final Srgb WHITE = new Srgb(1, 1, 1);
        /** Black, {@code #000000}. */
        public static final Srgb BLACK = new Srgb(0, 0, 0);

        public Srgb {
            if (!(r >= 0 && r <= 1 && g >= 0 && g <= 1 && b >= 0 && b <= 1)) {
                throw new IllegalArgumentException("sRGB components must be in [0, 1], got " + r + ", " + g + ", " + b);
            }
        }

        /**
         * Parses {@code #rrggbb} or {@code rrggbb} hex, or one of the names {@code white}, {@code black}, {@code grey}
         * / {@code gray}, {@code clay}.
         *
         * @throws IllegalArgumentException naming the text and the accepted forms
         */
        public static Srgb parse(String text) {
            String s = text.strip().toLowerCase(Locale.ROOT);
            switch (s) {
                case "white":
                    return WHITE;
                case "black":
                    return BLACK;
                case "grey", "gray":
                    return new Srgb(0.5, 0.5, 0.5);
                case "clay":
                    return CLAY;
                default:
                    break;
            }
            String hex = s.startsWith("#") ? s.substring(1) : s;
            if (hex.length() == 6 && hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                int v = Integer.parseInt(hex, 16);
                return new Srgb(((v >> 16) & 255) / 255.0, ((v >> 8) & 255) / 255.0, (v & 255) / 255.0);
            }
            throw new IllegalArgumentException(
                    "unknown colour '" + text + "': use #rrggbb, or white, black, grey, clay");
        }

        /** The colour in linear light, {@code {r, g, b}}. */
        public float[] linear() {
            return new float[] {(float) toLinear(r), (float) toLinear(g), (float) toLinear(b)};
        }

        /** The sRGB transfer function's inverse: an encoded value in [0, 1] to linear light. */
        public static double toLinear(double c) {
            return c <= 0.04045 ? c / 12.92 : StrictMath.pow((c + 0.055) / 1.055, 2.4);
        }

        // linear-light thresholds between consecutive 8-bit sRGB codes: code k+1 starts at toLinear((k + 0.5) / 255)
        private static final double[] STEPS = new double[255];

        static {
            for (int k = 0; k < 255; k++) {
                STEPS[k] = toLinear((k + 0.5) / 255);
            }
        }

        /**
         * Linear light to an 8-bit sRGB code, {@code round(255 · fromLinear(c))}, by a binary search over the 255
         * code boundaries (exact and fast; values outside [0, 1] clamp).
         */
        public static int encode8(double c) {
            int lo = 0, hi = 255; // the answer is the number of boundaries ≤ c
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (c >= STEPS[mid]) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        /** The sRGB transfer function: linear light in [0, 1] to an encoded value. */
        public static double fromLinear(double c) {
            if (!(c > 0)) {
                return 0;
            }
            if (c >= 1) {
                return 1;
            }
            return c <= 0.0031308 ? 12.92 * c : 1.055 * StrictMath.pow(c, 1 / 2.4) - 0.055;
        }
    }

    /**
     * The image background: transparent (alpha 0 where nothing is drawn, fractional alpha on supersampled edges) or a
     * solid sRGB colour.
     *
     * @param color the solid colour (ignored when transparent; then black)
     * @param transparent whether the background is transparent
     */
    public record Background(Srgb color, boolean transparent) {
        /** No background: alpha 0 where nothing is drawn. */
        public static final Background TRANSPARENT = new Background(Srgb.BLACK, true);
        /** Solid white. */
        public static final Background WHITE = new Background(Srgb.WHITE, false);

        public Background {
            if (color == null) {
                throw new IllegalArgumentException("background colour must not be null");
            }
        }

        /** A solid background of the given colour. */
        public static Background solid(Srgb color) {
            return new Background(color, false);
        }

        /** {@code transparent}, or a colour as {@link Srgb#parse} accepts it. */
        public static Background parse(String text) {
            return text.strip().equalsIgnoreCase("transparent") ? TRANSPARENT : solid(Srgb.parse(text));
        }
    }

    /**
     * A directional light fixed to the camera. The direction points <i>towards</i> the light in camera space (+x
     * right, +y up, +z towards the viewer) and is normalised here; a light at {@code (0, 0, 1)} is a headlight.
     *
     * @param x direction x
     * @param y direction y
     * @param z direction z
     * @param intensity intensity, ≥ 0 (a white surface facing a light of intensity 1 is white)
     */
    public record Light(double x, double y, double z, double intensity) {
        public Light {
            double n = Math.sqrt(x * x + y * y + z * z);
            if (!(n > 0) || !Double.isFinite(n)) {
                throw new IllegalArgumentException("light direction must be finite and non-zero");
            }
            if (!(intensity >= 0) || !Double.isFinite(intensity)) {
                throw new IllegalArgumentException("light intensity must be finite and ≥ 0, got " + intensity);
            }
            x /= n;
            y /= n;
            z /= n;
        }
    }

    /** The frame in which the normal-map output expresses normals. */
    public enum NormalSpace {
        /**
         * The camera frame: +x right, +y up, +z towards the viewer (the OpenGL convention); a surface facing the
         * camera is {@code (0, 0, 1)}, encoded as the familiar lilac-blue {@code (128, 128, 255)}.
         */
        CAMERA,
        /** The mesh's own world frame (+Y up), independent of the view. */
        WORLD
    }
}
