package dev.slicedattention.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.timing.Stage;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.tornado.graphs.ColumnLayout;
import dev.slicedattention.tornado.graphs.ForwardPlan;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.Bandwidths;
import dev.slicedattention.validation.ErrorMetrics;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Kernel;
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
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The whole forward pass on the TornadoVM device against the sequential path and the float64
 * references, for both kernels, ragged and not.
 */
@Tag("tornado")
class ForwardPassTest {
    @RegisterExtension
    static final EngineForClass tornado = new EngineForClass();

    /**
     * Every size of the issue, every generator and both kernels, in a matrix that keeps the suite
     * short on a CPU device: each (generator, kernel) meets two sizes (m ≠ n), P = 1 and P = 3, and
     * one ragged case (key and query lengths) next to a plain one. The bump's bandwidth follows the
     * data's scale (half the spread of each problem's projected keys), as the showcase chooses it.
     */
    static Stream<Arguments> matrix() {
        int[] sizes = {1, 2, 3, 1000, 4096, 65537};
        InputGenerator[] generators = InputGenerator.values();
        List<Arguments> cases = new ArrayList<>();
        for (int g = 0; g < generators.length; g++) {
            for (Kernel kernel : Kernel.values()) {
                for (int r = 0; r < 2; r++) {
                    int shift = kernel == Kernel.BUMP ? 1 : 0;
                    int n = sizes[(g + 2 * r + shift) % sizes.length];
                    int m = sizes[(g + 2 * r + 3 + shift) % sizes.length];
                    if (n == 65537 || m == 65537) {
                        // The largest size runs against the float64 pipeline only (the naive form is O(m·n·e)).
                        m = Math.min(m, 1000);
                    }
                    int heads = r == 0 ? 1 : 3;
                    boolean ragged = (g + r + shift) % 2 == 1;
                    cases.add(Arguments.of(generators[g], kernel, ragged, new Shape(heads, m, n, 16, 8)));
                }
            }
        }
        return cases.stream();
    }

    /**
     * The batch with the kernel's options: when ragged, key and query lengths spread over 1..n and
     * 1..m; for the bump, bandwidths from the keys in use (half the spread of each problem's projected keys).
     */
    static AttentionBatch withOptions(AttentionBatch plain, Kernel kernel, boolean ragged) {
        int heads = plain.heads();
        int[] keys = null, queries = null;
        if (ragged) {
            keys = new int[heads];
            queries = new int[heads];
            for (int p = 0; p < heads; p++) {
                keys[p] = Math.max(1, plain.n() - (p + 1) * plain.n() / (heads + 2));
                queries[p] = Math.max(1, plain.m() - (heads - p) * plain.m() / (heads + 3));
            }
        }
        AttentionBatch relu = plain.withOptions(AttentionOptions.relu().withKeyLengths(keys).withQueryLengths(queries));
        if (kernel == Kernel.RELU) {
            return relu;
        }
        return plain.withOptions(AttentionOptions.bump(Bandwidths.relativeToKeys(relu, Bandwidths.DEFAULT_FACTOR))
                .withKeyLengths(keys).withQueryLengths(queries));
    }

    @ParameterizedTest(name = "{0} {1} ragged={2} {3}")
    @MethodSource("matrix")
    void matchesSequentialPathAndReference(InputGenerator generator, Kernel kernel, boolean ragged, Shape shape) {
        AttentionBatch batch = withOptions(generator.generate(shape, 42), kernel, ragged);
        StageTimes times = new StageTimes();
        float[] device = tornado.engine().forward(batch, times);
        double[] reference = (long) shape.m() * shape.n() <= 1L << 24
                ? NaiveReference.attend(batch)
                : SequentialPipeline64.forward(batch);
        ErrorMetrics metrics = ErrorMetrics.compare(device, reference, batch);
        double tolerance = TolerancePolicy.BLOCKED_FLOAT32.tolerance(shape.n());
        assertTrue(TolerancePolicy.BLOCKED_FLOAT32.accepts(metrics, shape.n()),
                () -> batch + ": relative error " + metrics.relativeError() + " > " + tolerance + " (" + metrics + ")");
        ErrorMetrics sequential = ErrorMetrics.compare(SequentialPipeline.forward(batch), reference, batch);
        assertTrue(metrics.relativeError() <= Math.max(tolerance, 10 * sequential.relativeError()),
                () -> "device " + metrics.relativeError() + " vs sequential " + sequential.relativeError());
        for (int p = 0; p < shape.heads(); p++) {
            for (int i = batch.queryLength(p) * shape.e(); i < shape.m() * shape.e(); i++) {
                assertEquals(0.0f, device[p * shape.m() * shape.e() + i], "padded query row of problem " + p);
            }
        }
        assertEquals(kernel, tornado.engine().lastPlan().kernel());
        assertTrue(tornado.engine().lastPlan().lastKernelNanos() > 0, "the profiler saw no kernel time on the device");
    }

