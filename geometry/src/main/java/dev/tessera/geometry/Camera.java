package dev.tessera.geometry;

import java.util.Locale;

/**
 * A pinhole perspective camera: an eye, an orthonormal view basis and a vertical field of view. Immutable.
 *
 * <p><b>Axes.</b> The world is right-handed with <b>+Y up</b> (the glTF and OBJ convention). The camera looks down its
 * own −Z axis; its +X points right and +Y up on the image, as in OpenGL. Pixel {@code (0, 0)} is the top-left corner
 * of the image and pixel centres sit at half-integer positions.
 *
 * <p><b>Orbit.</b> {@link #orbit(double, double, double, double)} puts the eye on a sphere around the target:
 * {@code eye = target + distance · (sin(yaw)·cos(pitch), sin(pitch), cos(yaw)·cos(pitch))}. Yaw turns around +Y,
 * counter-clockwise seen from above: yaw 0 looks at the shape's front (the camera on +Z looking towards −Z), yaw 90°
 * looks from +X (the shape's right side), yaw 180° from the back. Positive pitch raises the camera, so it looks down
 * on the shape; pitch ±90° looks straight down or up, and the image's up direction is then the continuation of the
 * orbit's (no singularity).
 *
 * <p><b>Dataset condition renders.</b> Image-conditioned 3D models (TRELLIS, Hunyuan3D) render their training images
 * in Blender with a camera on a sphere around the shape normalised into a unit box: in Blender's Z-up world the eye is
 * {@code r · (sin(yaw)·cos(pitch), cos(yaw)·cos(pitch), sin(pitch))}, looking at the origin with +Z up. {@link
 * #orbitZUp} reproduces exactly that camera for a mesh stored Z-up. For a Y-up glTF mesh that Blender imported
 * (which maps glTF (x, y, z) to Blender (x, −z, y)), the same view is {@code orbit(180° − yaw, pitch, r, fov)}.
 * TRELLIS' defaults are a shape in [−0.5, 0.5]³, {@code r = 2} and a 40° field of view; its conditioning views use
 * {@code r = (√3/2) / sin(fov/2)}, which is what {@link #framing} computes for that cube's bounding sphere.
 *
 * <p>Depth is measured along the view axis ("linear" or "planar" depth, the camera-space −z), not as the Euclidean
 * distance from the eye. Only points in front of the {@link #near() near plane} are drawn.
 */
public final class Camera {
    private final double eyeX, eyeY, eyeZ;
    private final double rightX, rightY, rightZ;
    private final double upX, upY, upZ;
    // the camera's +Z axis ("back"): from the target towards the eye
    private final double backX, backY, backZ;
    private final double fovYDeg;
    private final double near;

