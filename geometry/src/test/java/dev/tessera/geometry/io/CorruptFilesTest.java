package dev.tessera.geometry.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.geometry.TriangleMesh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Randomly corrupted files (bytes overwritten, cut, or duplicated) either read or fail with a
 * MeshFormatException naming the file: never another exception, never an OutOfMemoryError.
 */
class CorruptFilesTest {
    @TempDir
    Path dir;

    static final int TRIALS = Integer.getInteger("tessera.corruptTrials", 150);

    @ParameterizedTest
    @EnumSource(MeshIO.Format.class)
    void corruptedFilesFailCleanly(MeshIO.Format format) throws IOException {
        TriangleMesh m = Fixtures.random(11, 30, 60);
        Path clean = dir.resolve("clean." + format.extension());
        MeshIO.write(clean, m);
        byte[] original = Files.readAllBytes(clean);
        SplittableRandom r = new SplittableRandom(format.ordinal() * 1000L + 7);
        int failures = 0;
        for (int trial = 0; trial < TRIALS; trial++) {
            byte[] b = corrupt(original, r);
            Path f = dir.resolve("t" + trial + "." + format.extension());
            Files.write(f, b);
            try {
                MeshIO.read(f);
            } catch (MeshFormatException e) {
                failures++;
                assertThat(e.getMessage()).startsWith(f.toString());
            } catch (Exception | Error e) {
                throw new AssertionError("trial " + trial + " of " + format + ": " + e, e);
            }
            Files.delete(f);
        }
        assertThat(failures).isPositive();
    }

    private static byte[] corrupt(byte[] original, SplittableRandom r) {
        byte[] b = original.clone();
        switch (r.nextInt(4)) {
            case 0 -> { // overwrite a few bytes with random ones
                for (int k = r.nextInt(1, 5); k > 0; k--) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
            }
            case 1 -> { // overwrite a byte with a digit or a sign, plausible in text formats
                b[r.nextInt(b.length)] = (byte) "0123456789-.e \n9".charAt(r.nextInt(16));
            }
            case 2 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length)); // cut
            default -> { // write a huge little-endian int somewhere (a lying count)
                int at = r.nextInt(Math.max(1, b.length - 4));
                int v = r.nextBoolean() ? 0x7fffffff : r.nextInt();
                for (int k = 0; k < 4 && at + k < b.length; k++) {
                    b[at + k] = (byte) (v >>> (8 * k));
                }
            }
        }
        return b;
    }
}
