package dev.tessera.model.sparse.conv;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident memory from {@code /proc/self/status} (Linux): the current resident set ({@code VmRSS}) and
 * its peak ({@code VmHWM}), which {@link #resetPeak()} sets back to the current value ({@code clear_refs} 5). Every
 * method returns −1 (or false) where this is not available.
 */
public final class ProcessMemory {
    private ProcessMemory() {}

    /** Sets the peak back to the current resident set; false when the kernel refused. */
    public static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Peak resident bytes since start or the last {@link #resetPeak()}, or −1. */
    public static long peakBytes() {
        return field("VmHWM:");
    }

    /** Resident bytes now, or −1. */
    public static long residentBytes() {
        return field("VmRSS:");
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }
}
