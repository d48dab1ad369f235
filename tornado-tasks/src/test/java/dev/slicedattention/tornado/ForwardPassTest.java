package dev.slicedattention.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.timing.Stage;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.tornado.graphs.ForwardPlan;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.ErrorMetrics;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.NaiveReference;
import dev.slicedattention.validation.Shape;
import dev.slicedattention.validation.TolerancePolicy;
import dev.slicedattention.validation.sequential.SequentialPipeline;
import dev.slicedattention.validation.sequential.SequentialPipeline64;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The whole forward pass on the TornadoVM device against the sequential path and the float64 references. */
@Tag("tornado")
class ForwardPassTest {
    @RegisterExtension
    static final EngineForClass tornado = new EngineForClass();

    /**
     * Every size of the issue and every generator, in a matrix that keeps the suite short on a CPU
     * device: each generator meets several sizes, each size meets several generators and both P.
     */
    static Stream<Arguments> matrix() {
        int[] sizes = {1, 2, 3, 1000, 4096, 65537};
        InputGenerator[] generators = InputGenerator.values();
        List<Arguments> cases = new ArrayList<>();
        for (int g = 0; g < generators.length; g++) {
            for (int r = 0; r < 2; r++) {
                int n = sizes[(g + 2 * r) % sizes.length];
                int m = sizes[(g + 2 * r + 3) % sizes.length];
                if (n == 65537 || m == 65537) {
                    // The largest size runs against the float64 pipeline only (the naive form is O(m·n·e)).
                    m = Math.min(m, 1000);
                }
                int heads = (g + r) % 2 == 0 ? 1 : 3;
                cases.add(Arguments.of(generators[g], new Shape(heads, m, n, 16, 8)));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("matrix")
    void matchesSequentialPathAndReference(InputGenerator generator, Shape shape) {
        AttentionBatch batch = generator.generate(shape, 42);
        StageTimes times = new StageTimes();
        float[] device = tornado.engine().forward(batch, times);
        double[] reference = (long) shape.m() * shape.n() <= 1L << 24
                ? NaiveReference.attend(batch)
                : SequentialPipeline64.forward(batch);
        ErrorMetrics metrics = ErrorMetrics.compare(device, reference, batch);
        double tolerance = TolerancePolicy.BLOCKED_FLOAT32.tolerance(shape.n());
        assertTrue(TolerancePolicy.BLOCKED_FLOAT32.accepts(metrics, shape.n()),
                () -> generator + " " + shape + ": relative error " + metrics.relativeError() + " > " + tolerance + " (" + metrics + ")");
        ErrorMetrics sequential = ErrorMetrics.compare(SequentialPipeline.forward(batch), reference, batch);
        assertTrue(metrics.relativeError() <= Math.max(tolerance, 10 * sequential.relativeError()),
                () -> "device " + metrics.relativeError() + " vs sequential " + sequential.relativeError());
        assertTrue(tornado.engine().lastPlan().lastKernelNanos() > 0, "the profiler saw no kernel time on the device");
    }

    @Test
    void secondCallOnTheSameShapeDoesNotRecompile() {
        Shape shape = new Shape(3, 100, 300, 16, 8);
        AttentionBatch first = InputGenerator.GAUSSIAN.generate(shape, 1);
        AttentionBatch second = InputGenerator.HEAVY_TAILED.generate(shape, 2);
        StageTimes firstTimes = new StageTimes();
        tornado.engine().forward(first, firstTimes);
        ForwardPlan plan = tornado.engine().lastPlan();
        int built = tornado.engine().plansBuilt();
        StageTimes secondTimes = new StageTimes();
        float[] out = tornado.engine().forward(second, secondTimes);
        assertSame(plan, tornado.engine().lastPlan(), "the plan of the shape was rebuilt");
        assertEquals(built, tornado.engine().plansBuilt());
        assertEquals(0, plan.lastCompileNanos(), "TornadoVM compiled again on the second call");
        assertEquals(0, secondTimes.setupNanos());
        assertTrue(secondTimes.nanos(Stage.SORT) > 0);
        ErrorMetrics metrics = ErrorMetrics.compare(out, NaiveReference.attend(second), second);
        assertTrue(TolerancePolicy.BLOCKED_FLOAT32.accepts(metrics, shape.n()), metrics::toString);
    }

    @Test
    void listsItsDevice() {
        BackendInfo info = tornado.engine().info();
        assertTrue(info.name().matches("tornado:\\d+:\\d+"), info.name());
        assertTrue(info.runtime().startsWith("TornadoVM "), info.runtime());
    }
}
