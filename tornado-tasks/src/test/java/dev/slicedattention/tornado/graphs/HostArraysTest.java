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

/** Device-only host arrays: zeros like TornadoVM's own, but resident only where written; pages given back. */
@Tag("tornado")
class HostArraysTest {

    @Test
    void largeArraysAreZerosThatTakeNoMemoryUntilWritten() throws IOException {
        assertTrue(HostArrays.untouched(), "the tests run with --enable-native-access=ALL-UNNAMED on Linux");
        int count = 128 << 20;                                   // 512 MiB of floats
        long before = residentKiB("VmRSS:") << 10;
        FloatArray floats = HostArrays.floats(count);
        long after = residentKiB("VmRSS:") << 10;
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
    void givenBackArraysReadAsZerosAndLeaveTheResidentSet() throws IOException {
        int count = 32 << 20;                                     // 128 MiB
        FloatArray array = HostArrays.floats(count);
        for (int i = 0; i < count; i++) {
            array.set(i, 1.5f);
        }
        long written = residentKiB("RssAnon:");
        HostArrays.giveBack(array);
        long after = residentKiB("RssAnon:");
        assertTrue(written - after > (120 << 10), "giving back 128 MiB freed only " + ((written - after) >> 10) + " MiB");
        assertEquals(count, array.getSize());
        assertEquals(0f, array.get(count / 2));
        assertEquals(0f, array.get(2048));                        // whole pages only: the first page holds the header too
        array.set(count / 2, 2f);                                 // usable again: the next call's copy writes it
        assertEquals(2f, array.get(count / 2));
    }

    @Test
    void smallArraysAreTornadoVMsOwn() {
        FloatArray small = HostArrays.floats(3);
        assertEquals(3, small.getSize());
        assertEquals(0f, small.get(2));
        IntArray none = HostArrays.ints(0);
        assertEquals(0, none.getSize());
    }

    /** A field of /proc/self/status (VmRSS:, RssAnon:, RssFile:), in KiB. */
    static long residentKiB(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no " + field + " in /proc/self/status");
    }
}
