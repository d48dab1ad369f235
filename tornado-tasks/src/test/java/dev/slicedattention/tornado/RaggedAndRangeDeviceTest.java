package dev.slicedattention.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.Backend;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.Tensor;
import dev.slicedattention.error.InvalidInputException;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.Bandwidths;
import dev.slicedattention.validation.ErrorMetrics;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.NaiveReference;
import dev.slicedattention.validation.Shape;
import dev.slicedattention.validation.TolerancePolicy;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * On the device: padding (SPEC §4) touches no result, and the range rules of SPEC §6 — finite input
 * of any scale gives finite, accurate output, per problem (each problem has its own value scale ν),
 * and a result beyond float32 is refused by the API rather than returned as ±∞.
 */
@Tag("tornado")
class RaggedAndRangeDeviceTest {
    @RegisterExtension
    static final EngineForClass tornado = new EngineForClass();

    /**
     * Rows beyond L_p (keys and values) and M_p (queries) filled with values of 1e30: the output is
     * the one of the clean tensors, bit for bit, so the padding reaches neither the centre, μ, ν,
     * the sort's real keys, the sums nor the bump's divisor; and the ragged problem equals the
     * truncated problem run on its own.
     */
    @ParameterizedTest
    @EnumSource(Kernel.class)
    void paddingTouchesNoResult(Kernel kernel) {
        Shape shape = new Shape(3, 60, 500, 8, 4);
        AttentionBatch plain = InputGenerator.SHARED_OFFSET.generate(shape, 21);
        int[] keys = {500, 123, 1}, queries = {1, 60, 37};
        AttentionOptions options = (kernel == Kernel.BUMP ? AttentionOptions.bump(3.0f, 0.5f, 1.0f) : AttentionOptions.relu())
                .withKeyLengths(keys).withQueryLengths(queries);
        AttentionBatch clean = plain.withOptions(options);
        float[] out = tornado.engine().forward(clean, new StageTimes());

        SplittableRandom random = new SplittableRandom(3);
        float[] q = plain.q().clone(), k = plain.k().clone(), v = plain.v().clone();
        for (int p = 0; p < shape.heads(); p++) {
            scramble(k, (p * shape.n() + keys[p]) * shape.d(), (p + 1) * shape.n() * shape.d(), random);
            scramble(v, (p * shape.n() + keys[p]) * shape.e(), (p + 1) * shape.n() * shape.e(), random);
            scramble(q, (p * shape.m() + queries[p]) * shape.d(), (p + 1) * shape.m() * shape.d(), random);
        }
        AttentionBatch padded = new AttentionBatch(shape.heads(), shape.m(), shape.n(), shape.d(), shape.e(), q, k, v, plain.theta())
                .withOptions(options);
        assertArrayEquals(out, tornado.engine().forward(padded, new StageTimes()), "padding rows changed the output");

        // Problem 1 alone, truncated to its 123 keys and 60 queries.
        int p = 1, n = keys[p];
        float[] kp = Arrays.copyOfRange(plain.k(), p * shape.n() * shape.d(), (p * shape.n() + n) * shape.d());
        float[] vp = Arrays.copyOfRange(plain.v(), p * shape.n() * shape.e(), (p * shape.n() + n) * shape.e());
        float[] qp = Arrays.copyOfRange(plain.q(), p * shape.m() * shape.d(), (p + 1) * shape.m() * shape.d());
        float[] thetap = Arrays.copyOfRange(plain.theta(), p * shape.d(), (p + 1) * shape.d());
        AttentionBatch alone = new AttentionBatch(1, shape.m(), n, shape.d(), shape.e(), qp, kp, vp, thetap)
                .withOptions(kernel == Kernel.BUMP ? AttentionOptions.bump(0.5f) : AttentionOptions.relu());
        float[] truncated = tornado.engine().forward(alone, new StageTimes());
        float[] mine = Arrays.copyOfRange(out, p * shape.m() * shape.e(), (p + 1) * shape.m() * shape.e());
        ErrorMetrics metrics = ErrorMetrics.compare(mine, NaiveReference.attend(alone), alone);
        assertTrue(TolerancePolicy.BLOCKED_FLOAT32.accepts(metrics, n), metrics::toString);
        ErrorMetrics twin = ErrorMetrics.compare(truncated, NaiveReference.attend(alone), alone);
        assertTrue(TolerancePolicy.BLOCKED_FLOAT32.accepts(twin, n), twin::toString);
    }

    private static void scramble(float[] data, int from, int to, SplittableRandom random) {
        for (int i = from; i < to; i++) {
            data[i] = (float) (1e30 * random.nextGaussian());
        }
    }

