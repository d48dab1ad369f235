package dev.slicedattention.tornado.graphs;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.slicedattention.error.InvalidInputException;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.Shape;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** The two TornadoVM limits every plan meets (found on an H200): PTX registers per thread, elements per array. */
@Tag("tornado")
class DeviceLimitsTest {

    @Test
    void anArrayOfMoreThanTwoToTheThirtyOneMinusOneElementsIsRefusedWithItsSize() {
        assertDoesNotThrow(() -> DeviceLimits.requireArraySize("P=1", "a table", Integer.MAX_VALUE));
        InvalidInputException error = assertThrows(InvalidInputException.class,
                () -> DeviceLimits.requireArraySize("P=1 m=1 n=16777216 d=64 e=64 relu", "the prefix table, P·(n+1)·(2e+1)", 16_777_217L * 129));
        assertEquals("P=1 m=1 n=16777216 d=64 e=64 relu is too large for one TornadoVM plan: the prefix table, P·(n+1)·(2e+1)"
                + " would hold 2,164,260,993 elements, and a TornadoVM array holds at most 2^31 - 1 = 2,147,483,647;"
                + " run fewer heads per call or shorter sequences on the device", error.getMessage());
    }

    /** n = 2^24 at e = 64 (seen failing on the H200 as a negative allocation size): refused before any allocation. */
    @Test
    void plansTooLargeForTornadoVMsArraysAreRefusedBeforeAllocating() {
        Shape shape = new Shape(1, 1, 1 << 24, 64, 64);
        for (Kernel kernel : Kernel.values()) {
            InvalidInputException plain = assertThrows(InvalidInputException.class, () -> new ForwardPlan(shape, kernel,
                    ForwardPlan.Source.THETA, TornadoExecutionPlan.DEFAULT_DEVICE, null, new FloatArray[4]));
            assertEquals(true, plain.getMessage().contains("the prefix table"), plain.getMessage());
        }
        Shape self = new Shape(1, 1 << 24, 1 << 24, 64, 64);
        InvalidInputException causal = assertThrows(InvalidInputException.class, () -> new CausalPlan(self, Kernel.RELU,
                ForwardPlan.Source.THETA, TornadoExecutionPlan.DEFAULT_DEVICE, new FloatArray[4]));
        assertEquals(true, causal.getMessage().startsWith(self + " causal relu is too large"), causal.getMessage());
        // Just under the limit the check lets a plan through (here: the largest n at e = 64 for the plain table).
        assertDoesNotThrow(() -> DeviceLimits.requireArraySize("", "", (long) (Integer.MAX_VALUE / 129) * 129));
    }

    @Test
    void ptxGraphsAreCompiledWithAtMostSixtyFourRegistersPerThread() {
        String previous = System.getProperty("tornado.ptx.compiler.flags");
        try {
            System.clearProperty("tornado.ptx.compiler.flags");
            assertEquals("CU_JIT_OPTIMIZATION_LEVEL 4 CU_JIT_MAX_REGISTERS 64", DeviceLimits.ptxFlags());
            System.setProperty("tornado.ptx.compiler.flags", "CU_JIT_OPTIMIZATION_LEVEL 3");
            assertEquals("CU_JIT_OPTIMIZATION_LEVEL 3 CU_JIT_MAX_REGISTERS 64", DeviceLimits.ptxFlags());
            System.setProperty("tornado.ptx.compiler.flags", "CU_JIT_MAX_REGISTERS 32");
            assertEquals("CU_JIT_MAX_REGISTERS 32", DeviceLimits.ptxFlags(), "a cap of the user's own stands");
        } finally {
            if (previous == null) {
                System.clearProperty("tornado.ptx.compiler.flags");
            } else {
                System.setProperty("tornado.ptx.compiler.flags", previous);
            }
        }
    }
}
