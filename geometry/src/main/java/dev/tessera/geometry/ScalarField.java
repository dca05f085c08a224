package dev.tessera.geometry;

/** A scalar function of space, such as an analytic signed distance. */
@FunctionalInterface
public interface ScalarField {
    double value(double x, double y, double z);
}
