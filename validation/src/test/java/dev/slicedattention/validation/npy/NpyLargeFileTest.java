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
}