    private Camera(double[] eye, double[] right, double[] up, double[] back, double fovYDeg, double near) {
        for (double v : new double[] {eye[0], eye[1], eye[2], fovYDeg, near}) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("camera parameters must be finite (eye, field of view, near)");
            }
        }
        if (!(fovYDeg > 0 && fovYDeg < 179)) {
            throw new IllegalArgumentException(
                    "vertical field of view must be in (0°, 179°), got " + fovYDeg + "°; 40° is a common choice");
        }
        if (!(near > 0)) {
            throw new IllegalArgumentException("near plane distance must be positive, got " + near);
        }
        this.eyeX = eye[0];
        this.eyeY = eye[1];
        this.eyeZ = eye[2];
        this.rightX = right[0];
        this.rightY = right[1];
        this.rightZ = right[2];
        this.upX = up[0];
        this.upY = up[1];
        this.upZ = up[2];
        this.backX = back[0];
        this.backY = back[1];
        this.backZ = back[2];
        this.fovYDeg = fovYDeg;
        this.near = near;
    }

    /**
     * A camera on an orbit around the origin, +Y up (see the class comment for the angles).
     *
     * @param yawDeg rotation around +Y in degrees; 0 looks from +Z, 90 from +X
     * @param pitchDeg elevation in degrees; positive looks down from above
     * @param distance eye-to-origin distance, positive
     * @param fovYDeg vertical field of view in degrees, in (0, 179)
     */
    public static Camera orbit(double yawDeg, double pitchDeg, double distance, double fovYDeg) {
        return orbit(0, 0, 0, yawDeg, pitchDeg, distance, fovYDeg);
    }

    /** A camera on an orbit around {@code (targetX, targetY, targetZ)}, +Y up; see {@link #orbit(double, double, double, double)}. */
    public static Camera orbit(
            double targetX,
            double targetY,
            double targetZ,
            double yawDeg,
            double pitchDeg,
            double distance,
            double fovYDeg) {
        checkDistance(distance);
        checkAngle(yawDeg, "yaw");
        checkAngle(pitchDeg, "pitch");
        double y = Math.toRadians(yawDeg), p = Math.toRadians(pitchDeg);
        double sy = StrictMath.sin(y), cy = StrictMath.cos(y), sp = StrictMath.sin(p), cp = StrictMath.cos(p);
        double[] back = {sy * cp, sp, cy * cp};
        double[] right = {cy, 0, -sy};
        double[] up = {-sp * sy, cp, -sp * cy};
        double[] eye = {targetX + distance * back[0], targetY + distance * back[1], targetZ + distance * back[2]};
        return new Camera(eye, right, up, back, fovYDeg, defaultNear(distance));
    }

    /**
     * The Blender / TRELLIS orbit camera in a Z-up world: the eye at {@code distance · (sin(yaw)·cos(pitch),
     * cos(yaw)·cos(pitch), sin(pitch))}, looking at the origin with +Z up. Use it for meshes stored Z-up to reproduce
     * a dataset's condition renders; see the class comment for Y-up meshes.
     */
    public static Camera orbitZUp(double yawDeg, double pitchDeg, double distance, double fovYDeg) {
        checkDistance(distance);
        checkAngle(yawDeg, "yaw");
        checkAngle(pitchDeg, "pitch");
        double y = Math.toRadians(yawDeg), p = Math.toRadians(pitchDeg);
        double sy = StrictMath.sin(y), cy = StrictMath.cos(y), sp = StrictMath.sin(p), cp = StrictMath.cos(p);
        double[] back = {sy * cp, cy * cp, sp};
        double[] right = {-cy, sy, 0};
        // up = back × right
        double[] up = new double[3];
        up[0] = back[1] * right[2] - back[2] * right[1];
        up[1] = back[2] * right[0] - back[0] * right[2];
        up[2] = back[0] * right[1] - back[1] * right[0];
        double[] eye = {distance * back[0], distance * back[1], distance * back[2]};
        return new Camera(eye, right, up, back, fovYDeg, defaultNear(distance));
    }

    /**
     * A camera at {@code eye} looking at {@code target}, with {@code up} the approximate image-up direction.
     *
     * @throws IllegalArgumentException when eye and target coincide or {@code up} is parallel to the view direction
     */
    public static Camera lookAt(
            double eyeX,
            double eyeY,
            double eyeZ,
            double targetX,
            double targetY,
            double targetZ,
            double upX,
            double upY,
            double upZ,
            double fovYDeg) {
        double[] back = {eyeX - targetX, eyeY - targetY, eyeZ - targetZ};
        double dist = norm(back);
        if (!(dist > 0) || !Double.isFinite(dist)) {
            throw new IllegalArgumentException("look-at: eye and target must be distinct finite points");
        }
        scale(back, 1 / dist);
        double[] upHint = {upX, upY, upZ};
        // right = up × back
        double[] right = {
            upHint[1] * back[2] - upHint[2] * back[1],
            upHint[2] * back[0] - upHint[0] * back[2],
            upHint[0] * back[1] - upHint[1] * back[0]
        };
        double rn = norm(right);
        if (!(rn > 1e-9 * Math.max(1, norm(upHint))) || !Double.isFinite(rn)) {
            throw new IllegalArgumentException(
                    "look-at: the up vector is zero or parallel to the view direction; choose another up vector");
        }
        scale(right, 1 / rn);
        double[] up = {
            back[1] * right[2] - back[2] * right[1],
            back[2] * right[0] - back[0] * right[2],
            back[0] * right[1] - back[1] * right[0]
        };
        return new Camera(new double[] {eyeX, eyeY, eyeZ}, right, up, back, fovYDeg, defaultNear(dist));
    }

    /**
     * An orbit camera (+Y up) around the centre of {@code bounds}, far enough that the box's bounding sphere fills
     * the image's height (and width, for square or wide images) up to {@code margin}: {@code distance = margin · R /
     * sin(fov/2)} with {@code R} the half-diagonal. With margin 1 the sphere touches the frame; 1.05–1.15 leaves air.
     */
    public static Camera framing(Aabb bounds, double yawDeg, double pitchDeg, double fovYDeg, double margin) {
        if (!(margin > 0) || !Double.isFinite(margin)) {
            throw new IllegalArgumentException("framing margin must be positive, got " + margin);
        }
        double radius = 0.5 * bounds.diagonal();
        if (!(radius > 0) || !Double.isFinite(radius)) {
            throw new InvalidMeshException("cannot frame a shape of zero or non-finite extent");
        }
        if (!(fovYDeg > 0 && fovYDeg < 179)) {
            throw new IllegalArgumentException("vertical field of view must be in (0°, 179°), got " + fovYDeg + "°");
        }
        double distance = margin * radius / StrictMath.sin(Math.toRadians(fovYDeg) / 2);
        return orbit(bounds.centerX(), bounds.centerY(), bounds.centerZ(), yawDeg, pitchDeg, distance, fovYDeg);
    }

    /** This camera with another near-plane distance (default: 1/1000 of the eye-to-target distance). */
    public Camera withNear(double newNear) {
        return new Camera(
                new double[] {eyeX, eyeY, eyeZ},
                new double[] {rightX, rightY, rightZ},
                new double[] {upX, upY, upZ},
                new double[] {backX, backY, backZ},
                fovYDeg,
                newNear);
    }

    /** This camera with another vertical field of view in degrees (the eye and orientation are kept). */
    public Camera withFov(double newFovYDeg) {
        return new Camera(
                new double[] {eyeX, eyeY, eyeZ},
                new double[] {rightX, rightY, rightZ},
                new double[] {upX, upY, upZ},
                new double[] {backX, backY, backZ},
                newFovYDeg,
                near);
    }

    /** The eye position {@code {x, y, z}}. */
    public double[] eye() {
        return new double[] {eyeX, eyeY, eyeZ};
    }

    /** The unit view direction (where the camera looks), the camera's −Z axis in world coordinates. */
    public double[] forward() {
        return new double[] {-backX, -backY, -backZ};
    }

    /** The unit image-right direction, the camera's +X axis in world coordinates. */
    public double[] right() {
        return new double[] {rightX, rightY, rightZ};
    }

    /** The unit image-up direction, the camera's +Y axis in world coordinates. */
    public double[] up() {
        return new double[] {upX, upY, upZ};
    }

    /** Vertical field of view in degrees. */
    public double fovYDeg() {
        return fovYDeg;
    }

    /** Near-plane distance along the view axis; nearer geometry is clipped. */
    public double near() {
        return near;
    }

    /**
     * Focal length in pixels for an image {@code height} pixels high: {@code (height/2) / tan(fov/2)}. Pixels are
     * square, so the horizontal field of view follows from the aspect ratio.
     */
    public double focalPixels(int height) {
        return 0.5 * height / StrictMath.tan(Math.toRadians(fovYDeg) / 2);
    }

    /** Camera-space coordinates {@code {x, y, z}} of a world point (the camera looks towards −z). */
    public double[] toCamera(double x, double y, double z) {
        double dx = x - eyeX, dy = y - eyeY, dz = z - eyeZ;
        return new double[] {
            dx * rightX + dy * rightY + dz * rightZ,
            dx * upX + dy * upY + dz * upZ,
            dx * backX + dy * backY + dz * backZ
        };
    }

    /** Rotates a world direction into camera space (no translation). */
    public double[] directionToCamera(double x, double y, double z) {
        return new double[] {
            x * rightX + y * rightY + z * rightZ, x * upX + y * upY + z * upZ, x * backX + y * backY + z * backZ
        };
    }

    /**
     * Projects a world point into an image of the given size: {@code {column, row, depth}} in pixels from the
     * top-left corner (continuous; pixel {@code (i, j)} covers {@code [i, i+1) × [j, j+1)}) and linear depth. The
     * depth is negative or zero for points behind the eye, and then the pixel coordinates are meaningless.
     */
    public double[] project(double x, double y, double z, int width, int height) {
        double[] c = toCamera(x, y, z);
        double depth = -c[2];
        double f = focalPixels(height);
        return new double[] {0.5 * width + f * c[0] / depth, 0.5 * height - f * c[1] / depth, depth};
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "Camera[eye=(%.4g, %.4g, %.4g), forward=(%.4g, %.4g, %.4g), up=(%.4g, %.4g, %.4g), fovY=%.4g°, near=%.3g]",
                eyeX,
                eyeY,
                eyeZ,
                -backX,
                -backY,
                -backZ,
                upX,
                upY,
                upZ,
                fovYDeg,
                near);
    }

    private static double defaultNear(double distance) {
        return distance * 1e-3;
    }

    private static void checkDistance(double distance) {
        if (!(distance > 0) || !Double.isFinite(distance)) {
            throw new IllegalArgumentException("orbit distance must be finite and positive, got " + distance);
        }
    }

    private static void checkAngle(double deg, String what) {
        if (!Double.isFinite(deg)) {
            throw new IllegalArgumentException(what + " must be a finite angle in degrees, got " + deg);
        }
    }

    private static double norm(double[] v) {
        return Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    }

    private static void scale(double[] v, double s) {
        v[0] *= s;
        v[1] *= s;
        v[2] *= s;
    }
}
