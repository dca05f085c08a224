package dev.tessera.data.safetensors;

import java.util.Collection;
import java.util.Comparator;
import java.util.stream.Collectors;

/** "Did you mean" hints for tensor names. */
final class Names {
    private Names() {}

    static String suggest(String name, Collection<String> names) {
        if (names.isEmpty()) {
            return " (the file has no tensors)";
        }
        String close = names.stream()
                .sorted(Comparator.comparingInt(n -> distance(n, name)))
                .limit(3)
                .collect(Collectors.joining("', '", "'", "'"));
        return " (closest: " + close + ")";
    }

    /** Levenshtein distance, bounded work for long names. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int c = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + c);
            }
            int[] s = prev;
            prev = cur;
            cur = s;
        }
        return prev[b.length()];
    }
}
