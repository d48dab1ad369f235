package dev.slicedattention.validation.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files of 64 MiB and more are read and written in parts on all cores (positional reads and
 * writes): every value must land at its own offset, across the parts' borders and the last chunk.
 */
class NpyLargeFileTest {
    @TempDir
    Path dir;

    @Test
    void aFileReadAndWrittenInPartsHoldsEveryValueAtItsOffset() throws IOException {
        int rows = (1 << 18) + 3, cols = 64;                 // 64 MiB + 768 B of data: above the threshold, odd split
        float[] data = new float[rows * cols];
        for (int i = 0; i < data.length; i++) {
            data[i] = (i % 1_000_003) + 0.25f * (i % 4);     // distinct enough to catch a shifted part
        }
        Path file = dir.resolve("large.npy");
        Npy.write(file, new int[] {rows, cols}, data);

        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long dataStart = channel.size() - 4L * data.length;
            ByteBuffer value = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i : new int[] {0, 1, data.length / 2 - 1, data.length / 2, data.length / 2 + 1, (1 << 20) - 1,
                    1 << 20, data.length - 1}) {
                value.clear();
                channel.read(value, dataStart + 4L * i);
                assertEquals(data[i], value.getFloat(0), "value " + i + " in the file");
            }
        }
        NpyArray read = Npy.read(file);
        assertArrayEquals(new int[] {rows, cols}, read.shape());
        assertArrayEquals(data, read.data());
    }

    /**
     * A big-endian Fortran-order file of 64 MiB and more: read in parts and chunks, each chunk's
     * values placed at their C-order indices. Checked against the layout's definition, value by value.
     */
    @Test
    void aFortranOrderFileReadInPartsPutsEveryValueAtItsCOrderIndex() throws IOException {
        int[] shape = {3, 4099, 1366};                          // 67.2 MB of float32: several parts, many chunks
        Path file = dir.resolve("fortran.npy");
        writeFortran(file, ">f4", shape, ByteOrder.BIG_ENDIAN, 4, (buffer, index) -> buffer.putFloat(fileValue(index)));
        float[] read = Npy.read(file).data();
        checkFortranPlacement(shape, read, NpyLargeFileTest::fileValue);
    }

    /** float16 in Fortran order across chunk borders (a chunk holds 2^21 float16 values). */
    @Test
    void aFloat16FortranFileAcrossChunksPutsEveryValueAtItsCOrderIndex() throws IOException {
        int[] shape = {3, 1000, 701};                           // 2.1 M values
        Path file = dir.resolve("half.npy");
        writeFortran(file, "<f2", shape, ByteOrder.LITTLE_ENDIAN, 2,
                (buffer, index) -> buffer.putShort(Float.floatToFloat16(index % 2039)));
        float[] read = Npy.read(file).data();
        checkFortranPlacement(shape, read, index -> (float) (index % 2039));
    }

    private static float fileValue(long index) {
        return (index % 1_000_003) + 0.25f * (index % 4);
    }

    private interface Put {
        void value(ByteBuffer buffer, long fileIndex);
    }

    private static void writeFortran(Path file, String dtype, int[] shape, ByteOrder order, int size, Put put) throws IOException {
        long count = (long) shape[0] * shape[1] * shape[2];
        byte[] head = NpyTest.npy("{'descr': '" + dtype + "', 'fortran_order': True, 'shape': (" + shape[0] + ", " + shape[1]
                + ", " + shape[2] + "), }", new byte[0]);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(head));
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(order);
            for (long index = 0; index < count; index++) {
                put.value(chunk, index);
                if (!chunk.hasRemaining() || index == count - 1) {
                    chunk.flip();
                    while (chunk.hasRemaining()) {
                        channel.write(chunk);
                    }
                    chunk.clear();
                }
            }
        }
    }

    /** Fortran order: the value at [i, j, k] is the file's value number i + a (j + b k) for shape (a, b, c). */
    private static void checkFortranPlacement(int[] shape, float[] read, java.util.function.LongFunction<Float> fileValue) {
        int a = shape[0], b = shape[1], c = shape[2];
        assertEquals((long) a * b * c, read.length);
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < b; j++) {
                for (int k = 0; k < c; k++) {
                    float expected = fileValue.apply(i + (long) a * (j + (long) b * k));
                    float actual = read[(i * b + j) * c + k];
                    if (expected != actual) {
                        assertEquals(expected, actual, "value at [" + i + ", " + j + ", " + k + "]");
                    }
                }
            }
        }
    }
}
