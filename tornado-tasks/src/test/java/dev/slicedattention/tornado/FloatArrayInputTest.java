package dev.slicedattention.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.Backend;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.Tensor;
import dev.slicedattention.error.InvalidInputException;
import dev.slicedattention.spi.TensorBatch;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.tornado.graphs.ForwardPlan;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.ErrorMetrics;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.NaiveReference;
import dev.slicedattention.validation.Shape;
import dev.slicedattention.validation.TolerancePolicy;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Inputs that are TornadoVM {@link FloatArray}s: the plan is built on the caller's arrays and sends
 * them to the device as they are, and the result is the heap path's, bit for bit.
 */
@Tag("tornado")
class FloatArrayInputTest {
    private static final Shape SHAPE = new Shape(2, 300, 1000, 16, 8);
    @RegisterExtension
    static final EngineForClass tornado = new EngineForClass();

    @Test
    void thePlanSendsTheCallersArraysAndRereadsThemOnEveryCall() {
        AttentionBatch first = InputGenerator.GAUSSIAN.generate(SHAPE, 5);
        FloatArray[] arrays = {FloatArray.fromArray(first.q()), FloatArray.fromArray(first.k()),
                FloatArray.fromArray(first.v()), FloatArray.fromArray(first.theta())};
        float[] expected = tornado.engine().forward(first, new StageTimes());
        ForwardPlan heapPlan = tornado.engine().lastPlan();
        int built = tornado.engine().plansBuilt();

        float[] actual = tornado.engine().forward(tensors(arrays), new StageTimes());
        ForwardPlan plan = tornado.engine().lastPlan();
        assertNotSame(heapPlan, plan, "FloatArray inputs ran on the plan of heap inputs, which copies them");
        assertEquals(built + 1, tornado.engine().plansBuilt());
        for (int i = 0; i < arrays.length; i++) {
            assertSame(arrays[i], plan.input(i), "input " + i + " is not the caller's FloatArray");
        }
        assertArrayEquals(expected, actual, "FloatArray inputs changed the result");
        assertTrue(plan.lastKernelNanos() > 0, "the profiler saw no kernel time on the device");

        // Refill the same arrays: the same plan, no compilation, and the new values are used.
        AttentionBatch second = InputGenerator.HEAVY_TAILED.generate(SHAPE, 6);
        fill(arrays, second);
        StageTimes times = new StageTimes();
        float[] refilled = tornado.engine().forward(tensors(arrays), times);
        assertSame(plan, tornado.engine().lastPlan());
        assertEquals(built + 1, tornado.engine().plansBuilt());
        assertEquals(0, times.setupNanos(), "a call on the same arrays compiled again");
        ErrorMetrics metrics = ErrorMetrics.compare(refilled, NaiveReference.attend(second), second);
        assertTrue(TolerancePolicy.BLOCKED_FLOAT32.accepts(metrics, SHAPE.n()), metrics::toString);
        assertArrayEquals(tornado.engine().forward(second, new StageTimes()), refilled);
    }

    /**
     * The bump and ragged lengths on FloatArray inputs: the engine computes ν from the caller's V
     * over each problem's first L_p rows, and the result is the heap path's, bit for bit; new
     * lengths and bandwidths on the same arrays reuse the plan.
     */
    @Test
    void optionsOnFloatArrayInputsMatchTheHeapPath() {
        AttentionBatch batch = InputGenerator.HEAVY_TAILED.generate(SHAPE, 12);
        FloatArray[] arrays = {FloatArray.fromArray(batch.q()), FloatArray.fromArray(batch.k()),
                FloatArray.fromArray(batch.v()), FloatArray.fromArray(batch.theta())};
        AttentionOptions[] options = {AttentionOptions.bump(2.0f, 0.7f).withKeyLengths(1000, 17).withQueryLengths(3, 300),
                AttentionOptions.bump(0.5f).withKeyLengths(400, 1000), AttentionOptions.relu().withQueryLengths(300, 1)};
        ForwardPlan bumpPlan = null;
        for (AttentionOptions option : options) {
            TensorBatch tensors = TensorBatch.of(TornadoTensors.wrap(arrays[0], SHAPE.heads(), SHAPE.m(), SHAPE.d()),
                    TornadoTensors.wrap(arrays[1], SHAPE.heads(), SHAPE.n(), SHAPE.d()),
                    TornadoTensors.wrap(arrays[2], SHAPE.heads(), SHAPE.n(), SHAPE.e()),
                    TornadoTensors.wrap(arrays[3], SHAPE.heads(), SHAPE.d()), option);
            StageTimes times = new StageTimes();
            float[] actual = tornado.engine().forward(tensors, times);
            ForwardPlan plan = tornado.engine().lastPlan();
            assertSame(arrays[2], plan.input(2));
            if (option.kernel() == Kernel.BUMP) {
                if (bumpPlan != null) {
                    assertSame(bumpPlan, plan, "new lengths and bandwidths rebuilt the plan");
                    assertEquals(0, times.setupNanos());
                }
                bumpPlan = plan;
            }
            AttentionBatch heap = batch.withOptions(option);
            assertArrayEquals(tornado.engine().forward(heap, new StageTimes()), actual, option.toString());
            ErrorMetrics metrics = ErrorMetrics.compare(actual, NaiveReference.attend(heap), heap);
            assertTrue(TolerancePolicy.BLOCKED_FLOAT32.accepts(metrics, SHAPE.n()), () -> option + ": " + metrics);
        }
    }

