package dev.slicedattention.tornado.graphs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The watch itself, without a device: a line written straight to file descriptor 1 (as TornadoVM's JNI
 * layer writes it, past System.out) inside a watched execute becomes a {@link DriverErrors.LaunchFailure}.
 */
@Tag("tornado")
class DriverErrorsTest {
    private static void printNatively(String line) {
        try {
            FileOutputStream out = new FileOutputStream(FileDescriptor.out);
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        }
    }

    @Test
    void aPrintedDriverErrorFailsTheExecuteWithTheStageCallAndCode() {
        assumeTrue(DriverErrors.active(), "the C library's dup2 is not reachable here");
        DriverErrors.LaunchFailure failure = assertThrows(DriverErrors.LaunchFailure.class, () -> DriverErrors.watch("rank", () -> {
            printNatively("\t[TornadoVM-PTX-JNI] ERROR : cuLaunchKernel -> Returned: 701");
            return 1;
        }));
        assertEquals("rank: PTX call cuLaunchKernel returned 701 (CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES)", failure.getMessage());
        assertEquals("cuLaunchKernel", failure.call());
        assertEquals("701", failure.code());
    }

    @Test
    void otherOutputAndPowerReadingsPassThrough() {
        assumeTrue(DriverErrors.active(), "the C library's dup2 is not reachable here");
        assertEquals(7, DriverErrors.watch("combine", () -> {
            printNatively("[TornadoVM-OCL-NVML-JNI] ERROR : nvmlDeviceGetPowerUsage -> Returned: 3");
            printNatively("an ordinary line");
            return 7;
        }));
        // The file is emptied between executes: a shorter print after an error does not see the error again.
        assertThrows(DriverErrors.LaunchFailure.class, () -> DriverErrors.watch("sort", () -> {
            printNatively("[TornadoVM-OCL-JNI] ERROR : clEnqueueNDRangeKernel -> Returned: -54");
            return 0;
        }));
        assertEquals(8, DriverErrors.watch("combine", () -> {
            printNatively("x");
            return 8;
        }));
    }
}
