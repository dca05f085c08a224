package dev.tessera.model.gen;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What {@code generate} uses when the command line does not say otherwise.
 *
 * @param sampler {@code euler} or {@code heun}
 * @param steps solver steps
 * @param shift timestep shift (1: uniform)
 * @param cfg guidance scale (1: none)
 * @param cfgMin start of the guidance interval (Tessera time)
 * @param cfgMax end of the guidance interval
 */
public record SamplingDefaults(
        String sampler,
        int steps,
        double shift,
        double cfg,
        @JsonProperty("cfg_min") double cfgMin,
        @JsonProperty("cfg_max") double cfgMax) {
    /** Euler, 25 steps, no shift, guidance 7.5 over the whole path (1 for models without a null condition). */
    public static SamplingDefaults of(boolean guided) {
        return new SamplingDefaults("euler", 25, 1.0, guided ? 7.5 : 1.0, 0, 1);
    }
}