    @Test
    void heapAndFloatArrayInputsMix() {
        AttentionBatch batch = InputGenerator.MANY_TIES.generate(SHAPE, 8);
        FloatArray v = FloatArray.fromArray(batch.v());
        Tensor[] tensors = heapTensors(batch);
        tensors[2] = TornadoTensors.wrap(v, SHAPE.heads(), SHAPE.n(), SHAPE.e());
        float[] actual = tornado.engine().forward(TensorBatch.of(tensors[0], tensors[1], tensors[2], tensors[3]), new StageTimes());
        assertSame(v, tornado.engine().lastPlan().input(2));
        assertNotSame(v, tornado.engine().lastPlan().input(0));
        assertArrayEquals(tornado.engine().forward(batch, new StageTimes()), actual);
    }

    /**
     * Off-heap inputs that are not FloatArrays (a mapped {@code .npy} is one): each goes from where it
     * lies into the plan's own array in blocks, never whole onto the heap ({@code copyTo}, which
     * {@code Tensor.data()} uses, fails the test), and the result is the heap path's, bit for bit,
     * for the plain and the causal plan, the bump's ν computed from V in place.
     */
    @Test
    void offHeapInputsAreCopiedInBlocksNotOntoTheHeap() {
        AttentionBatch batch = InputGenerator.HEAVY_TAILED.generate(SHAPE, 14);
        Shape self = new Shape(1, 1000, 1000, 16, 8);
        AttentionBatch causal = InputGenerator.GAUSSIAN.generate(self, 15).withOptions(AttentionOptions.bump(0.8f).causal(true));
        for (AttentionBatch heap : new AttentionBatch[] {batch, batch.withOptions(AttentionOptions.bump(1.5f, 0.4f)), causal}) {
            int p = heap.heads(), m = heap.m(), n = heap.n(), d = heap.d(), e = heap.e();
            TensorBatch tensors = TensorBatch.of(Tensor.view(new BlockOnly(heap.q()), p, m, d), Tensor.view(new BlockOnly(heap.k()), p, n, d),
                    Tensor.view(new BlockOnly(heap.v()), p, n, e), Tensor.view(new BlockOnly(heap.theta()), p, d), heap.options());
            float[] actual = tornado.engine().forward(tensors, new StageTimes());
            assertArrayEquals(tornado.engine().forward(heap, new StageTimes()), actual, heap.toString());
        }
    }

    /** Off-heap floats (here backed by an array) that refuse to be copied whole onto the heap. */
    private static final class BlockOnly implements dev.slicedattention.spi.OffHeapFloats {
        private final float[] values;

        BlockOnly(float[] values) {
            this.values = values;
        }

        @Override
        public int size() {
            return values.length;
        }

        @Override
        public float get(int index) {
            return values[index];
        }

        @Override
        public void copyTo(float[] target) {
            throw new AssertionError("the whole input was copied onto the heap");
        }

        @Override
        public void copyRange(int from, float[] target, int offset, int length) {
            System.arraycopy(values, from, target, offset, length);
        }

        @Override
        public Object array() {
            return values;
        }
    }