    /**
     * |V| from 1e-30 to 1e37 (per problem: P = 2 with different scales in one batch), with and
     * without a common offset in V (every value of the same sign: the largest sums), and |Q|, |K|
     * from 1e-30 to 1e30: every output finite and within the device tolerance of the float64
     * reference, on the heap path and on FloatArray inputs (whose ν the engine computes itself).
     */
    @ParameterizedTest(name = "{0}: V x ({1}, {2}), Q, K x {3}, offset {4}")
    @CsvSource({"RELU, 1e37, 1e-30, 1, true", "RELU, 1e-30, 1e37, 1e30, false", "RELU, 3e37, 1, 1e-30, true",
            "BUMP, 1e37, 1e-30, 1, true", "BUMP, 1e-30, 1e37, 1e30, false", "BUMP, 3e37, 1, 1e-30, true"})
    void finiteInputOfAnyScaleGivesFiniteAccurateOutput(Kernel kernel, float firstScale, float secondScale, float keyScale,
                                                        boolean offset) {
        Shape shape = new Shape(2, 40, 300, 8, 4);
        AttentionBatch base = InputGenerator.GAUSSIAN.generate(shape, 8);
        float[] q = base.q().clone(), k = base.k().clone(), v = base.v().clone();
        for (int i = 0; i < q.length; i++) {
            q[i] *= keyScale;
        }
        for (int i = 0; i < k.length; i++) {
            k[i] *= keyScale;
        }
        for (int i = 0; i < v.length; i++) {
            float scale = i < v.length / 2 ? firstScale : secondScale;
            v[i] = (offset ? 3.0f + 0.5f * v[i] : v[i]) * scale;
        }
        AttentionBatch plain = new AttentionBatch(2, shape.m(), shape.n(), shape.d(), shape.e(), q, k, v, base.theta());
        AttentionBatch batch = plain.withOptions(kernel == Kernel.BUMP
                ? AttentionOptions.bump(Bandwidths.relativeToKeys(plain, Bandwidths.DEFAULT_FACTOR)) : AttentionOptions.relu());
        float[] heap = tornado.engine().forward(batch, new StageTimes());
        float[] arrays = tornado.engine().forward(dev.slicedattention.spi.TensorBatch.of(
                TornadoTensors.wrap(FloatArray.fromArray(q), 2, shape.m(), shape.d()),
                TornadoTensors.wrap(FloatArray.fromArray(k), 2, shape.n(), shape.d()),
                TornadoTensors.wrap(FloatArray.fromArray(v), 2, shape.n(), shape.e()),
                TornadoTensors.wrap(FloatArray.fromArray(base.theta()), 2, shape.d()), batch.options()), new StageTimes());
        assertArrayEquals(heap, arrays, "FloatArray inputs (ν computed by the engine) changed the result");
        double[] reference = NaiveReference.attend(batch);
        for (int p = 0; p < 2; p++) {
            // Judged per problem: the two scales are 67 orders of magnitude apart.
            AttentionBatch one = slice(batch, p);
            float[] mine = Arrays.copyOfRange(heap, p * shape.m() * shape.e(), (p + 1) * shape.m() * shape.e());
            for (int i = 0; i < mine.length; i++) {
                int at = i;
                assertTrue(Float.isFinite(mine[at]), () -> "problem " + one + " output " + at + " is " + mine[at]);
            }
            ErrorMetrics metrics = ErrorMetrics.compare(mine,
                    Arrays.copyOfRange(reference, p * shape.m() * shape.e(), (p + 1) * shape.m() * shape.e()), one);
            assertTrue(TolerancePolicy.BLOCKED_FLOAT32.accepts(metrics, shape.n()), () -> "problem of " + batch + ": " + metrics);
        }
    }

