package dev.tessera.geometry;

/**
 * The point of a mesh nearest to a query point.
 *
 * @param triangle index of the triangle that holds the closest point (the first found when several tie)
 * @param u barycentric weight of the triangle's corner 0
 * @param v barycentric weight of corner 1
 * @param w barycentric weight of corner 2 ({@code u + v + w = 1}, each in [0, 1])
 * @param x x of the closest point
 * @param y y of the closest point
 * @param z z of the closest point
 * @param distance Euclidean distance from the query to the closest point, in the mesh's units (≥ 0)
 */
public record ClosestPoint(int triangle, float u, float v, float w, float x, float y, float z, float distance) {}
