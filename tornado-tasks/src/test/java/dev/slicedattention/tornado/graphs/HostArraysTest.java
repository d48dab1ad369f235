package dev.slicedattention.tornado.graphs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/** Device-only host arrays: zeros like TornadoVM's own, but resident only where written. */
@Tag("tornado")
class HostArraysTest {

    @Test
    void largeArraysAreZerosThatTakeNoMemoryUntilWritten() throws IOException {
        assertTrue(HostArrays.untouched(), "the tests run with --enable-native-access=ALL-UNNAMED on Linux");
        int count = 128 << 20;                                   // 512 MiB of floats
        long before = residentBytes();
        FloatArray floats = HostArrays.floats(count);
        long after = residentBytes();
        assertEquals(count, floats.getSize());
        assertTrue(after - before < (64L << 20), "allocating 512 MiB made " + ((after - before) >> 20) + " MiB resident");
        assertEquals(0f, floats.get(0));
        assertEquals(0f, floats.get(count / 2));
        assertEquals(0f, floats.get(count - 1));
        floats.set(count - 1, 2.5f);
        floats.set(7, -1f);
        assertEquals(2.5f, floats.get(count - 1));
        assertEquals(-1f, floats.get(7));
        assertEquals(0f, floats.get(8));

        IntArray ints = HostArrays.ints(1 << 20);
        assertEquals(1 << 20, ints.getSize());
        assertEquals(0, ints.get((1 << 20) - 1));
        ints.set(3, 42);
        assertEquals(42, ints.get(3));
    }

    @Test
    void smallArraysAreTornadoVMsOwn() {
        FloatArray small = HostArrays.floats(3);
        assertEquals(3, small.getSize());
        assertEquals(0f, small.get(2));
        IntArray none = HostArrays.ints(0);
        assertEquals(0, none.getSize());
    }

    /** VmRSS of this process, in bytes. */
    private static long residentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) << 10;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
