package dev.tessera.model.latent;

import dev.tessera.model.Tensors;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A latent set held in one tensor {@code [S, ...latent shape]}, for sets small enough to batch from memory. Create it
 * outside any step scope (it owns native memory until {@link #close()}).
 */
public final class InMemoryLatents implements AutoCloseable {
    private final Tensor all;
    private final List<String> ids;
    private final int[] labelIndex;
    private final List<String> labels;

    InMemoryLatents(Tensor all, List<String> ids, int[] labelIndex, List<String> labels) {
        this.all = all.retainReference();
        this.ids = List.copyOf(ids);
        this.labelIndex = labelIndex.clone();
        this.labels = labels;
    }

    /** Every latent, {@code [S, ...]} in the order of {@link #ids()}. */
    public Tensor all() {
        return all;
    }

    /** Number of latents. */
    public int size() {
        return ids.size();
    }

    /** The ids, row by row. */
    public List<String> ids() {
        return ids;
    }

    /** The set's labels, sorted (index space of {@link #labelIndex}). */
    public List<String> labels() {
        return labels;
    }

    /** The label index of row {@code row} in {@link #labels()}, or -1 when it has none. */
    public int labelIndex(int row) {
        return labelIndex[row];
    }

    /** The rows {@code rows} stacked: {@code [b, ...]} (a new tensor). */
    public Tensor batch(int[] rows) {
        long[] r = new long[rows.length];
        for (int i = 0; i < rows.length; i++) {
            r[i] = rows[i];
        }
        return torch.index_select(all, 0, Tensors.fromLongs(r, r.length)); // [b, ...]
    }

    /** The label indices of {@code rows} as an int64 tensor {@code [b]} (-1 for unlabelled rows). */
    public Tensor batchLabels(int[] rows) {
        long[] r = new long[rows.length];
        for (int i = 0; i < rows.length; i++) {
            r[i] = labelIndex[rows[i]];
        }
        return Tensors.fromLongs(r, r.length); // [b]
    }

    @Override
    public void close() {
        all.releaseReference();
    }
}
