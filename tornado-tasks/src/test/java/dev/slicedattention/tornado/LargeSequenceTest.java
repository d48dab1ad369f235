package dev.slicedattention.tornado;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.ErrorMetrics;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Shape;
import dev.slicedattention.validation.sequential.SequentialPipeline64;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * n = 2^20 keys, d = e = 64, against the float64 pipeline: the accuracy target (relative
 * error ≤ 3e-5) where float32 sums are longest. m = 4096 queries keep it to seconds per case; the
 * queries do not take part in the sums whose error is at stake.
 */
@Tag("tornado")
class LargeSequenceTest {
    @RegisterExtension
    static final EngineForClass tornado = new EngineForClass();

    @ParameterizedTest
    @EnumSource(value = InputGenerator.class, names = {"GAUSSIAN", "SHARED_OFFSET"})
    void meetsThreeTimesTenToTheMinusFive(InputGenerator generator) {
        Shape shape = new Shape(1, 4096, 1 << 20, 64, 64);
        AttentionBatch batch = generator.generate(shape, 11);
        float[] out = tornado.engine().forward(batch, new StageTimes());
        ErrorMetrics metrics = ErrorMetrics.compare(out, SequentialPipeline64.forward(batch), batch);
        assertTrue(metrics.relativeError() <= 3e-5, () -> generator + ": " + metrics);
        assertTrue(tornado.engine().lastPlan().lastKernelNanos() > 0, "the profiler saw no kernel time on the device");
    }
}
