package dev.tessera.data.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every way a file can violate the format gives a typed exception naming the file, the tensor and the problem. */
class SafetensorsCorruptionTest {
    @TempDir
    Path dir;

    /** A file with the given header bytes and {@code dataBytes} zero bytes of data. */
    private Path file(byte[] header, int dataBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, b.array());
        return f;
    }

    private Path file(String header, int dataBytes) throws IOException {
        return file(header.getBytes(StandardCharsets.UTF_8), dataBytes);
    }

    static Stream<Arguments> badHeaders() {
        String ok = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        return Stream.of(
                Arguments.of("not json", "{\"a\":", 0, null, "not well-formed JSON"),
                Arguments.of("array root", "[1,2]", 0, null, "must be a JSON object"),
                Arguments.of(
                        "unknown dtype",
                        "{\"w\":{\"dtype\":\"F7\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                        8,
                        "w",
                        "unknown dtype \"F7\""),
                Arguments.of(
                        "shape/size mismatch",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,8]}}",
                        8,
                        "w",
                        "hold 8 bytes but F32 [2,2] needs 16"),
                Arguments.of(
                        "offsets past the end",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
                        8,
                        "w",
                        "run past the end of the data section (8 bytes; truncated file?)"),
                Arguments.of(
                        "overlap",
                        "{\"a\":" + ok + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                        12,
                        "b",
                        "overlap tensor 'a'"),
                Arguments.of(
                        "gap",
                        "{\"a\":" + ok + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}",
                        16,
                        "b",
                        "gap in the data section"),
                Arguments.of(
                        "trailing bytes",
                        "{\"a\":" + ok + "}",
                        12,
                        null,
                        "tensors cover 8 bytes but the data section has 12"),
                Arguments.of("duplicate keys", "{\"a\":" + ok + ",\"a\":" + ok + "}", 8, null, "Duplicate field 'a'"),
                Arguments.of(
                        "end before begin",
                        "{\"w\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[8,0]}}",
                        8,
                        "w",
                        "end before they begin"),
                Arguments.of(
                        "negative dim",
                        "{\"w\":{\"dtype\":\"U8\",\"shape\":[-1],\"data_offsets\":[0,0]}}",
                        0,
                        "w",
                        "invalid dimension -1"),
                Arguments.of(
                        "missing offsets", "{\"w\":{\"dtype\":\"U8\",\"shape\":[1]}}", 1, "w", "lacks data_offsets"),
                Arguments.of("metadata not strings", "{\"__metadata__\":{\"n\":3}}", 0, null, "is not a string"),
                Arguments.of(
                        "overflowing shape",
                        "{\"w\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}",
                        8,
                        "w",
                        "overflows"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badHeaders")
    void rejectsMalformedHeaders(String what, String header, int dataBytes, String tensor, String message)
            throws IOException {
        Path f = file(header, dataBytes);
        assertThatThrownBy(() -> SafetensorsReader.open(f).close())
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageStartingWith(f.toString())
                .hasMessageContaining(message)
                .satisfies(e ->
                        assertThat(((SafetensorsFormatException) e).tensor()).isEqualTo(tensor));
    }

    @Test
    void rejectsNonUtf8Header() throws IOException {
        byte[] h = "{\"w\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}}".getBytes(StandardCharsets.UTF_8);
        h[3] = (byte) 0xC3; // a lead byte followed by an ASCII byte: malformed UTF-8
        Path f = file(h, 0);
        assertThatThrownBy(() -> SafetensorsReader.open(f))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining("not valid UTF-8");
    }

    @Test
    void rejectsTruncatedFiles() throws IOException {
        Path good = dir.resolve("good.safetensors");
        new SafetensorsWriter().addFloats("w", new float[64], 8, 8).write(good);
        byte[] all = Files.readAllBytes(good);
        for (int cut : new int[] {0, 5, 8, 20, all.length - 1}) {
            Path f = dir.resolve("cut" + cut + ".safetensors");
            Files.write(f, Arrays.copyOf(all, cut));
            assertThatThrownBy(() -> SafetensorsReader.open(f))
                    .as("cut at %d", cut)
                    .isInstanceOf(SafetensorsFormatException.class)
                    .hasMessageStartingWith(f.toString());
        }
    }

    @Test
    void headerLargerThanFile() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(1000);
        Path f = dir.resolve("short.safetensors");
        Files.write(f, b.array());
        assertThatThrownBy(() -> SafetensorsReader.open(f))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining("header length 1000 is larger than the file (64 bytes; truncated?)");
    }

    @Test
    void tenGigabyteHeaderClaimIsRefusedWithoutAllocating() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(10_000_000_000L);
        Path f = dir.resolve("huge.safetensors");
        Files.write(f, b.array());
        assertThatThrownBy(() -> SafetensorsReader.open(f))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining("header length 10000000000 exceeds the format's limit");
        ByteBuffer neg = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1);
        Files.write(f, neg.array());
        assertThatThrownBy(() -> SafetensorsReader.open(f))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining("18446744073709551615");
    }

    @Test
    void unknownTensorNameSuggestsCloseOnes() throws IOException {
        Path f = dir.resolve("n.safetensors");
        new SafetensorsWriter().addFloats("encoder.weight", new float[1], 1).write(f);
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            assertThatThrownBy(() -> r.info("encoder.weigth"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("closest: 'encoder.weight'");
            assertThatThrownBy(() -> r.ints("encoder.weight")).hasMessageContaining("not an integer type");
        }
    }

    @Test
    void shardedIndexMustAgreeWithShards() throws IOException {
        new SafetensorsWriter()
                .addFloats("a", new float[1], 1)
                .addFloats("extra", new float[1], 1)
                .write(dir.resolve("s1.safetensors"));
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\":{\"a\":\"s1.safetensors\"}}");
        assertThatThrownBy(() -> SafetensorsReader.open(dir))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining("tensor 'extra': tensor is in the shard but not in the index");
        Files.writeString(
                dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\":{\"a\":\"s1.safetensors\",\"extra\":\"s1.safetensors\",\"b\":\"s2.safetensors\"}}");
        assertThatThrownBy(() -> SafetensorsReader.open(dir)).hasMessageContaining("s2.safetensors");
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\":{\"a\":\"../x.safetensors\"}}");
        assertThatThrownBy(() -> SafetensorsReader.open(dir)).hasMessageContaining("lies outside");
    }
}