    /**
     * Keys and queries near float32's limit, all of one sign: 3e37 ± 0.5e37, whose projections
     * (θ·(x − c), about 1e37) are representable but whose column sums are not (256 of them overflow).
     * The key centre summed them as they were and became +∞, and every output 0; now every output
     * is finite and within the device tolerance, causal too. With θ 1000× larger the projections
     * themselves overflow: refused by row, on the heap path and on FloatArray inputs.
     */
    @ParameterizedTest
    @EnumSource(Kernel.class)
    void keysNearFloat32sLimitGiveAccurateOutputOrARefusal(Kernel kernel) {
        Shape shape = new Shape(2, 300, 300, 8, 4);
        AttentionBatch base = InputGenerator.GAUSSIAN.generate(shape, 9);
        float[] q = base.q().clone(), k = base.k().clone(), theta = base.theta().clone(), wide = base.theta().clone();
        for (int i = 0; i < q.length; i++) {
            q[i] = (3.0f + 0.5f * q[i]) * 1e37f;
            k[i] = (3.0f + 0.5f * k[i]) * 1e37f;
        }
        for (int i = 0; i < wide.length; i++) {
            wide[i] *= 1000.0f;
        }
        AttentionBatch plain = new AttentionBatch(2, shape.m(), shape.n(), shape.d(), shape.e(), q, k, base.v(), theta);
        AttentionOptions options = kernel == Kernel.BUMP
                ? AttentionOptions.bump(Bandwidths.relativeToKeys(plain, Bandwidths.DEFAULT_FACTOR)) : AttentionOptions.relu();
        for (boolean causal : new boolean[] {false, true}) {
            AttentionBatch batch = plain.withOptions(options.causal(causal));
            float[] out = tornado.engine().forward(batch, new StageTimes());
            double[] reference = NaiveReference.attend(batch);
            for (int problem = 0; problem < 2; problem++) {
                int p = problem;
                AttentionBatch one = slice(batch, p).withOptions(slice(batch, p).options().causal(causal));
                float[] mine = Arrays.copyOfRange(out, p * shape.m() * shape.e(), (p + 1) * shape.m() * shape.e());
                ErrorMetrics metrics = ErrorMetrics.compare(mine,
                        Arrays.copyOfRange(reference, p * shape.m() * shape.e(), (p + 1) * shape.m() * shape.e()), one);
                assertTrue(TolerancePolicy.BLOCKED_FLOAT32.accepts(metrics, shape.n()), () -> batch + ", problem " + p + ": " + metrics);
            }
            AttentionBatch overflowing = new AttentionBatch(2, shape.m(), shape.n(), shape.d(), shape.e(), q, k, base.v(), wide)
                    .withOptions(options.causal(causal));
            InvalidInputException heap = assertThrows(InvalidInputException.class,
                    () -> tornado.engine().forward(overflowing, new StageTimes()));
            assertTrue(heap.getMessage().contains("is beyond float32's range") && heap.getMessage().contains("scale θ down"), heap.getMessage());
            InvalidInputException arrays = assertThrows(InvalidInputException.class, () -> tornado.engine().forward(
                    dev.slicedattention.spi.TensorBatch.of(TornadoTensors.wrap(FloatArray.fromArray(q), 2, shape.m(), shape.d()),
                            TornadoTensors.wrap(FloatArray.fromArray(k), 2, shape.n(), shape.d()),
                            TornadoTensors.wrap(FloatArray.fromArray(base.v()), 2, shape.n(), shape.e()),
                            TornadoTensors.wrap(FloatArray.fromArray(wide), 2, shape.d()), overflowing.options()), new StageTimes()));
            assertEquals(heap.getMessage(), arrays.getMessage());
        }
    }

    /** Problem p of a batch as a one-problem batch (same kernel and bandwidth). */
    private static AttentionBatch slice(AttentionBatch batch, int p) {
        int m = batch.m(), n = batch.n(), d = batch.d(), e = batch.e();
        AttentionBatch one = new AttentionBatch(1, m, n, d, e, Arrays.copyOfRange(batch.q(), p * m * d, (p + 1) * m * d),
                Arrays.copyOfRange(batch.k(), p * n * d, (p + 1) * n * d), Arrays.copyOfRange(batch.v(), p * n * e, (p + 1) * n * e),
                Arrays.copyOfRange(batch.theta(), p * d, (p + 1) * d));
        return one.withOptions(batch.kernel() == Kernel.BUMP ? AttentionOptions.bump(batch.bandwidth(p)) : AttentionOptions.relu());
    }

    /**
     * V at float32's limit: keys (0, 18, 20), the query 19, V = (b, b, −b) with b = 3e38. The ReLU
     * output is 2·(19·b·… )/… ≈ 2b, beyond float32: the API refuses it by index, on the heap path
     * and on FloatArray inputs, instead of returning ±∞. With the query at 10 the output (b) is
     * representable and comes back finite.
     */
    @Test
    void resultsBeyondFloat32AreRefusedNotInfinite() {
        float big = 3.0e38f;
        float[] keys = {0f, 18f, 20f}, values = {big, big, -big}, theta = {1f};
        try (Backend backend = SlicedAttention.open(System.getProperty("sliced.attention.test.device", "tornado"))) {
            Tensor near = backend.forward(Tensor.wrap(new float[] {1f}, 1, 1), Tensor.wrap(keys, 3, 1),
                    Tensor.wrap(values, 3, 1), Tensor.wrap(theta, 1));
            assertTrue(Float.isFinite(near.get(0, 0)), "output " + near.get(0, 0));
            InvalidInputException heap = assertThrows(InvalidInputException.class, () -> backend.forward(Tensor.wrap(new float[] {19f}, 1, 1),
                    Tensor.wrap(keys, 3, 1), Tensor.wrap(values, 3, 1), Tensor.wrap(theta, 1)));
            assertTrue(heap.getMessage().startsWith("the output at [0, 0, 0] cannot be represented in float32"), heap.getMessage());
            InvalidInputException arrays = assertThrows(InvalidInputException.class, () -> backend.forward(
                    TornadoTensors.wrap(FloatArray.fromArray(new float[] {19f}), 1, 1), TornadoTensors.wrap(FloatArray.fromArray(keys), 3, 1),
                    TornadoTensors.wrap(FloatArray.fromArray(values), 3, 1), TornadoTensors.wrap(FloatArray.fromArray(theta), 1)));
            assertEquals(heap.getMessage(), arrays.getMessage());
        }
    }
}
