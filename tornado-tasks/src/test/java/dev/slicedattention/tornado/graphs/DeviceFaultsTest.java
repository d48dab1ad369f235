package dev.slicedattention.tornado.graphs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.slicedattention.Backend;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.Tensor;
import dev.slicedattention.error.DeviceFailureException;
import dev.slicedattention.error.ResultMismatchException;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The two ways a device result can be wrong without TornadoVM throwing, forced through {@link TestFaults}:
 * a launch the driver refuses (caught by {@link DriverErrors}) and a kernel reading a wrong index
 * (caught by the per-call spot check).
 */
@Tag("tornado")
class DeviceFaultsTest {
    private static final String DEVICE = System.getProperty("sliced.attention.test.device", "tornado");

    @AfterEach
    void switchOff() {
        System.clearProperty(TestFaults.LAUNCH);
        System.clearProperty(TestFaults.WRONG_INDEX);
    }

    @Test
    void aLaunchTheDriverRefusesFailsTheCallNamingTheDeviceTheStageAndTheError() {
        assumeTrue(DriverErrors.active(), "the C library's dup2 is not reachable here");
        System.setProperty(TestFaults.LAUNCH, "true");
        AttentionBatch batch = InputGenerator.GAUSSIAN.generate(new Shape(1, 8, 300, 4, 3), 1);
        try (Backend backend = SlicedAttention.open(DEVICE)) {
            // An OpenCL driver refuses a work-group that does not divide the global size; PTX would launch fewer threads.
            assumeTrue(backend.info().runtime().endsWith("/ OpenCL"), "the forced fault is an OpenCL launch error");
            DeviceFailureException failure = assertThrows(DeviceFailureException.class, () -> backend.run(batch));
            String message = failure.getMessage();
            assertTrue(message.startsWith(backend.info().name() + " (" + backend.info().deviceName() + ") failed in the sort (sortLocal):"
                    + " OCL call clEnqueueNDRangeKernel returned -54 (CL_INVALID_WORK_GROUP_SIZE)"), message);
            assertEquals(-1, message.indexOf('\n'), "one line");
        }
    }

    @Test
    void aKernelReadingAWrongIndexIsCaughtByTheSpotCheckAndPassesUncheckedWithoutIt() {
        System.setProperty(TestFaults.WRONG_INDEX, "true");
        // Two problems of 3 queries: every row is checked, and problem 1's ranks come from the wrong keys.
        Shape shape = new Shape(2, 3, 200, 4, 3);
        AttentionBatch batch = InputGenerator.GAUSSIAN.generate(shape, 2);
        Tensor q = Tensor.wrap(batch.q(), 2, 3, 4), k = Tensor.wrap(batch.k(), 2, 200, 4);
        Tensor v = Tensor.wrap(batch.v(), 2, 200, 3), theta = Tensor.wrap(batch.theta(), 2, 4);
        try (Backend backend = SlicedAttention.open(DEVICE)) {
            ResultMismatchException mismatch = assertThrows(ResultMismatchException.class, () -> backend.forward(q, k, v, theta));
            assertTrue(mismatch.getMessage().startsWith("the spot check of " + backend.info().name() + " (" + backend.info().deviceName()
                    + ")'s result failed: problem 1, query "), mismatch.getMessage());

            float[] unchecked = backend.spotCheck(0).forward(q, k, v, theta).data();
            float[] right = dev.slicedattention.validation.sequential.SequentialPipeline.forward(batch);
            double worst = 0;
            for (int i = 0; i < right.length; i++) {
                worst = Math.max(worst, Math.abs(unchecked[i] - right[i]));
            }
            assertTrue(worst > 1e-3, "without the check the wrong result reaches the caller (the fault is real): " + worst);
        }
    }
}