    /**
     * The PTX backend's loop order of the 2-D projection and prefix-sum kernels ({@link ColumnLayout#COLUMN_INNER}),
     * run on the test device through a whole plan: the same operator, ragged, both kernels. The test
     * device (OpenCL) gets the CPU layout by itself.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Kernel.class)
    void gpuLayoutMatchesReferenceOnTheTestDevice(Kernel kernel) {
        Shape shape = new Shape(3, 300, 1000, 16, 8);
        AttentionBatch batch = withOptions(InputGenerator.GAUSSIAN.generate(shape, 7), kernel, true);
        assertEquals(ColumnLayout.COLUMN_OUTER, ColumnLayout.of(tornado.engine().device()));
        try (ForwardPlan plan = new ForwardPlan(shape, kernel, ForwardPlan.Source.THETA, tornado.engine().device(), null,
                new FloatArray[4], ColumnLayout.COLUMN_INNER)) {
            assertEquals(ColumnLayout.COLUMN_INNER, plan.layout());
            float[] out = plan.forward(batch, new StageTimes());
            ErrorMetrics metrics = ErrorMetrics.compare(out, NaiveReference.attend(batch), batch);
            assertTrue(TolerancePolicy.BLOCKED_FLOAT32.accepts(metrics, shape.n()), () -> batch + ": " + metrics);
            assertTrue(plan.lastKernelNanos() > 0, "the profiler saw no kernel time on the device");
        }
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

    /**
     * Lengths and bandwidths are data: on one plan per kernel, calls with other key lengths, query
     * lengths and bandwidths neither rebuild nor recompile, and each result is right for its own
     * options. The two kernels' plans are cached side by side (the kernel is part of the key).
     */
    @Test
    void lengthsAndBandwidthsChangeBetweenCallsOnTheSamePlan() {
        Shape shape = new Shape(3, 200, 700, 16, 8);
        AttentionBatch plain = InputGenerator.SHARED_OFFSET.generate(shape, 4);
        int[][] keyLengths = {{700, 700, 700}, {700, 350, 1}, {5, 699, 300}};
        int[][] queryLengths = {{200, 200, 200}, {1, 200, 100}, {200, 3, 199}};
        ForwardPlan[] plans = new ForwardPlan[Kernel.values().length];
        for (int round = 0; round < 2; round++) {
            for (Kernel kernel : Kernel.values()) {
                for (int call = 0; call < keyLengths.length; call++) {
                    AttentionOptions options = kernel == Kernel.BUMP ? AttentionOptions.bump(0.5f + call, 2.0f, 8.0f / (call + 1))
                            : AttentionOptions.relu();
                    AttentionBatch batch = plain.withOptions(options.withKeyLengths(keyLengths[call]).withQueryLengths(queryLengths[call]));
                    int built = tornado.engine().plansBuilt();
                    StageTimes times = new StageTimes();
                    float[] out = tornado.engine().forward(batch, times);
                    ForwardPlan plan = tornado.engine().lastPlan();
                    if (plans[kernel.ordinal()] == null) {
                        plans[kernel.ordinal()] = plan;
                    } else {
                        assertSame(plans[kernel.ordinal()], plan, "the " + kernel + " plan was rebuilt for " + batch);
                        assertEquals(built, tornado.engine().plansBuilt());
                        assertEquals(0, plan.lastCompileNanos(), "TornadoVM compiled again for " + batch);
                        assertEquals(0, times.setupNanos());
                    }
                    ErrorMetrics metrics = ErrorMetrics.compare(out, NaiveReference.attend(batch), batch);
                    assertTrue(TolerancePolicy.BLOCKED_FLOAT32.accepts(metrics, shape.n()), () -> batch + ": " + metrics);
                }
            }
        }
        assertNotSame(plans[0], plans[1]);
    }

    @Test
    void listsItsDevice() {
        BackendInfo info = tornado.engine().info();
        assertTrue(info.name().matches("tornado:\\d+:\\d+"), info.name());
        assertTrue(info.runtime().startsWith("TornadoVM "), info.runtime());
    }
}
