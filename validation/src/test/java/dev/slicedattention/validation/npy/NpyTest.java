package dev.slicedattention.validation.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.error.NpyFormatException;
import java.io.ByteArrayInputStream;
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

/** .npy round trips and every refusal, each message naming the file and the problem. */
class NpyTest {
    @TempDir
    Path folder;

    /** A version-1.0 file with the given header dict and raw data, built by hand as NumPy lays it out. */
    static byte[] npy(String dict, byte[] data) {
        return npy(1, dict, data);
    }

    static byte[] npy(int major, String dict, byte[] data) {
        int preamble = major == 1 ? 10 : 12;
        String header = dict + " ".repeat((64 - (preamble + dict.length() + 1) % 64) % 64) + "\n";
        ByteBuffer buffer = ByteBuffer.allocate(preamble + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            buffer.putShort((short) header.length());
        } else {
            buffer.putInt(header.length());
        }
        buffer.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return buffer.array();
    }

    static byte[] littleFloats(float... values) {
        ByteBuffer buffer = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            buffer.putFloat(value);
        }
        return buffer.array();
    }

    static byte[] littleDoubles(double... values) {
        ByteBuffer buffer = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double value : values) {
            buffer.putDouble(value);
        }
        return buffer.array();
    }

    private static String dict(String dtype, boolean fortran, String shape) {
        return "{'descr': '" + dtype + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
    }

    private static void refused(String name, byte[] bytes, String problem) {
        NpyFormatException error = assertThrows(NpyFormatException.class, () -> Npy.parse(name, bytes));
        assertTrue(error.getMessage().startsWith(name + ": "), "message must name the file: " + error.getMessage());
        assertTrue(error.getMessage().contains(problem), "expected '" + problem + "' in: " + error.getMessage());
    }

    @Test
    void roundTripsFloat32And64In2DAnd3D() {
        float[] f2 = {1f, -2.5f, 3e-30f, Float.MAX_VALUE, -0f, 7f};
        Path a = folder.resolve("a.npy");
        Npy.write(a, new int[] {2, 3}, f2);
        NpyArray read = Npy.read(a);
        assertArrayEquals(new int[] {2, 3}, read.shape());
        assertArrayEquals(f2, read.data());
        assertEquals("<f4", read.sourceDtype());
        assertEquals(new NpyArray(new int[] {2, 3}, f2, "<f4"), read);

        float[] f3 = new float[2 * 3 * 4];
        for (int i = 0; i < f3.length; i++) {
            f3[i] = i * 0.5f - 3;
        }
        Path b = folder.resolve("nested/b.npy");
        Npy.write(b, new int[] {2, 3, 4}, f3);
        assertEquals("(2, 3, 4)", Npy.read(b).shapeText());
        assertArrayEquals(f3, Npy.read(b).data());

        double[] d3 = {0.1, -1.0, 2.0, 1e-3, 3.5, 1e-40};
        Path c = folder.resolve("c.npy");
        Npy.write(c, new int[] {1, 2, 3}, d3);
        NpyArray doubles = Npy.read(c);
        assertEquals("<f8", doubles.sourceDtype());
        assertArrayEquals(new int[] {1, 2, 3}, doubles.shape());
        for (int i = 0; i < d3.length; i++) {
            assertEquals((float) d3[i], doubles.data()[i], 0f, "float64 is narrowed to the nearest float32");
        }
        Path e = folder.resolve("e.npy");
        Npy.write(e, new int[] {3, 2}, d3);
        assertArrayEquals(new int[] {3, 2}, Npy.read(e).shape());
    }

    @Test
    void writtenHeaderIsWhatNumPyWrites() throws IOException {
        byte[] bytes = Npy.toBytes(new int[] {2, 3}, new float[6]);
        String header = new String(bytes, 10, bytes.length - 10 - 24, StandardCharsets.ISO_8859_1);
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", header.strip());
        assertEquals(0, (bytes.length - 24) % 64, "data starts on a 64-byte boundary");
        assertTrue(header.endsWith("\n"));
        NpyArray viaStream = Npy.read("stream", new ByteArrayInputStream(bytes));
        assertEquals("(2, 3)", viaStream.shapeText());
    }

    @Test
    void readsVersion2And3AndOtherRanks() {
        // Any rank is read (θ of one head is 1-D); the rank an operator needs is checked where the tensor is used.
        assertArrayEquals(new float[] {1f, 2f}, Npy.parse("v2.npy", npy(2, dict("<f4", false, "(2,)"), littleFloats(1f, 2f))).data());
        assertArrayEquals(new int[] {1, 1, 1, 2},
                Npy.parse("v3.npy", npy(3, dict("<f8", false, "(1, 1, 1, 2)"), littleDoubles(1, 2))).shape());
        assertArrayEquals(new int[] {0, 3}, Npy.parse("empty.npy", npy(dict("<f4", false, "(0, 3)"), new byte[0])).shape());
        assertArrayEquals(new int[] {2, 1}, Npy.parse("long.npy", npy(dict("<f4", false, "(2L, 1L)"), littleFloats(1, 2))).shape());
    }

    @Test
    void refusesBadMagicAndTruncation() {
        byte[] good = Npy.toBytes(new int[] {2, 2}, new float[] {1, 2, 3, 4});
        byte[] magic = good.clone();
        magic[1] = 'X';
        refused("magic.npy", magic, "not a .npy file (the magic string \\x93NUMPY is missing)");
        refused("short.npy", new byte[] {(byte) 0x93, 'N', 'U'}, "not a .npy file");
        refused("data.npy", Arrays.copyOf(good, good.length - 3), "needs 16 bytes of data but the file has 13 (truncated)");
        refused("header.npy", Arrays.copyOf(good, 40), "truncated header (it claims 118 bytes, the file has 30 after the preamble)");
        refused("trailing.npy", Arrays.copyOf(good, good.length + 4), "needs 16 bytes of data but the file has 20 (trailing bytes)");
        refused("shape.npy", npy(dict("<f4", false, "(3, 2)"), littleFloats(1, 2, 3, 4)),
                "shape (3, 2) of <f4 needs 24 bytes of data but the file has 16 (truncated)");
        refused("v2short.npy", Arrays.copyOf(npy(2, dict("<f4", false, "(1,)"), littleFloats(1)), 11), "truncated header");
    }

    @Test
    void refusesBadHeaders() {
        refused("version.npy", npy(4, dict("<f4", false, "(1,)"), littleFloats(1)), "unsupported .npy format version 4.0");
        refused("dict.npy", npy("'descr': '<f4', 'fortran_order': False, 'shape': (1,)", littleFloats(1)),
                "malformed header (not a Python dict literal)");
        refused("nodescr.npy", npy("{'fortran_order': False, 'shape': (1,), }", littleFloats(1)), "malformed header (no 'descr' entry)");
        refused("noshape.npy", npy("{'descr': '<f4', 'fortran_order': False, }", littleFloats(1)), "malformed header (no 'shape' entry)");
        refused("noorder.npy", npy("{'descr': '<f4', 'shape': (1,), }", littleFloats(1)), "malformed header (no 'fortran_order' entry)");
        refused("extra.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1, }", littleFloats(1)),
                "malformed header (unexpected key 'extra')");
        refused("badshape.npy", npy(dict("<f4", false, "(2, x)"), littleFloats(1, 2)), "malformed shape (2, x)");
        refused("negative.npy", npy(dict("<f4", false, "(-1,)"), littleFloats(1)), "malformed shape (-1,)");
    }

    @Test
    void refusesOtherDtypes() {
        for (String dtype : new String[] {"<i4", ">i8", "|u1", "<c8", ">c16", "<f16", "<U5", "|O", "=f4", "<f3"}) {
            refused("dtype.npy", npy(dict(dtype, false, "(1, 1)"), new byte[16]), "dtype '" + dtype
                    + "' is not supported; only float16, float32 and float64 ('<f2', '<f4', '<f8', or big-endian '>f2', '>f4', '>f8') are read");
        }
    }

    @Test
    void readsBigEndianFloat16AndFortranOrderBuiltByHand() {
        ByteBuffer big = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN);
        for (float value : new float[] {1f, -2.5f, 0x1p-24f, 65504f}) {
            big.putShort(Float.floatToFloat16(value));
        }
        assertArrayEquals(new float[] {1f, -2.5f, 0x1p-24f, 65504f},
                Npy.parse("half.npy", npy(dict(">f2", false, "(4,)"), big.array())).data());
        // Column-major: the file holds the columns one after another.
        assertArrayEquals(new float[] {1, 3, 5, 2, 4, 6},
                Npy.parse("fortran.npy", npy(dict("<f4", true, "(2, 3)"), littleFloats(1, 2, 3, 4, 5, 6))).data());
        // Rank 1 and 0: Fortran order is C order.
        assertArrayEquals(new float[] {1, 2}, Npy.parse("f1.npy", npy(dict("<f4", true, "(2,)"), littleFloats(1, 2))).data());
        assertArrayEquals(new float[] {7}, Npy.parse("f0.npy", npy(dict("<f4", true, "()"), littleFloats(7))).data());
        assertArrayEquals(new int[] {0, 3}, Npy.parse("f00.npy", npy(dict(">f2", true, "(0, 3)"), new byte[0])).shape());
    }

    @Test
    void refusesFloat64ValuesOutsideFloat32() {
        refused("big.npy", npy(dict("<f8", false, "(1, 2)"), littleDoubles(1.0, 1e300)),
                "value 1.0E300 at index [0, 1] is outside float32's range");
        // In a Fortran-order file the second value is at [1, 0].
        refused("bigf.npy", npy(dict("<f8", true, "(2, 3)"), littleDoubles(1.0, -1e300, 3, 4, 5, 6)),
                "value -1.0E300 at index [1, 0] is outside float32's range");
    }

    @Test
    void missingFileIsNamed() {
        Path missing = folder.resolve("nope.npy");
        NpyFormatException error = assertThrows(NpyFormatException.class, () -> Npy.read(missing));
        assertTrue(error.getMessage().startsWith(missing + ": no such file"), error.getMessage());
    }

    @Test
    void failedWriteLeavesNoPartialFile() throws IOException {
        // The target is a non-empty directory: the final move fails after the data was written.
        Path target = folder.resolve("out.npy");
        Files.createDirectories(target);
        Files.writeString(target.resolve("keep"), "x");
        NpyFormatException error = assertThrows(NpyFormatException.class,
                () -> Npy.write(target, new int[] {2, 2}, new float[] {1, 2, 3, 4}));
        assertTrue(error.getMessage().startsWith(target + ": cannot be written"), error.getMessage());
        try (Stream<Path> left = Files.list(folder)) {
            assertEquals(java.util.List.of(target), left.toList(), "no temporary file may be left behind");
        }
        // A folder that is a file: nothing can be created at all.
        Path blocked = folder.resolve("file");
        Files.writeString(blocked, "x");
        assertThrows(NpyFormatException.class, () -> Npy.write(blocked.resolve("x.npy"), new int[] {1, 1}, new double[] {1}));
    }

    @Test
    void overwriteReplacesTheWholeFile() {
        Path file = folder.resolve("x.npy");
        Npy.write(file, new int[] {10, 10}, new float[100]);
        Npy.write(file, new int[] {1, 2}, new float[] {5, 6});
        assertArrayEquals(new float[] {5, 6}, Npy.read(file).data());
    }
}
