package dev.tessera.geometry;

/**
 * An axis-aligned box, {@code [minX, maxX] × [minY, maxY] × [minZ, maxZ]}.
 *
 * @param minX smallest x
 * @param minY smallest y
 * @param minZ smallest z
 * @param maxX largest x
 * @param maxY largest y
 * @param maxZ largest z
 */
public record Aabb(double minX, double minY, double minZ, double maxX, double maxY, double maxZ) {

    public Aabb {
        if (!(minX <= maxX && minY <= maxY && minZ <= maxZ)) {
            throw new IllegalArgumentException(
                    "empty or NaN box: " + minX + " " + minY + " " + minZ + " .. " + maxX + " " + maxY + " " + maxZ);
        }
    }

    /** The cube {@code [-h, h]³}. */
    public static Aabb cube(double halfExtent) {
        return new Aabb(-halfExtent, -halfExtent, -halfExtent, halfExtent, halfExtent, halfExtent);
    }

    /** The bounds of packed {@code xyz} coordinates; throws on an empty array. */
    public static Aabb of(float[] xyz) {
        if (xyz.length < 3) {
            throw new IllegalArgumentException("no points to bound");
        }
        double x0 = Double.POSITIVE_INFINITY, y0 = x0, z0 = x0;
        double x1 = Double.NEGATIVE_INFINITY, y1 = x1, z1 = x1;
        for (int i = 0; i + 2 < xyz.length; i += 3) {
            x0 = Math.min(x0, xyz[i]);
            x1 = Math.max(x1, xyz[i]);
            y0 = Math.min(y0, xyz[i + 1]);
            y1 = Math.max(y1, xyz[i + 1]);
            z0 = Math.min(z0, xyz[i + 2]);
            z1 = Math.max(z1, xyz[i + 2]);
        }
        return new Aabb(x0, y0, z0, x1, y1, z1);
    }

    public double sizeX() {
        return maxX - minX;
    }

    public double sizeY() {
        return maxY - minY;
    }

    public double sizeZ() {
        return maxZ - minZ;
    }

    /** The longest side. */
    public double maxSize() {
        return Math.max(sizeX(), Math.max(sizeY(), sizeZ()));
    }

    public double centerX() {
        return 0.5 * (minX + maxX);
    }

    public double centerY() {
        return 0.5 * (minY + maxY);
    }

    public double centerZ() {
        return 0.5 * (minZ + maxZ);
    }

    /** Length of the diagonal. */
    public double diagonal() {
        return Math.sqrt(sizeX() * sizeX() + sizeY() * sizeY() + sizeZ() * sizeZ());
    }

    /** This box grown by {@code margin} on every side. */
    public Aabb expand(double margin) {
        return new Aabb(minX - margin, minY - margin, minZ - margin, maxX + margin, maxY + margin, maxZ + margin);
    }

    public boolean contains(double x, double y, double z) {
        return x >= minX && x <= maxX && y >= minY && y <= maxY && z >= minZ && z <= maxZ;
    }
}
