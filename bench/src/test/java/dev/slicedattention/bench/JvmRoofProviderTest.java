package dev.slicedattention.bench.roof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.DeviceKind;
import dev.slicedattention.spi.MemoryRoofKernel;
import org.junit.jupiter.api.Test;

/** The JVM roof kernels do the work they claim, on one thread and split over workers. */
class JvmRoofProviderTest {
    private static BackendInfo info(String family, int threads) {
        return new BackendInfo(family, family, "cpu", DeviceKind.CPU, 1L << 30, "JVM", threads);
    }

    @Test
    void copyThenTriadLeaveTheExpectedData() {
        for (BackendInfo backend : new BackendInfo[] {info("jvm-seq", 1), info("jvm-par", 3)}) {
            // An odd length, so that the worker slices are uneven.
            try (MemoryRoofKernel kernel = new JvmRoofProvider().open(backend, 1001)) {
                assertEquals(1001, kernel.length());
                kernel.copy();
                kernel.triad();
                assertEquals(3.5, kernel.probe(), backend.name());
            }
        }
    }

    @Test
    void foundThroughServiceLoaderForJvmFamiliesOnly() {
        assertSame(JvmRoofProvider.class, RoofProviders.require(info("jvm-par", 2)).getClass());
        assertTrue(RoofProviders.forBackend(info("jvm-seq", 1)).isPresent());
        assertFalse(RoofProviders.forBackend(info("tornado", 8)).isPresent(), "no TornadoVM jar on this class path");
    }
}
