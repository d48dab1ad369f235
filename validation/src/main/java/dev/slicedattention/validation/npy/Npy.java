package dev.slicedattention.validation.npy;

import dev.slicedattention.error.NpyFormatException;
import dev.slicedattention.io.AtomicFiles;
import dev.slicedattention.validation.FiniteCheck;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small, strict reader and writer of NumPy's {@code .npy} format (versions 1.0, 2.0, 3.0).
 * Read: every real float array NumPy writes — float16, float32 or float64, little- or big-endian,
 * C or Fortran order ({@code np.save(x.T)}), any rank — as float32 values in C (row-major) order.
 * float16 widens exactly, float64 is rounded to nearest (a finite value beyond float32's range is
 * refused). Written: little-endian float32 or float64, C order. Everything else — another dtype
 * (integers as values, complex, bool, strings, objects, structured records), a malformed header, a
 * shape that does not match the data — is refused with a message that names the file and the problem.
 *
 * <p>No well-kept Java library reads {@code .npy} with this strictness and without a large
 * dependency tree, so the format (a magic string, a Python-literal header, raw data) is parsed here.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern STRUCTURED = Pattern.compile("'descr'\\s*:\\s*\\[");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final Pattern KEY = Pattern.compile("'([^']*)'\\s*:");

    private Npy() {}

    /** Bytes per chunk when streaming data between a file and an array: large enough for few system calls, small enough for the cache. */
    private static final int CHUNK = 1 << 22;

    /**
     * Reads a float {@code .npy} file (float16, float32 or float64, either byte order, C or Fortran
     * order) as float32 in C order. The data is streamed from the file into the float array in
     * cache-sized chunks: no byte array of the file's size is ever made, so reading costs one copy and
     * the process holds only the array (measured at 2^20 × 64: 3.4× faster than reading the whole
     * file into bytes and converting). A Fortran-order file's values are placed at their C-order
     * index as they are read, chunk by chunk (no second array of the file's size either).
     */
    public static NpyArray read(Path file) {
        return withCheckedHeader(file, (channel, name, header, dtype) -> {
            float[] data = new float[(int) header.count()];
            readValues(channel, name, header, dtype, data);
            return new NpyArray(header.shape(), data, dtype.descr());
        });
    }

    /**
     * Maps a little-endian float32 C-order {@code .npy} file read-only, its values to be read in place
     * ({@link MappedNpy}); empty for any other float file (float16, float64, big-endian, Fortran
     * order), whose values must be converted or reordered: {@link #read} does that, onto the heap.
     * The header and the data length are checked as {@link #read} checks them, with the same messages.
     */
    public static Optional<MappedNpy> map(Path file) {
        return withCheckedHeader(file, (channel, name, header, dtype) -> {
            if (!dtype.isLittleFloat32() || !header.isCOrder()) {
                return Optional.empty();
            }
            int count = (int) header.count();
            FloatBuffer[] pieces = new FloatBuffer[Math.max(1, (count + MappedNpy.PIECE - 1) / MappedNpy.PIECE)];
            for (int piece = 0; piece < pieces.length; piece++) {
                long first = (long) piece * MappedNpy.PIECE;
                long values = Math.min(MappedNpy.PIECE, count - first);
                // The mapping outlives the channel (FileChannel.map's contract).
                pieces[piece] = channel.map(FileChannel.MapMode.READ_ONLY, header.dataStart() + first * Float.BYTES, values * Float.BYTES)
                        .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            }
            return Optional.of(new MappedNpy(name, header.shape(), pieces, MappedNpy.PIECE, count));
        });
    }

    /** What {@link #withCheckedHeader} does with an open file whose header and data length were checked. */
    @FunctionalInterface
    private interface CheckedFile<T> {
        T use(FileChannel channel, String name, Header header, NpyDtype dtype) throws IOException;
    }

    /** Opens the file, checks its header and data length, and hands it on; I/O errors become messages that name the file. */
    private static <T> T withCheckedHeader(Path file, CheckedFile<T> body) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            String name = file.toString();
            Header header = parseHeader(name, headBytes(channel, size), size);
            NpyDtype dtype = floatDtype(name, header.descr());
            checkDataLength(name, size, header, dtype.size());
            return body.use(channel, name, header, dtype);
        } catch (NoSuchFileException missing) {
            throw new NpyFormatException(file + ": no such file; check the path");
        } catch (IOException failure) {
            throw new NpyFormatException(file + ": cannot be read (" + failure.getMessage() + "); check its permissions", failure);
        }
    }

    /** The file's first bytes: the preamble and header (a header is at most 64 KiB in every format version we read). */
    private static byte[] headBytes(FileChannel channel, long size) throws IOException {
        ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, 1 << 16));
        while (head.hasRemaining() && channel.read(head, head.position()) >= 0) {
            // positional reads until the buffer is full or the file ends
        }
        head.flip();
        byte[] bytes = new byte[head.remaining()];
        head.get(bytes);
        return bytes;
    }

    /**
     * Reads the data into {@code data} in parts on all cores: each part is read with positional reads
     * into its own direct buffer (no hidden copy through a temporary one) and bulk-copied into its
     * share of the array. Reading a file out of the page cache is a copy bound by one core's speed,
     * so two cores read a 256 MB tensor in about half the time. A Fortran-order file's chunks are
     * converted into a chunk-sized block and placed from there at their C-order indices.
     */
    private static void readValues(FileChannel channel, String name, Header header, NpyDtype dtype, float[] data)
            throws IOException {
        int itemSize = dtype.size();
        // float64 data is narrowed value by value, and its first out-of-range value must be the one
        // reported: read it in one part.
        int parts = itemSize == 8 ? 1 : partsFor((long) data.length * itemSize);
        inParts(data.length, parts, (from, to) -> {
            ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK - CHUNK % 8).order(dtype.order());
            float[] block = header.isCOrder() ? null : new float[chunk.capacity() / itemSize];
            for (int done = from; done < to; ) {
                chunk.clear();
                int wanted = (int) Math.min(chunk.capacity(), (long) (to - done) * itemSize);
                chunk.limit(wanted);
                long position = header.dataStart() + (long) done * itemSize;
                while (chunk.hasRemaining()) {
                    int read = channel.read(chunk, position + chunk.position());
                    if (read < 0) {
                        throw new NpyFormatException(name + ": truncated while reading (the file changed?)");
                    }
                }
                chunk.flip();
                int values = wanted / itemSize;
                if (block == null) {
                    decode(name, header, dtype, chunk, values, data, done, done);
                } else {
                    decode(name, header, dtype, chunk, values, block, 0, done);
                    header.placeInCOrder(block, values, done, data);
                }
                done += values;
            }
        });
    }

    /**
     * Converts {@code count} values of {@code dtype} from the start of {@code bytes} (in the dtype's
     * byte order) into {@code target[offset, offset + count)}; {@code first} is the first value's
     * index in the file's order, for the message about a float64 value outside float32's range.
     */
    private static void decode(String name, Header header, NpyDtype dtype, ByteBuffer bytes, int count,
            float[] target, int offset, long first) {
        switch (dtype.size()) {
            case 4 -> bytes.asFloatBuffer().get(target, offset, count);
            case 2 -> {
                for (int i = 0; i < count; i++) {
                    target[offset + i] = Float.float16ToFloat(bytes.getShort(2 * i));
                }
            }
            default -> {
                for (int i = 0; i < count; i++) {
                    target[offset + i] = narrow(name, bytes.getDouble(8 * i), header, first + i);
                }
            }
        }
    }

    /** Work on the values [from, to) of one part; may fail with an IOException. */
    @FunctionalInterface
    private interface Part {
        void run(int from, int to) throws IOException;
    }

    /** Splits {@code count} values into {@code parts} and runs them on all cores; an IOException comes back as itself. */
    private static void inParts(int count, int parts, Part body) throws IOException {
        try {
            java.util.stream.IntStream.range(0, parts).parallel().forEach(part -> {
                try {
                    body.run((int) ((long) count * part / parts), (int) ((long) count * (part + 1) / parts));
                } catch (IOException failure) {
                    throw new java.io.UncheckedIOException(failure);
                }
            });
        } catch (java.io.UncheckedIOException failure) {
            throw failure.getCause();
        }
    }

    /** One part per core for data of 64 MiB and more; below that, one. */
    private static int partsFor(long bytes) {
        return bytes < (64L << 20) ? 1 : Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** {@code value}, the file's value at {@code fileIndex}, rounded to float32; refused if it is finite and float32 is not. */
    private static float narrow(String name, double value, Header header, long fileIndex) {
        float narrowed = (float) value;
        if (Double.isFinite(value) && Float.isInfinite(narrowed)) {
            throw new NpyFormatException(name + ": value " + value + " at index "
                    + FiniteCheck.formatIndex(header.cOrderIndex(fileIndex), header.shape()) + " is outside float32's range");
        }
        return narrowed;
    }

    /** Parses the bytes of a float {@code .npy} file, as {@link #read(Path)} reads one; {@code name} is used in error messages. */
    public static NpyArray parse(String name, byte[] bytes) {
        Header header = parseHeader(name, bytes, bytes.length);
        NpyDtype dtype = floatDtype(name, header.descr());
        checkDataLength(name, bytes.length, header, dtype.size());
        int count = (int) header.count();
        int start = (int) header.dataStart();
        ByteBuffer values = ByteBuffer.wrap(bytes, start, bytes.length - start).slice().order(dtype.order());
        float[] data = new float[count];
        if (header.isCOrder()) {
            decode(name, header, dtype, values, count, data, 0, 0);
        } else {
            float[] fileOrder = new float[count];
            decode(name, header, dtype, values, count, fileOrder, 0, 0);
            header.placeInCOrder(fileOrder, count, 0, data);
        }
        return new NpyArray(header.shape(), data, dtype.descr());
    }

    /** The float dtype {@code descr} names, or a one-line refusal that says what is read. */
    private static NpyDtype floatDtype(String name, String descr) {
        return NpyDtype.parse(descr).filter(NpyDtype::isFloat).orElseThrow(() -> new NpyFormatException(name
                + ": dtype '" + descr + "' is not supported; only float16, float32 and float64 ('<f2', '<f4', '<f8', "
                + "or big-endian '>f2', '>f4', '>f8') are read (x.astype(numpy.float32))"));
    }

    /**
     * The parsed preamble and header of a {@code .npy} file.
     *
     * @param descr     the dtype as the header names it
     * @param fortran   whether the values are stored in Fortran (column-major) order
     * @param dataStart the data's byte offset in the file
     * @param count     the number of values
     */
    private record Header(String descr, boolean fortran, int[] shape, long dataStart, long count) {
        /** Whether the file's order is C order: it is so too for a Fortran-order array of rank 0 or 1. */
        boolean isCOrder() {
            return !fortran || shape.length <= 1;
        }

        /** The C-order (row-major) index of the value at {@code fileIndex} in the file's order. */
        long cOrderIndex(long fileIndex) {
            if (isCOrder()) {
                return fileIndex;
            }
            // Fortran order: axis 0 varies fastest. Take the file index apart axis by axis from the
            // first, and put the C index together with the C strides.
            long rest = fileIndex;
            long index = 0;
            long[] strides = cStrides();
            for (int axis = 0; axis < shape.length; axis++) {
                index += (rest % shape[axis]) * strides[axis];
                rest /= shape[axis];
            }
            return index;
        }

        /** Values between neighbours along each axis in C order: the last axis's is 1. */
        private long[] cStrides() {
            long[] strides = new long[shape.length];
            long stride = 1;
            for (int axis = shape.length - 1; axis >= 0; axis--) {
                strides[axis] = stride;
                stride *= shape[axis];
            }
            return strides;
        }

        /** Puts {@code count} values that are the file's values from {@code first} on at their C-order places in {@code data}. */
        void placeInCOrder(float[] values, int count, long first, float[] data) {
            if (count == 0) {
                return;
            }
            // An odometer over the Fortran multi-index, axis 0 fastest; the C index follows by strides.
            int rank = shape.length;
            long[] strides = cStrides();
            int[] at = new int[rank];
            long rest = first;
            for (int axis = 0; axis < rank; axis++) {
                at[axis] = (int) (rest % shape[axis]);
                rest /= shape[axis];
            }
            long index = cOrderIndex(first);
            for (int i = 0; i < count; i++) {
                data[(int) index] = values[i];
                for (int axis = 0; axis < rank; axis++) {
                    index += strides[axis];
                    if (++at[axis] < shape[axis]) {
                        break;
                    }
                    index -= strides[axis] * shape[axis];
                    at[axis] = 0;
                }
            }
        }
    }

    /** Parses the preamble and header from the file's first bytes; {@code fileSize} is the whole file's. */
    private static Header parseHeader(String name, byte[] bytes, long fileSize) {
        if (bytes.length < 10 || !startsWithMagic(bytes)) {
            throw new NpyFormatException(name + ": not a .npy file (the magic string \\x93NUMPY is missing)");
        }
        int major = bytes[6] & 0xff;
        int headerLength;
        int headerStart;
        ByteBuffer little = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (major == 1) {
            headerLength = little.getShort(8) & 0xffff;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw new NpyFormatException(name + ": truncated header");
            }
            long length = little.getInt(8) & 0xffffffffL;
            if (length > Integer.MAX_VALUE) {
                throw new NpyFormatException(name + ": header length " + length + " is not plausible");
            }
            headerLength = (int) length;
            headerStart = 12;
        } else {
            throw new NpyFormatException(name + ": unsupported .npy format version " + major + "."
                    + (bytes[7] & 0xff) + " (1.0, 2.0 and 3.0 are read)");
        }
        if ((long) headerStart + headerLength > Math.min(bytes.length, fileSize)) {
            throw new NpyFormatException(name + ": truncated header (it claims " + headerLength
                    + " bytes, the file has " + (fileSize - headerStart) + " after the preamble)");
        }
        String header = new String(bytes, headerStart, headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).trim();
        if (STRUCTURED.matcher(header).find()) {
            throw new NpyFormatException(name + ": a structured dtype (record array) is not supported; "
                    + "save each field as its own float array");
        }
        String dtype = headerValue(name, header, DESCR, "descr");
        boolean fortran = "True".equals(headerValue(name, header, FORTRAN, "fortran_order"));
        int[] shape = parseShape(name, headerValue(name, header, SHAPE, "shape"));
        checkKeys(name, header);
        long count = 1;
        for (int size : shape) {
            count *= size;
        }
        return new Header(dtype, fortran, shape, (long) headerStart + headerLength, count);
    }

    /** The data's byte length for {@code itemSize}-byte items, checked against the file and Java's array limit. */
    private static long checkDataLength(String name, long fileSize, Header header, int itemSize) {
        long expected = header.count() * itemSize;
        long actual = fileSize - header.dataStart();
        if (actual != expected) {
            throw new NpyFormatException(name + ": shape " + shapeText(header.shape()) + " of " + header.descr() + " needs "
                    + expected + " bytes of data but the file has " + actual
                    + (actual < expected ? " (truncated)" : " (trailing bytes)"));
        }
        if (header.count() > Integer.MAX_VALUE - 8) {
            throw new NpyFormatException(name + ": " + header.count() + " values do not fit in one Java array");
        }
        return expected;
    }

    /**
     * Reads a 1-D {@code .npy} of integers — int32, int64, or float32/float64 holding integral
     * values, either byte order — as used for lengths files (SPEC §8). Any other dtype, a
     * non-integral or out-of-int value, or a rank other than 1 is refused naming the file and the index.
     */
    public static int[] readIntegers(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException missing) {
            throw new NpyFormatException(file + ": no such file; check the path");
        } catch (IOException failure) {
            throw new NpyFormatException(file + ": cannot be read (" + failure.getMessage() + "); check its permissions", failure);
        }
        return parseIntegers(file.toString(), bytes);
    }

    /** {@link #readIntegers(Path)} on the bytes of a file; {@code name} is used in error messages. */
    public static int[] parseIntegers(String name, byte[] bytes) {
        Header header = parseHeader(name, bytes, bytes.length);
        NpyDtype dtype = NpyDtype.parse(header.descr())
                .filter(type -> type.isInteger() || (type.isFloat() && type.size() > 2))
                .orElseThrow(() -> new NpyFormatException(name + ": dtype '" + header.descr() + "' is not supported for "
                        + "lengths; use int32, int64 or integral float values"));
        if (header.shape().length != 1) {
            throw new NpyFormatException(name + ": lengths must be a 1-D array, got shape " + shapeText(header.shape()));
        }
        int itemSize = dtype.size();
        checkDataLength(name, bytes.length, header, itemSize);
        ByteBuffer values = ByteBuffer.wrap(bytes).order(dtype.order());
        int[] out = new int[(int) header.count()];
        for (int i = 0; i < out.length; i++) {
            int at = (int) header.dataStart() + itemSize * i;
            if (dtype.isInteger() && itemSize == 8 && (values.getLong(at) > Integer.MAX_VALUE || values.getLong(at) < Integer.MIN_VALUE)) {
                throw new NpyFormatException(name + ": value " + values.getLong(at) + " at index [" + i + "] is out of range");
            }
            double value = switch (itemSize) {
                case 4 -> dtype.isInteger() ? values.getInt(at) : values.getFloat(at);
                default -> dtype.isInteger() ? values.getLong(at) : values.getDouble(at);
            };
            if (value != Math.rint(value) || Math.abs(value) > Integer.MAX_VALUE) {
                throw new NpyFormatException(name + ": value " + value + " at index [" + i + "] is not an integer");
            }
            out[i] = (int) value;
        }
        return out;
    }

    private static boolean startsWithMagic(byte[] bytes) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static String headerValue(String name, String header, Pattern pattern, String key) {
        if (!header.startsWith("{") || !header.endsWith("}")) {
            throw new NpyFormatException(name + ": malformed header (not a Python dict literal): " + header);
        }
        Matcher matcher = pattern.matcher(header);
        if (!matcher.find()) {
            throw new NpyFormatException(name + ": malformed header (no '" + key + "' entry): " + header);
        }
        return matcher.group(1);
    }

    private static void checkKeys(String name, String header) {
        Matcher keys = KEY.matcher(header);
        while (keys.find()) {
            String key = keys.group(1);
            if (!key.equals("descr") && !key.equals("fortran_order") && !key.equals("shape")) {
                throw new NpyFormatException(name + ": malformed header (unexpected key '" + key + "')");
            }
        }
    }

    private static int[] parseShape(String name, String text) {
        List<Integer> sizes = new ArrayList<>();
        for (String part : text.split(",")) {
            String trimmed = part.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (trimmed.endsWith("L")) { // Python 2 long literal
                trimmed = trimmed.substring(0, trimmed.length() - 1);
            }
            try {
                long size = Long.parseLong(trimmed);
                if (size < 0 || size > Integer.MAX_VALUE) {
                    throw new NumberFormatException();
                }
                sizes.add((int) size);
            } catch (NumberFormatException bad) {
                throw new NpyFormatException(name + ": malformed shape (" + text + ")");
            }
        }
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    /** NumPy's way of printing a shape: (3,), (3, 4). */
    public static String shapeText(int[] shape) {
        StringBuilder text = new StringBuilder("(");
        for (int axis = 0; axis < shape.length; axis++) {
            if (axis > 0) {
                text.append(", ");
            }
            text.append(shape[axis]);
        }
        if (shape.length == 1) {
            text.append(',');
        }
        return text.append(')').toString();
    }

    /** The bytes of a version-1.0 little-endian float32 C-order {@code .npy} file. */
    public static byte[] toBytes(int[] shape, float[] data) {
        byte[] header = header("<f4", shape);
        ByteBuffer buffer = ByteBuffer.allocate(header.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(header);
        buffer.asFloatBuffer().put(data);
        return buffer.array();
    }

    /** The bytes of a version-1.0 little-endian float64 C-order {@code .npy} file. */
    public static byte[] toBytes(int[] shape, double[] data) {
        byte[] header = header("<f8", shape);
        ByteBuffer buffer = ByteBuffer.allocate(header.length + 8 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(header);
        buffer.asDoubleBuffer().put(data);
        return buffer.array();
    }

    /**
     * Magic, version, header length and the header dict, padded with spaces and ended by a newline so
     * that the data starts on a 64-byte boundary, as NumPy writes it.
     */
    private static byte[] header(String dtype, int[] shape) {
        String dict = "{'descr': '" + dtype + "', 'fortran_order': False, 'shape': " + shapeText(shape) + ", }";
        int unpadded = 10 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String text = dict + " ".repeat(padding) + "\n";
        ByteBuffer buffer = ByteBuffer.allocate(10 + text.length()).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length());
        buffer.put(text.getBytes(StandardCharsets.ISO_8859_1));
        return buffer.array();
    }

    /**
     * Writes float32 data atomically: to a temporary file beside {@code file}, then moved into place.
     * The data is streamed in cache-sized chunks through one direct buffer (no byte array of the
     * file's size, no hidden copy).
     */
    public static void write(Path file, int[] shape, float[] data) {
        try {
            AtomicFiles.writeChannel(file, channel -> {
                byte[] head = header("<f4", shape);
                writeFully(channel, ByteBuffer.wrap(head), 0);
                // In parts on all cores, as the read: positional writes, one direct buffer per part.
                inParts(data.length, partsFor(4L * data.length), (from, to) -> {
                    ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                    for (int done = from; done < to; ) {
                        int values = Math.min(CHUNK / 4, to - done);
                        chunk.clear();
                        chunk.asFloatBuffer().put(data, done, values);
                        chunk.limit(4 * values);
                        writeFully(channel, chunk, head.length + 4L * done);
                        done += values;
                    }
                });
            });
        } catch (IOException failure) {
            throw new NpyFormatException(file + ": cannot be written (" + failure.getMessage() + ")", failure);
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }

    /** Writes float64 data atomically. */
    public static void write(Path file, int[] shape, double[] data) {
        writeAtomically(file, toBytes(shape, data));
    }

    private static void writeAtomically(Path file, byte[] bytes) {
        try {
            AtomicFiles.writeBytes(file, bytes);
        } catch (IOException failure) {
            throw new NpyFormatException(file + ": cannot be written (" + failure.getMessage() + ")", failure);
        }
    }

    /** Reads a {@code .npy} file from a stream (for resources); {@code name} is used in messages. */
    public static NpyArray read(String name, InputStream in) throws IOException {
        return parse(name, in.readAllBytes());
    }
}
