package dev.tessera.model.latent;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The contents of a latent set's {@code latents.json}: what the latents are, which VAE made them, and the shapes in
 * the set.
 *
 * @param format always {@value #FORMAT}
 * @param version format version ({@value #VERSION})
 * @param kind {@code vecset} ({@code [N, C]} per shape) or {@code sparse-structure} ({@code [C, D, H, W]})
 * @param latentShape the shape of every latent tensor
 * @param posterior whether the posterior {@code mean} or a {@code sample} was stored
 * @param vae the VAE that encoded the shapes
 * @param dataset the dataset directory the shapes came from, or {@code null}
 * @param complete false while the set is being written (an interrupted {@code encode} leaves it false)
 * @param count number of shapes (the length of {@code entries})
 * @param entries the shapes, sorted by id
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LatentSetInfo(
        String format,
        int version,
        LatentKind kind,
        @JsonProperty("latent_shape") List<Long> latentShape,
        Posterior posterior,
        VaeReference vae,
        String dataset,
        boolean complete,
        int count,
        List<LatentEntry> entries) {

    /** The {@code format} value of every latent set. */
    public static final String FORMAT = "tessera-latents";
    /** The current format version. */
    public static final int VERSION = 1;

    public LatentSetInfo {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(latentShape, "latent_shape");
        Objects.requireNonNull(posterior, "posterior");
        latentShape = List.copyOf(latentShape);
        entries = entries == null ? List.of() : List.copyOf(entries);
        if (count != entries.size()) {
            throw new IllegalArgumentException("count " + count + " disagrees with the " + entries.size() + " entries");
        }
        if (latentShape.size() != kind.rank()) {
            throw new IllegalArgumentException("a " + kind.id() + " latent has rank " + kind.rank() + " ("
                    + (kind == LatentKind.VECSET ? "[N, C]" : "[C, D, H, W]") + "), latent_shape is " + latentShape);
        }
        for (long d : latentShape) {
            if (d < 1) {
                throw new IllegalArgumentException("latent_shape " + latentShape + " has a non-positive size");
            }
        }
    }

    /** A new, empty (incomplete) set's header. */
    public static LatentSetInfo of(
            LatentKind kind, long[] latentShape, Posterior posterior, VaeReference vae, String dataset) {
        return new LatentSetInfo(
                FORMAT,
                VERSION,
                kind,
                Arrays.stream(latentShape).boxed().toList(),
                posterior,
                vae,
                dataset,
                false,
                0,
                List.of());
    }

    /** The latent shape as an array. */
    public long[] shape() {
        return latentShape.stream().mapToLong(Long::longValue).toArray();
    }

    /** Number of channels of one latent (the last axis of a vecset, the first of a grid). */
    public long channels() {
        return latentShape.get(kind.channelAxis());
    }

    /** Number of floats in one latent. */
    public long elements() {
        long n = 1;
        for (long d : latentShape) {
            n *= d;
        }
        return n;
    }

    /** The same header with other entries and completeness. */
    LatentSetInfo with(List<LatentEntry> newEntries, boolean isComplete) {
        return new LatentSetInfo(
                format, version, kind, latentShape, posterior, vae, dataset, isComplete, newEntries.size(), newEntries);
    }

    /** True when {@code other} describes latents of the same kind, shape, posterior and VAE. */
    public boolean sameLatents(LatentSetInfo other) {
        return kind == other.kind
                && latentShape.equals(other.latentShape)
                && posterior == other.posterior
                && Objects.equals(vae, other.vae);
    }
}
