package dev.slicedattention.validation.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.error.NpyFormatException;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A mapped float32 file reads what {@link Npy#read} reads; its checks and messages are read's own. */
class MappedNpyTest {
    @TempDir
    Path folder;

    @Test
    void mapsTheValuesOfAFloat32File() {
        float[] values = new float[5 * 7 * 3];
        Random random = new Random(5);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        Path file = folder.resolve("x.npy");
        Npy.write(file, new int[] {5, 7, 3}, values);
        MappedNpy mapped = Npy.map(file).orElseThrow();
        assertArrayEquals(new int[] {5, 7, 3}, mapped.shape());
        assertEquals(values.length, mapped.size());
        float[] copy = new float[values.length + 4];
        mapped.copy(0, copy, 2, values.length);
        assertArrayEquals(values, Arrays.copyOfRange(copy, 2, 2 + values.length));
        for (int i = 0; i < values.length; i++) {
            assertEquals(values[i], mapped.get(i));
        }
        assertArrayEquals(Npy.read(file).data(), Arrays.copyOfRange(copy, 2, 2 + values.length));
    }

    @Test
    void aFloat64FileIsNotMappedButRead() {
        Path file = folder.resolve("wide.npy");
        Npy.write(file, new int[] {2}, new double[] {1.5, -2.25});
        assertTrue(Npy.map(file).isEmpty());
    }

    @Test
    void refusesWhatReadRefusesWithTheSameMessage() throws IOException {
        byte[] good = Npy.toBytes(new int[] {2, 2}, new float[] {1, 2, 3, 4});
        Path truncated = folder.resolve("data.npy");
        Files.write(truncated, Arrays.copyOf(good, good.length - 3));
        NpyFormatException mapped = assertThrows(NpyFormatException.class, () -> Npy.map(truncated));
        NpyFormatException read = assertThrows(NpyFormatException.class, () -> Npy.read(truncated));
        assertEquals(read.getMessage(), mapped.getMessage());
        assertTrue(mapped.getMessage().endsWith("needs 16 bytes of data but the file has 13 (truncated)"), mapped.getMessage());

        Path other = folder.resolve("ints.npy");
        Files.write(other, NpyTest.npy("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 1), }", new byte[4]));
        assertTrue(assertThrows(NpyFormatException.class, () -> Npy.map(other)).getMessage().contains("dtype '<i4' is not supported"));

        Path missing = folder.resolve("nope.npy");
        assertTrue(assertThrows(NpyFormatException.class, () -> Npy.map(missing)).getMessage().startsWith(missing + ": no such file"));
    }

    @Test
    void outOfRangeReadsAreRefused() {
        Path file = folder.resolve("x.npy");
        Npy.write(file, new int[] {3}, new float[] {1, 2, 3});
        MappedNpy mapped = Npy.map(file).orElseThrow();
        assertThrows(IndexOutOfBoundsException.class, () -> mapped.get(3));
        assertThrows(IndexOutOfBoundsException.class, () -> mapped.copy(2, new float[2], 0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> mapped.copy(-1, new float[2], 0, 1));
    }

    /** Files of more than one piece (1 GiB each when mapped; a few values here): a copy crosses the pieces. */
    @Property(tries = 200)
    void copiesAcrossPieces(@ForAll @IntRange(min = 1, max = 9) int piece, @ForAll @IntRange(min = 1, max = 60) int size,
                            @ForAll @IntRange(min = 0, max = 59) int first, @ForAll @IntRange(min = 0, max = 60) int wanted) {
        int from = first % size, length = Math.min(wanted, size - from);
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = i * 0.5f - 3;
        }
        FloatBuffer[] pieces = new FloatBuffer[(size + piece - 1) / piece];
        for (int p = 0; p < pieces.length; p++) {
            pieces[p] = FloatBuffer.wrap(Arrays.copyOfRange(values, p * piece, Math.min(size, (p + 1) * piece)));
        }
        MappedNpy mapped = new MappedNpy("x.npy", new int[] {size}, pieces, piece, size);
        float[] target = new float[length + 1];
        target[length] = 42;
        mapped.copy(from, target, 0, length);
        assertArrayEquals(Arrays.copyOfRange(values, from, from + length), Arrays.copyOf(target, length));
        assertEquals(42, target[length], "wrote past the length");
        assertEquals(values[from], mapped.get(from));
    }
}