    /** Self-attention with one array as Q, K and V: the graph sends the same object three times. */
    @Test
    void oneArrayMayBeQueriesKeysAndValues() {
        int n = 700, d = 16;
        AttentionBatch random = InputGenerator.GAUSSIAN.generate(new Shape(1, n, n, d, d), 9);
        AttentionBatch self = new AttentionBatch(1, n, n, d, d, random.q(), random.q(), random.q(), random.theta());
        FloatArray x = FloatArray.fromArray(random.q());
        Tensor xt = TornadoTensors.wrap(x, n, d);
        float[] actual = tornado.engine().forward(TensorBatch.of(xt, xt, xt, TornadoTensors.wrap(FloatArray.fromArray(random.theta()), d)),
                new StageTimes());
        ErrorMetrics metrics = ErrorMetrics.compare(actual, NaiveReference.attend(self), self);
        assertTrue(TolerancePolicy.BLOCKED_FLOAT32.accepts(metrics, n), metrics::toString);
        assertArrayEquals(tornado.engine().forward(self, new StageTimes()), actual);
    }

    @Test
    void nonFiniteValuesInAFloatArrayAreRefusedWithTheirIndex() {
        FloatArray k = new FloatArray(4 * 3);
        k.set(10, Float.NEGATIVE_INFINITY);
        InvalidInputException error = assertThrows(InvalidInputException.class, () -> TensorBatch.of(
                Tensor.wrap(new float[6], 2, 3), TornadoTensors.wrap(k, 4, 3),
                Tensor.wrap(new float[8], 4, 2), Tensor.wrap(new float[3], 3)));
        assertEquals("K contains -Infinity at index [3, 1]: inputs must be finite", error.getMessage());
    }

    @Test
    void aFloatArrayOfTheWrongSizeIsRefused() {
        InvalidInputException error = assertThrows(InvalidInputException.class,
                () -> TornadoTensors.wrap(new FloatArray(10), 3, 4));
        assertEquals("shape (3, 4) needs 12 values, the array holds 10", error.getMessage());
    }

    /** Through the public API: the TornadoVM backend and a JVM backend take the same FloatArray tensors. */
    @Test
    void thePublicApiTakesFloatArraysOnEveryBackend() {
        Shape shape = new Shape(1, 200, 500, 16, 8);
        AttentionBatch batch = InputGenerator.SHARED_OFFSET.generate(shape, 10);
        Tensor q = TornadoTensors.wrap(FloatArray.fromArray(batch.q()), 200, 16);
        Tensor k = TornadoTensors.wrap(FloatArray.fromArray(batch.k()), 500, 16);
        Tensor v = TornadoTensors.wrap(FloatArray.fromArray(batch.v()), 500, 8);
        Tensor theta = TornadoTensors.wrap(FloatArray.fromArray(batch.theta()), 16);
        double[] reference = NaiveReference.attend(batch);
        for (String name : new String[] {System.getProperty("sliced.attention.test.device", "tornado"), "jvm-seq"}) {
            try (Backend backend = SlicedAttention.open(name)) {
                Tensor out = backend.forward(q, k, v, theta);
                assertArrayEquals(new int[] {200, 8}, out.shape());
                ErrorMetrics metrics = ErrorMetrics.compare(out.data(), reference, batch);
                assertTrue(TolerancePolicy.BLOCKED_FLOAT32.accepts(metrics, shape.n()), () -> name + ": " + metrics);
            }
        }
    }

    private static TensorBatch tensors(FloatArray[] arrays) {
        return TensorBatch.of(TornadoTensors.wrap(arrays[0], SHAPE.heads(), SHAPE.m(), SHAPE.d()),
                TornadoTensors.wrap(arrays[1], SHAPE.heads(), SHAPE.n(), SHAPE.d()),
                TornadoTensors.wrap(arrays[2], SHAPE.heads(), SHAPE.n(), SHAPE.e()),
                TornadoTensors.wrap(arrays[3], SHAPE.heads(), SHAPE.d()));
    }

    private static Tensor[] heapTensors(AttentionBatch batch) {
        return new Tensor[] {Tensor.wrap(batch.q(), SHAPE.heads(), SHAPE.m(), SHAPE.d()),
                Tensor.wrap(batch.k(), SHAPE.heads(), SHAPE.n(), SHAPE.d()),
                Tensor.wrap(batch.v(), SHAPE.heads(), SHAPE.n(), SHAPE.e()),
                Tensor.wrap(batch.theta(), SHAPE.heads(), SHAPE.d())};
    }

    private static void fill(FloatArray[] arrays, AttentionBatch batch) {
        float[][] values = {batch.q(), batch.k(), batch.v(), batch.theta()};
        for (int i = 0; i < arrays.length; i++) {
            for (int j = 0; j < values[i].length; j++) {
                arrays[i].set(j, values[i][j]);
            }
        }
    }
}
