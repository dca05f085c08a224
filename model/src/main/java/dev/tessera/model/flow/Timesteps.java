package dev.tessera.model.flow;

/**
 * Time grids for the ODE samplers, in Tessera's time (0 = noise, 1 = data).
 *
 * <p><b>Timestep shift</b> (SD3, Esser et al. 2024, eq. 23): on the noise level {@code σ = 1 − t} a shift {@code s}
 * maps {@code σ ↦ s·σ / (1 + (s − 1)·σ)}. With {@code s > 1} the grid spends more of its steps near the noise, where
 * the global structure is decided (the resolution-dependent shift of SD3; TRELLIS's {@code rescale_t}). {@code s = 1}
 * leaves the grid uniform.
 */
public final class Timesteps {
    private Timesteps() {}

    /** The shifted time of {@code t}: {@code 1 − s·(1 − t) / (1 + (s − 1)·(1 − t))}. */
    public static double shift(double t, double s) {
        if (!(s > 0)) {
            throw new IllegalArgumentException("timestep shift must be > 0, got " + s);
        }
        double sigma = 1 - t;
        return 1 - s * sigma / (1 + (s - 1) * sigma);
    }

    /** {@code steps + 1} times from 0 to 1: {@code shift(i / steps, s)}. Both ends are exact. */
    public static double[] uniform(int steps, double s) {
        if (steps < 1) {
            throw new IllegalArgumentException("need at least 1 step, got " + steps);
        }
        double[] t = new double[steps + 1];
        for (int i = 0; i <= steps; i++) {
            t[i] = shift((double) i / steps, s);
        }
        t[0] = 0;
        t[steps] = 1;
        return t;
    }

    /** Checks that a grid rises strictly within [0, 1] and has at least 2 points. */
    public static double[] check(double[] times) {
        if (times.length < 2) {
            throw new IllegalArgumentException("a time grid needs at least 2 points");
        }
        for (int i = 0; i < times.length; i++) {
            if (!(times[i] >= 0 && times[i] <= 1) || (i > 0 && !(times[i] > times[i - 1]))) {
                throw new IllegalArgumentException(
                        "times must rise strictly within [0, 1] (0 = noise, 1 = data); index " + i + " is " + times[i]);
            }
        }
        return times;
    }
}
