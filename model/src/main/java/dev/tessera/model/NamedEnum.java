package dev.tessera.model;

import java.util.Arrays;
import java.util.List;

/**
 * An enum whose constants have the lower-case names used in {@code config.json} files and on the command line
 * ({@code "layer_norm"}, {@code "sparse-structure"}). {@link #parse} turns such a name back into the constant, with
 * an error that lists the accepted names.
 */
public interface NamedEnum {
    /** The constant's name in files and on the command line. */
    String id();

    /**
     * The constant of {@code type} whose {@link #id()} is {@code s}.
     *
     * @param what the setting's name for the error message, e.g. {@code "qk_norm"}
     * @throws IllegalArgumentException naming {@code s} and the accepted names
     */
    static <E extends Enum<E> & NamedEnum> E parse(Class<E> type, String s, String what) {
        E[] values = type.getEnumConstants();
        for (E e : values) {
            if (e.id().equals(s)) {
                return e;
            }
        }
        List<String> ids = Arrays.stream(values).map(NamedEnum::id).toList();
        String accepted = ids.size() == 1
                ? ids.get(0)
                : String.join(", ", ids.subList(0, ids.size() - 1)) + " or " + ids.get(ids.size() - 1);
        throw new IllegalArgumentException("unknown " + what + " \"" + s + "\": use " + accepted);
    }
}
