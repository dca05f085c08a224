package dev.tessera.data.prep;

import dev.tessera.data.sample.Sample;
import dev.tessera.geometry.TriangleMesh;
import java.util.Map;

/** Turns one source mesh into a training sample (the middle of {@code prep}: normalise → watertight → sample). */
@FunctionalInterface
public interface SampleBuilder {
    /**
     * @param source the mesh as read from its file
     * @param options the run's settings
     * @param seed the seed of this shape's random draws
     * @param metadata metadata to store in the sample (source, hashes, label...), to which the builder adds its own
     * @param timings seconds per stage, filled in by the builder
     * @return the sample
     * @throws PrepException when the shape cannot be made into a sample (the message is one line)
     */
    Sample build(
            TriangleMesh source,
            PrepOptions options,
            long seed,
            Map<String, String> metadata,
            Map<String, Double> timings)
            throws PrepException;
}
