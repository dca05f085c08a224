package dev.tessera.data.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * One line of a dataset's {@code manifest.jsonl}: the outcome of preprocessing one source mesh.
 *
 * @param id the sample's id (its file is {@code samples/<id>.safetensors})
 * @param source the source file as given
 * @param contentHash SHA-256 of the source's bytes (hex)
 * @param settingsHash SHA-256 of the preprocessing settings (hex)
 * @param status {@code ok} or {@code failed}
 * @param error the one-line reason of a failure, or {@code null}
 * @param label the class label, or {@code null}
 * @param counts array sizes of the sample (surface, sharp, queries, sparse voxels...)
 * @param timings seconds spent per stage
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ManifestRecord(
        String id,
        String source,
        @JsonProperty("content_hash") String contentHash,
        @JsonProperty("settings_hash") String settingsHash,
        String status,
        String error,
        String label,
        Map<String, Long> counts,
        Map<String, Double> timings) {

    /** Status of a sample written successfully. */
    public static final String OK = "ok";
    /** Status of a source that could not be turned into a sample. */
    public static final String FAILED = "failed";

    public boolean ok() {
        return OK.equals(status);
    }
}
