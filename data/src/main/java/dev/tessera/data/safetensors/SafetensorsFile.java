package dev.tessera.data.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One safetensors file: {@code u64 N} (little endian), {@code N} bytes of UTF-8 JSON header, then the tensor data.
 * The header is validated in full at {@link #open(Path)}; data is memory-mapped (the whole file when under 2 GiB,
 * each tensor on first use otherwise).
 */
public final class SafetensorsFile implements SafetensorsReader {
    /** The largest header accepted, as in the reference implementation (100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    static {
        JSON.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength((int) MAX_HEADER_BYTES)
                        .maxDocumentLength(MAX_HEADER_BYTES)
                        .build());
    }

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, String> metadata;
    private final LinkedHashMap<String, TensorInfo> tensors;
    private final MappedByteBuffer whole; // null for files of 2 GiB or more
    private final Map<String, MappedByteBuffer> perTensor = new HashMap<>();
    private volatile boolean closed;

    private SafetensorsFile(
            Path path,
            FileChannel channel,
            long dataStart,
            Map<String, String> metadata,
            LinkedHashMap<String, TensorInfo> tensors,
            MappedByteBuffer whole) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.metadata = metadata;
        this.tensors = tensors;
        this.whole = whole;
    }

    /**
     * Opens and validates a safetensors file.
     *
     * @throws SafetensorsFormatException for any violation of the format: a file shorter than its header claims, a
     *     header over {@value #MAX_HEADER_BYTES} bytes, malformed or non-UTF-8 JSON, duplicate names, an unknown
     *     dtype, a shape that disagrees with the byte range, or offsets that are out of range, overlap or leave gaps
     */
    public static SafetensorsFile open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return open(path, ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static SafetensorsFile open(Path path, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new SafetensorsFormatException(
                    path, null, "file is " + size + " bytes, too short for the 8-byte header length (truncated?)");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0);
        long n = lenBuf.getLong(0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new SafetensorsFormatException(
                    path,
                    null,
                    "header length " + Long.toUnsignedString(n) + " exceeds the format's limit of " + MAX_HEADER_BYTES
                            + " bytes (not a safetensors file?)");
        }
        if (8 + n > size) {
            throw new SafetensorsFormatException(
                    path, null, "header length " + n + " is larger than the file (" + size + " bytes; truncated?)");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        readFully(ch, hb, 8);
        hb.flip();
        String header;
        try {
            CharBuffer cb = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(hb);
            header = cb.toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsFormatException(path, null, "header is not valid UTF-8 (" + e.getMessage() + ")");
        }
        long dataLen = size - 8 - n;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> infos = parseHeader(path, header, dataLen, metadata);
        LinkedHashMap<String, TensorInfo> byName = new LinkedHashMap<>();
        for (TensorInfo t : infos) {
            byName.put(t.name(), t);
        }
        MappedByteBuffer whole = null;
        if (size <= Integer.MAX_VALUE && size > 0) {
            whole = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
        return new SafetensorsFile(path, ch, 8 + n, Collections.unmodifiableMap(metadata), byName, whole);
    }

    /** Parses and validates a header; returns the tensors sorted by offset and fills {@code metadata}. */
    static List<TensorInfo> parseHeader(Path path, String header, long dataLen, Map<String, String> metadata)
            throws SafetensorsFormatException {
        JsonNode root;
        try {
            root = JSON.readTree(header);
        } catch (JsonProcessingException e) {
            throw new SafetensorsFormatException(
                    path, null, "header is not well-formed JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsFormatException(path, null, "header must be a JSON object");
        }
        List<TensorInfo> infos = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) {
                    throw new SafetensorsFormatException(path, null, "__metadata__ must be an object of strings");
                }
                for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
                    Map.Entry<String, JsonNode> kv = m.next();
                    if (!kv.getValue().isTextual()) {
                        throw new SafetensorsFormatException(
                                path, null, "__metadata__ value of '" + kv.getKey() + "' is not a string");
                    }
                    metadata.put(kv.getKey(), kv.getValue().textValue());
                }
                continue;
            }
            infos.add(parseEntry(path, name, v, dataLen));
        }
        infos.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long expected = 0;
        TensorInfo previous = null;
        for (TensorInfo t : infos) {
            if (t.begin() < expected) {
                throw new SafetensorsFormatException(
                        path,
                        t.name(),
                        "data_offsets [" + t.begin() + ", " + t.end() + "] overlap tensor '" + previous.name() + "' ["
                                + previous.begin() + ", " + previous.end() + "]");
            }
            if (t.begin() > expected) {
                throw new SafetensorsFormatException(
                        path,
                        t.name(),
                        "data_offsets begin at " + t.begin() + " but the previous tensor ends at " + expected
                                + " (gap in the data section)");
            }
            expected = t.end();
            previous = t;
        }
        if (expected != dataLen) {
            throw new SafetensorsFormatException(
                    path,
                    null,
                    "tensors cover " + expected + " bytes but the data section" + " has " + dataLen
                            + (expected < dataLen ? " (trailing bytes)" : ""));
        }
        return infos;
    }

    private static TensorInfo parseEntry(Path path, String name, JsonNode v, long dataLen)
            throws SafetensorsFormatException {
        if (!v.isObject()) {
            throw new SafetensorsFormatException(path, name, "entry must be an object with dtype, shape, data_offsets");
        }
        JsonNode dt = v.get("dtype");
        JsonNode sh = v.get("shape");
        JsonNode off = v.get("data_offsets");
        if (dt == null || sh == null || off == null) {
            throw new SafetensorsFormatException(
                    path, name, "entry lacks " + (dt == null ? "dtype" : sh == null ? "shape" : "data_offsets"));
        }
        DType dtype = dt.isTextual() ? DType.parse(dt.textValue()) : null;
        if (dtype == null) {
            throw new SafetensorsFormatException(path, name, "unknown dtype " + dt);
        }
        if (!sh.isArray()) {
            throw new SafetensorsFormatException(path, name, "shape must be an array of non-negative integers");
        }
        long[] shape = new long[sh.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0) {
                throw new SafetensorsFormatException(path, name, "shape " + sh + " has an invalid dimension " + d);
            }
            shape[i] = d.longValue();
        }
        if (!off.isArray() || off.size() != 2) {
            throw new SafetensorsFormatException(path, name, "data_offsets must be [begin, end]");
        }
        for (JsonNode o : off) {
            if (!o.isIntegralNumber() || !o.canConvertToLong() || o.longValue() < 0) {
                throw new SafetensorsFormatException(
                        path, name, "data_offsets " + off + " are not non-negative integers");
            }
        }
        long begin = off.get(0).longValue();
        long end = off.get(1).longValue();
        if (end < begin) {
            throw new SafetensorsFormatException(
                    path, name, "data_offsets [" + begin + ", " + end + "] end before they begin");
        }
        if (end > dataLen) {
            throw new SafetensorsFormatException(
                    path,
                    name,
                    "data_offsets [" + begin + ", " + end + "] run past the end of the data section (" + dataLen
                            + " bytes; truncated file?)");
        }
        long numel;
        try {
            numel = TensorInfo.numel(shape);
            long bytes = Math.multiplyExact(numel, dtype.byteSize());
            if (bytes != end - begin) {
                throw new SafetensorsFormatException(
                        path,
                        name,
                        "data_offsets [" + begin + ", " + end + "] hold " + (end - begin) + " bytes but " + dtype + " "
                                + sh + " needs " + bytes);
            }
        } catch (ArithmeticException e) {
            throw new SafetensorsFormatException(path, name, "shape " + sh + " overflows");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            int r = ch.read(dst, pos);
            if (r < 0) {
                throw new java.io.EOFException("unexpected end of file at byte " + pos);
            }
            pos += r;
        }
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    @Override
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(
                    path + ": no tensor named '" + name + "'" + Names.suggest(name, tensors.keySet()));
        }
        return t;
    }

    @Override
    public Path fileOf(String name) {
        info(name);
        return path;
    }

    /** Byte offset of the data section in the file ({@code 8 + N}). */
    public long dataStart() {
        return dataStart;
    }

    @Override
    public ByteBuffer buffer(String name) throws IOException {
        ensureOpen();
        TensorInfo t = info(name);
        if (t.byteSize() > Integer.MAX_VALUE) {
            throw new IOException(path + ": tensor '" + name + "' is " + t.byteSize()
                    + " bytes, too large for one buffer; read it in parts with read()");
        }
        if (whole != null) {
            return whole.slice((int) (dataStart + t.begin()), (int) t.byteSize())
                    .asReadOnlyBuffer()
                    .order(ByteOrder.LITTLE_ENDIAN);
        }
        MappedByteBuffer m;
        synchronized (perTensor) {
            m = perTensor.get(name);
            if (m == null) {
                m = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), t.byteSize());
                perTensor.put(name, m);
            }
        }
        return m.duplicate().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void read(String name, long offset, ByteBuffer dst) throws IOException {
        ensureOpen();
        TensorInfo t = info(name);
        if (offset < 0 || offset + dst.remaining() > t.byteSize()) {
            throw new IndexOutOfBoundsException("bytes [" + offset + ", " + (offset + dst.remaining())
                    + ") outside tensor '" + name + "' of " + t.byteSize() + " bytes");
        }
        readFully(channel, dst, dataStart + t.begin() + offset);
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new java.nio.channels.ClosedChannelException();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        channel.close();
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + tensors.size() + " tensors]";
    }
}
