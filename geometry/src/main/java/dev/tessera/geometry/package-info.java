/**
 * Geometry for 3D generative models, in pure Java: immutable mesh and field values, and the algorithms
 * that turn meshes into exact fields and back.
 *
 * <p><b>Conventions.</b> Coordinates are {@code float}, packed {@code x0 y0 z0 x1 y1 z1 ...}. Triangles are
 * counter-clockwise seen from outside, so face normals point out. A signed distance is <b>negative
 * inside</b> and positive outside. Dense grids sample their box at grid <i>points</i> (both faces of the box
 * included), stored with x slowest and z fastest, the layout of {@code numpy.meshgrid(..., indexing="ij")}.
 */
package dev.tessera.geometry;
