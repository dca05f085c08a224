package dev.tessera.model.latent;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.tessera.model.NamedEnum;

/** The two latent families a Tessera VAE produces, with the per-shape tensor layout of each. */
public enum LatentKind implements NamedEnum {
    /** A VecSet VAE's unordered set of tokens: {@code [N, C]} per shape (channels last). */
    VECSET("vecset", 2),
    /** The sparse-structure VAE's dense latent grid: {@code [C, D, H, W]} per shape (channels first). */
    SPARSE_STRUCTURE("sparse-structure", 4);

    private final String id;
    private final int rank;

    LatentKind(String id, int rank) {
        this.id = id;
        this.rank = rank;
    }

    /** The name used in {@code latents.json} and on the command line. */
    @JsonValue
    public String id() {
        return id;
    }

    /** Rank of one shape's latent tensor. */
    public int rank() {
        return rank;
    }

    /** The channel axis of one shape's latent: the last for a vecset, the first for a grid. */
    public int channelAxis() {
        return this == VECSET ? 1 : 0;
    }

    /** Parses {@code vecset} or {@code sparse-structure}. */
    @JsonCreator
    public static LatentKind parse(String s) {
        return NamedEnum.parse(LatentKind.class, s, "latent kind");
    }
}
