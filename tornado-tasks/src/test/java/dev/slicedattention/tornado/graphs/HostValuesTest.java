package dev.slicedattention.tornado.graphs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.Tensor;
import dev.slicedattention.validation.npy.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** A plan's input copy from a mapped file: every value arrives, and the file's pages leave the resident set as they are copied. */
@Tag("tornado")
class HostValuesTest {

    @Test
    void aMappedFileIsCopiedWholeAndItsPagesAreGivenBack(@TempDir Path dir) throws IOException {
        int count = 24 << 20;                                     // 96 MiB of floats
        float[] values = new float[count];
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        Path file = dir.resolve("values.npy");
        Npy.write(file, new int[] {count}, values);
        Tensor mapped = Tensor.mapNpy(file);
        HostValues host = HostValues.of(mapped.offHeap().orElseThrow());
        assertTrue(host.isMappedFile());
        float[] block = new float[1 << 16];
        for (int from = 0; from < count; from += block.length) {  // touch every page, as the finite check does
            host.read(from, block, block.length);
        }
        long touched = HostArraysTest.residentKiB("RssFile:");
        FloatArray target = HostArrays.floats(count);
        host.copyInto(target);
        long after = HostArraysTest.residentKiB("RssFile:");
        for (int i = 0; i < count; i += 997) {
            assertEquals(values[i], target.get(i), "value " + i);
        }
        assertEquals(values[count - 1], target.get(count - 1));
        assertTrue(touched - after > (80 << 10), "copying 96 MiB from the mapping gave back only " + ((touched - after) >> 10) + " MiB");
        assertEquals(values[count / 2], mapped.get(count / 2), "the mapping reads the file again after its pages were given back");
    }

}
