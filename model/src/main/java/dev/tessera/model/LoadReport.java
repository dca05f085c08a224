package dev.tessera.model;

import java.util.ArrayList;
import java.util.List;

/**
 * What loading a checkpoint into a module found: keys the module has but the checkpoint lacks, keys the checkpoint
 * has but the module does not, and keys present in both whose shape or dtype differ.
 *
 * @param missing module keys absent from the checkpoint
 * @param unexpected checkpoint keys the module does not have
 * @param shapeMismatches keys whose shapes differ, with both shapes
 * @param dtypeMismatches keys whose element types differ, with both types
 * @param loaded number of tensors copied into the module
 */
public record LoadReport(
        List<String> missing,
        List<String> unexpected,
        List<String> shapeMismatches,
        List<String> dtypeMismatches,
        int loaded) {

    public LoadReport {
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
        shapeMismatches = List.copyOf(shapeMismatches);
        dtypeMismatches = List.copyOf(dtypeMismatches);
    }

    /** True when every key matched in name, shape and dtype. */
    public boolean isClean() {
        return missing.isEmpty() && unexpected.isEmpty() && shapeMismatches.isEmpty() && dtypeMismatches.isEmpty();
    }

    @Override
    public String toString() {
        List<String> lines = new ArrayList<>();
        section(lines, "missing keys (in the model, not in the checkpoint)", missing);
        section(lines, "unexpected keys (in the checkpoint, not in the model)", unexpected);
        section(lines, "shape mismatches", shapeMismatches);
        section(lines, "dtype mismatches", dtypeMismatches);
        if (lines.isEmpty()) {
            return "all " + loaded + " tensors match";
        }
        return String.join("\n", lines);
    }

    private static void section(List<String> lines, String title, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        lines.add("  " + items.size() + " " + title + ":");
        for (String s : items) {
            lines.add("    " + s);
        }
    }
}
