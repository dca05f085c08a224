package dev.tessera.geometry;

/**
 * Where a ray {@code o + t·d} crosses a triangle of a mesh.
 *
 * @param triangle index of the triangle hit
 * @param t ray parameter of the hit ({@code ≥ 0}); the distance from the origin when the direction is a unit vector
 * @param u barycentric weight of the triangle's corner 0
 * @param v barycentric weight of corner 1
 * @param w barycentric weight of corner 2
 * @param x x of the hit point
 * @param y y of the hit point
 * @param z z of the hit point
 * @param frontFace true when the ray enters through the triangle's front (counter-clockwise, outward) side, that is
 *     the direction points against the face normal
 */
public record RayHit(int triangle, float t, float u, float v, float w, float x, float y, float z, boolean frontFace) {}
