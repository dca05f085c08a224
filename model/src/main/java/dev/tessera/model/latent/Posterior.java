package dev.tessera.model.latent;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.tessera.model.NamedEnum;

/** Which value of the VAE's posterior was stored for each shape. */
public enum Posterior implements NamedEnum {
    /** The posterior mean (the mode of a diagonal Gaussian): deterministic, what Hunyuan3D-2's training uses. */
    MEAN("mean"),
    /** One seeded draw of the posterior. */
    SAMPLE("sample");

    private final String id;

    Posterior(String id) {
        this.id = id;
    }

    @JsonValue
    public String id() {
        return id;
    }

    /** Parses {@code mean} or {@code sample}. */
    @JsonCreator
    public static Posterior parse(String s) {
        return NamedEnum.parse(Posterior.class, s, "posterior");
    }
}
