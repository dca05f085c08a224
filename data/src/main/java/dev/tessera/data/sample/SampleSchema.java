package dev.tessera.data.sample;

import dev.tessera.data.safetensors.DType;
import java.util.List;

/**
 * The names, element types and shapes of the arrays in a training sample (one safetensors file per shape). The
 * full description, with units and conventions, is {@code docs/sample-format.md}. All coordinates are in the
 * normalised frame (the shape centred, its longest side spanning {@code [-0.9, 0.9]} by default); signed distances
 * are in the same units and negative inside.
 */
public final class SampleSchema {
    private SampleSchema() {}

    /** Surface points, F32 {@code [Ns, 3]}, area-uniform on the watertight surface. */
    public static final String SURFACE_POINTS = "surface.points";
    /** Unit face normals of the surface points, F32 {@code [Ns, 3]}. */
    public static final String SURFACE_NORMALS = "surface.normals";
    /** Points on sharp edges (dihedral angle above the threshold), F32 {@code [Nk, 3]}; Nk may be 0. */
    public static final String SHARP_POINTS = "sharp.points";
    /** Normals of the sharp-edge points (the mean of the two faces'), F32 {@code [Nk, 3]}. */
    public static final String SHARP_NORMALS = "sharp.normals";
    /** Near-surface query points (surface points plus Gaussian noise), F32 {@code [Nn, 3]}. */
    public static final String NEAR_POINTS = "near.points";
    /** Signed distance of the near-surface queries, F32 {@code [Nn]}. */
    public static final String NEAR_SDF = "near.sdf";
    /** Queries near sharp edges, F32 {@code [Nq, 3]}; Nq may be 0. */
    public static final String NEAR_SHARP_POINTS = "near_sharp.points";
    /** Signed distance of the near-sharp queries, F32 {@code [Nq]}. */
    public static final String NEAR_SHARP_SDF = "near_sharp.sdf";
    /** Uniform queries in the volume box, F32 {@code [Nv, 3]}. */
    public static final String VOLUME_POINTS = "volume.points";
    /** Signed distance of the volume queries, F32 {@code [Nv]}. */
    public static final String VOLUME_SDF = "volume.sdf";
    /**
     * The 64³ voxel grid over {@code [-1, 1]³}, U8 {@code [64, 64, 64]} (x, y, z): 0 outside, 1 surface (the voxel's
     * cube intersects a triangle), 2 inside. TRELLIS's sparse-structure occupancy is {@code grid == 1}; the solid is
     * {@code grid >= 1}.
     */
    public static final String VOXELS_64 = "voxels64";
    /** Sparse high-resolution voxels near the surface: integer coordinates, I16 {@code [Nz, 3]}. */
    public static final String SPARSE_COORDS = "sparse.coords";
    /** Signed distance at the centres of the sparse voxels, F32 {@code [Nz]}. */
    public static final String SPARSE_SDF = "sparse.sdf";
    /** Rendered condition views, U8 {@code [K, H, W, 4]} (RGBA, sRGB). */
    public static final String VIEW_IMAGES = "views.images";
    /** World-to-camera matrices of the views, F32 {@code [K, 4, 4]} (OpenGL camera: −z forward, +y up). */
    public static final String VIEW_EXTRINSICS = "views.extrinsics";
    /** Orbit parameters of the views, F32 {@code [K, 4]}: yaw (°), pitch (°), distance, vertical field of view (°). */
    public static final String VIEW_ORBITS = "views.orbits";

    /** The value of {@link #VOXELS_64} outside the shape. */
    public static final byte OUTSIDE = 0;
    /** The value of {@link #VOXELS_64} on the surface. */
    public static final byte SURFACE = 1;
    /** The value of {@link #VOXELS_64} inside the shape. */
    public static final byte INSIDE = 2;

    /** One array of the schema: its name, element type, and number of columns per row (0 for a fixed shape). */
    public record Field(String name, DType dtype, long columns, boolean required) {}

    /** Every array of the schema, in file order. */
    public static final List<Field> FIELDS = List.of(
            new Field(SURFACE_POINTS, DType.F32, 3, true),
            new Field(SURFACE_NORMALS, DType.F32, 3, true),
            new Field(SHARP_POINTS, DType.F32, 3, true),
            new Field(SHARP_NORMALS, DType.F32, 3, true),
            new Field(NEAR_POINTS, DType.F32, 3, true),
            new Field(NEAR_SDF, DType.F32, 1, true),
            new Field(NEAR_SHARP_POINTS, DType.F32, 3, true),
            new Field(NEAR_SHARP_SDF, DType.F32, 1, true),
            new Field(VOLUME_POINTS, DType.F32, 3, true),
            new Field(VOLUME_SDF, DType.F32, 1, true),
            new Field(VOXELS_64, DType.U8, 0, true),
            new Field(SPARSE_COORDS, DType.I16, 3, false),
            new Field(SPARSE_SDF, DType.F32, 1, false),
            new Field(VIEW_IMAGES, DType.U8, 0, false),
            new Field(VIEW_EXTRINSICS, DType.F32, 0, false),
            new Field(VIEW_ORBITS, DType.F32, 0, false));

    /** Metadata key: the source file, as given to {@code prep}. */
    public static final String META_SOURCE = "source";
    /** Metadata key: SHA-256 of the source file's bytes (hex). */
    public static final String META_CONTENT_HASH = "content_hash";
    /** Metadata key: SHA-256 of the preprocessing settings (hex), to skip shapes done with the same settings. */
    public static final String META_SETTINGS_HASH = "settings_hash";
    /** Metadata key: the settings as JSON. */
    public static final String META_SETTINGS = "settings";
    /** Metadata key: the normalisation, JSON {@code {"center":[x,y,z],"scale":s}}: {@code p' = (p − center)·scale}. */
    public static final String META_NORMALIZATION = "normalization";
    /** Metadata key: the class label, if any. */
    public static final String META_LABEL = "label";
    /** Metadata key: resolution of the sparse voxels. */
    public static final String META_SPARSE_RESOLUTION = "sparse_resolution";
    /** Metadata key: the schema version. */
    public static final String META_SCHEMA = "tessera_sample_schema";
    /** Metadata key: the Tessera version that wrote the file. */
    public static final String META_TOOL_VERSION = "tool_version";
    /** The schema version this code writes and reads. */
    public static final String SCHEMA_VERSION = "1";
}
