package dev.tessera.data.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyDtypeRoundTripsBitExactly(DType dtype) throws IOException {
        SplittableRandom rnd = new SplittableRandom(dtype.ordinal());
        long[] shape = {3, 5, 2};
        byte[] raw = new byte[30 * dtype.byteSize()];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) rnd.nextInt(256);
        }
        if (dtype == DType.BOOL) {
            for (int i = 0; i < raw.length; i++) {
                raw[i] &= 1;
            }
        }
        Path f = dir.resolve("x.safetensors");
        new SafetensorsWriter()
                .metadata("format", "pt")
                .addBytes("t", dtype, raw, shape)
                .addBytes("empty", dtype, new byte[0], 0, 4)
                .addBytes("scalar", dtype, java.util.Arrays.copyOf(raw, dtype.byteSize()))
                .write(f);
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            assertThat(r.names()).containsExactly("t", "empty", "scalar");
            assertThat(r.metadata()).isEqualTo(Map.of("format", "pt"));
            TensorInfo t = r.info("t");
            assertThat(t.dtype()).isEqualTo(dtype);
            assertThat(t.shape()).containsExactly(3, 5, 2);
            assertThat(r.bytes("t")).isEqualTo(raw);
            assertThat(r.info("empty").numel()).isZero();
            assertThat(r.info("scalar").shape()).isEmpty();
            assertThat(r.info("scalar").numel()).isEqualTo(1);
        }
        assertThat(Files.size(f) - 8 - headerLength(f)).isEqualTo(raw.length + dtype.byteSize());
        assertThat(headerLength(f) % 8).isZero();
    }

    @Test
    void theSameMetadataGivesTheSameBytesInWhateverOrderItWasAdded() throws IOException {
        Path a = dir.resolve("a.safetensors"), b = dir.resolve("b.safetensors");
        new SafetensorsWriter()
                .metadata("step", "7")
                .metadata("format", "pt")
                .addFloats("x", new float[] {1f}, 1)
                .write(a);
        new SafetensorsWriter()
                .metadata("format", "pt")
                .metadata("step", "7")
                .addFloats("x", new float[] {1f}, 1)
                .write(b);
        assertThat(Files.readAllBytes(b)).isEqualTo(Files.readAllBytes(a));
        try (SafetensorsReader r = SafetensorsReader.open(a)) {
            assertThat(r.metadata()).containsEntry("format", "pt").containsEntry("step", "7");
        }
    }

    @Test
    void typedArraysRoundTrip() throws IOException {
        float[] floats = {0f, -0f, 1.5f, Float.NaN, Float.POSITIVE_INFINITY, -3.25e-7f};
        double[] doubles = {Math.PI, -0.0, Double.MIN_VALUE};
        int[] ints = {Integer.MIN_VALUE, -1, 0, 7, Integer.MAX_VALUE, 42};
        long[] longs = {Long.MIN_VALUE, 0, Long.MAX_VALUE};
        boolean[] bools = {true, false, true};
        Path f = dir.resolve("typed.safetensors");
        new SafetensorsWriter()
                .addFloats("f", floats, 2, 3)
                .addDoubles("d", doubles, 3)
                .addInts("i", ints, 6)
                .addLongs("l", longs, 3)
                .addBooleans("b", bools, 3)
                .addFloats("h", DType.F16, new float[] {1f, 0.5f, 65504f, -2f}, 4)
                .addFloats("bf", DType.BF16, new float[] {1f, 3.140625f, -0.5f}, 3)
                .write(f);
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            float[] back = r.floats("f");
            for (int i = 0; i < floats.length; i++) {
                assertThat(Float.floatToRawIntBits(back[i])).isEqualTo(Float.floatToRawIntBits(floats[i]));
            }
            assertThat(r.doubles("d")).containsExactly(doubles);
            assertThat(r.ints("i")).containsExactly(ints);
            assertThat(r.longs("l")).containsExactly(longs);
            assertThat(r.booleans("b")).containsExactly(bools);
            assertThat(r.floats("h")).containsExactly(1f, 0.5f, 65504f, -2f);
            assertThat(r.floats("bf")).containsExactly(1f, 3.140625f, -0.5f);
            assertThat(r.ints("b")).containsExactly(1, 0, 1);
        }
    }

    @Test
    void bf16RoundsToNearestEven() {
        // 1 + 2^-8 lies exactly between two bf16 values (1 and 1 + 2^-7): ties go to the even mantissa, 1.
        assertThat(Conversions.bf16ToFloat(Conversions.floatToBf16(1f + 0x1p-8f)))
                .isEqualTo(1f);
        // 1 + 3·2^-8 is a tie between 1 + 2^-7 (odd) and 1 + 2^-6 (even): goes up.
        assertThat(Conversions.bf16ToFloat(Conversions.floatToBf16(1f + 3 * 0x1p-8f)))
                .isEqualTo(1f + 0x1p-6f);
        assertThat(Float.isNaN(Conversions.bf16ToFloat(Conversions.floatToBf16(Float.NaN))))
                .isTrue();
    }

    /**
     * A file laid out by hand, byte by byte, as Python's {@code safetensors.torch.save_file} lays it out: u64 header
     * length, JSON header padded with spaces to 8 bytes, then the raw little-endian data in offset order.
     */
    @Test
    void readsAFileWrittenByPythonsLayoutRules() throws IOException {
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
                + "\"weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"step\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[24,32]},"
                + "\"half\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[32,36]}}";
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + 36).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded);
        b.put(h);
        for (int i = h.length; i < padded; i++) {
            b.put((byte) ' ');
        }
        // weight [[1, 2], [3, 4]]
        b.put(new byte[] {0, 0, (byte) 0x80, 0x3f}); // 1.0f
        b.put(new byte[] {0, 0, 0, 0x40}); // 2.0f
        b.put(new byte[] {0, 0, 0x40, 0x40}); // 3.0f
        b.put(new byte[] {0, 0, (byte) 0x80, 0x40}); // 4.0f
        // bias [-1, 0.5]
        b.put(new byte[] {0, 0, (byte) 0x80, (byte) 0xbf}); // -1.0f
        b.put(new byte[] {0, 0, 0, 0x3f}); // 0.5f
        // step = 1234 as int64
        b.put(new byte[] {(byte) 0xd2, 0x04, 0, 0, 0, 0, 0, 0});
        // half [1.0, -2.0] as IEEE binary16
        b.put(new byte[] {0x00, 0x3c, 0x00, (byte) 0xc0});
        Path f = dir.resolve("python.safetensors");
        Files.write(f, b.array());
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            assertThat(r.names()).containsExactly("weight", "bias", "step", "half");
            assertThat(r.floats("weight")).containsExactly(1f, 2f, 3f, 4f);
            assertThat(r.floats("bias")).containsExactly(-1f, 0.5f);
            assertThat(r.longs("step")).containsExactly(1234L);
            assertThat(r.floats("half")).containsExactly(1f, -2f);
            assertThat(r.metadata()).containsEntry("format", "pt");
        }
    }

    @Test
    void readsShardedCheckpoints() throws IOException {
        new SafetensorsWriter()
                .addFloats("a.weight", new float[] {1, 2}, 2)
                .write(dir.resolve("model-00001-of-00002.safetensors"));
        new SafetensorsWriter()
                .addFloats("b.weight", new float[] {3}, 1)
                .addInts("b.index", new int[] {4, 5}, 2)
                .write(dir.resolve("model-00002-of-00002.safetensors"));
        Files.writeString(dir.resolve("model.safetensors.index.json"), """
                {"metadata": {"total_size": 20},
                 "weight_map": {"a.weight": "model-00001-of-00002.safetensors",
                                "b.weight": "model-00002-of-00002.safetensors",
                                "b.index": "model-00002-of-00002.safetensors"}}
                """);
        try (SafetensorsReader r = SafetensorsReader.open(dir)) {
            assertThat(r).isInstanceOf(ShardedSafetensors.class);
            assertThat(r.names()).containsExactlyInAnyOrder("a.weight", "b.weight", "b.index");
            assertThat(r.floats("a.weight")).containsExactly(1f, 2f);
            assertThat(r.floats("b.weight")).containsExactly(3f);
            assertThat(r.ints("b.index")).containsExactly(4, 5);
            assertThat(r.fileOf("b.index").getFileName().toString()).isEqualTo("model-00002-of-00002.safetensors");
            assertThat(r.metadata()).containsEntry("total_size", "20");
        }
    }

    @Test
    void writerNeverLeavesAPartialFile() throws IOException {
        Path f = dir.resolve("keep.safetensors");
        new SafetensorsWriter().addFloats("old", new float[] {1}, 1).write(f);
        byte[] before = Files.readAllBytes(f);
        SafetensorsWriter w = new SafetensorsWriter()
                .addFloats("new", new float[] {2}, 1)
                .add("broken", DType.F32, new long[] {1000}, out -> {
                    out.write(ByteBuffer.allocate(100));
                    throw new IOException("disk on fire");
                });
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> w.write(f)).hasMessageContaining("disk on fire");
        assertThat(Files.readAllBytes(f)).isEqualTo(before);
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("keep.safetensors");
        }
    }

    @Test
    void writerChecksSourceLength() {
        SafetensorsWriter w = new SafetensorsWriter()
                .add("short", DType.F32, new long[] {4}, out -> out.write(ByteBuffer.allocate(12)));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> w.write(dir.resolve("s.safetensors")))
                .hasMessageContaining("tensor 'short': its source wrote 12 bytes, F32 [4] needs 16");
        assertThat(dir.resolve("s.safetensors")).doesNotExist();
    }

    /** A sparse file over 2 GiB: the big tensor is read in parts, the small one after it mapped on its own. */
    @Test
    void filesOverTwoGibibytes() throws IOException {
        long big = (1L << 31) + 4096;
        String json = "{\"big\":{\"dtype\":\"U8\",\"shape\":[" + big + "],\"data_offsets\":[0," + big + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + big + "," + (big + 8) + "]}}";
        byte[] h = (json + " ".repeat((8 - json.length() % 8) % 8)).getBytes(StandardCharsets.UTF_8);
        Path f = dir.resolve("big.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.writeLong(Long.reverseBytes(h.length));
            raf.write(h);
            raf.setLength(8 + h.length + big + 8); // sparse: no disk used for the big tensor
            raf.seek(8 + h.length + big);
            raf.writeInt(Integer.reverseBytes(Float.floatToIntBits(7f)));
            raf.writeInt(Integer.reverseBytes(Float.floatToIntBits(8f)));
        }
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            assertThat(r.info("big").byteSize()).isEqualTo(big);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.buffer("big"))
                    .hasMessageContaining("read it in parts");
            ByteBuffer part = ByteBuffer.allocateDirect(16);
            r.read("big", big - 16, part);
            assertThat(part.position()).isEqualTo(16);
            assertThat(r.floats("tail")).containsExactly(7f, 8f);
        }
    }

    private static long headerLength(Path f) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
            return Long.reverseBytes(raf.readLong());
        }
    }

    @Test
    void headerIsValidJsonInInsertionOrder() throws IOException {
        SafetensorsWriter w =
                new SafetensorsWriter().addFloats("z", new float[] {1}, 1).addFloats("a", new float[] {2}, 1);
        String header = SafetensorsWriter.headerString(w).strip();
        assertThat(header).startsWith("{\"z\":");
        assertThat(List.of(header.indexOf("\"z\""), header.indexOf("\"a\""))).isSorted();
    }
}
