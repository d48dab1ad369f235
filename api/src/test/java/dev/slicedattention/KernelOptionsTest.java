package dev.slicedattention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.error.InvalidInputException;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.ErrorMetrics;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.NaiveReference;
import dev.slicedattention.validation.Shape;
import dev.slicedattention.validation.golden.OperatorFixtures;
import dev.slicedattention.validation.sequential.SequentialPipeline;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both kernels and ragged batches through the public API on the JVM backends: against the
 * authors' golden outputs, against the float64 reference for every generator, through the
 * off-heap path, and the refusal of results beyond float32.
 */
class KernelOptionsTest {

    @ParameterizedTest
    @ValueSource(strings = {"jvm-seq", "jvm-par"})
    void matchesTheAuthorsModules(String name) {
        try (Backend backend = SlicedAttention.open(name)) {
            for (String fixture : OperatorFixtures.CASES) {
                OperatorFixtures.Case c = OperatorFixtures.load(fixture);
                float[] out = backend.run(c.batch()).output().data();
                ErrorMetrics error = ErrorMetrics.compare(out, widen(c.comparable()), c.batch());
                assertTrue(error.relativeError() <= 1e-5, () -> name + " " + fixture + ": " + error);
            }
        }
    }

    /** Every generator × both kernels × P ∈ {1, 3} with and without lengths, m ≠ n, n = 1. */
    @ParameterizedTest
    @EnumSource(InputGenerator.class)
    void everyGeneratorKernelAndRaggedness(InputGenerator generator) {
        Shape[] shapes = {new Shape(1, 1, 1, 3, 2), new Shape(1, 70, 33, 5, 4), new Shape(3, 37, 1000, 16, 8),
                new Shape(3, 500, 3001, 8, 3)};
        try (Backend seq = SlicedAttention.open("jvm-seq"); Backend par = SlicedAttention.open("jvm-par")) {
            for (Shape shape : shapes) {
                AttentionBatch plain = generator.generate(shape, 5);
                for (AttentionOptions kernel : new AttentionOptions[] {AttentionOptions.relu(), bumpFor(plain)}) {
                    for (boolean ragged : new boolean[] {false, true}) {
                        AttentionOptions options = ragged ? withLengths(kernel, shape) : kernel;
                        AttentionBatch batch = plain.withOptions(options);
                        double[] reference = NaiveReference.attend(batch);
                        for (Backend backend : new Backend[] {seq, par}) {
                            ErrorMetrics error = ErrorMetrics.compare(backend.run(batch).output().data(), reference, batch);
                            assertTrue(error.relativeError() <= 1e-5,
                                    () -> backend.info().name() + " " + generator + " " + shape + " " + options + ": " + error);
                        }
                    }
                }
            }
        }
    }

    /** The off-heap path carries the options too, and gives the heap path's result bit for bit. */
    @ParameterizedTest
    @ValueSource(strings = {"jvm-seq", "jvm-par"})
    void offHeapInputsCarryTheOptions(String name) {
        AttentionBatch plain = InputGenerator.GAUSSIAN.generate(new Shape(3, 20, 40, 4, 3), 2);
        AttentionOptions options = AttentionOptions.bump(1f, 2f, 3f).withKeyLengths(40, 9, 1).withQueryLengths(20, 3, 20);
        try (Backend backend = SlicedAttention.open(name)) {
            Tensor q = Tensor.view(new DirectBufferFloats(plain.q()), 3, 20, 4);
            Tensor k = Tensor.wrap(plain.k(), 3, 40, 4);
            Tensor v = Tensor.wrap(plain.v(), 3, 40, 3);
            Tensor theta = Tensor.wrap(plain.theta(), 3, 4);
            float[] offHeap = backend.forward(q, k, v, theta, options).data();
            assertArrayEquals(SequentialPipeline.forward(plain.withOptions(options)), offHeap);
            assertThrows(InvalidInputException.class, () -> backend.forward(q, k, v, theta, AttentionOptions.bump(1f, 2f)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jvm-seq", "jvm-par"})
    void resultsBeyondFloat32AreRefused(String name) {
        float big = 3.0e38f;
        Tensor q = Tensor.wrap(new float[] {19f}, 1, 1);
        Tensor k = Tensor.wrap(new float[] {0f, 18f, 20f}, 3, 1);
        Tensor v = Tensor.wrap(new float[] {big, big, -big}, 3, 1);
        Tensor theta = Tensor.wrap(new float[] {1f}, 1);
        try (Backend backend = SlicedAttention.open(name)) {
            InvalidInputException refused = assertThrows(InvalidInputException.class, () -> backend.forward(q, k, v, theta));
            assertTrue(refused.getMessage().startsWith("the output at [0, 0, 0] cannot be represented in float32"),
                    refused.getMessage());
        }
    }

    static AttentionOptions bumpFor(AttentionBatch batch) {
        float[] bandwidth = new float[batch.heads()];
        for (int p = 0; p < bandwidth.length; p++) {
            // Half the spread of the projected keys: windows hold a good share of the keys, not all.
            double sum = 0, squares = 0;
            for (int j = 0; j < batch.n(); j++) {
                double t = 0;
                for (int c = 0; c < batch.d(); c++) {
                    t += (double) batch.theta()[p * batch.d() + c] * batch.k()[(p * batch.n() + j) * batch.d() + c];
                }
                sum += t;
                squares += t * t;
            }
            double spread = Math.sqrt(Math.max(0, squares / batch.n() - Math.pow(sum / batch.n(), 2)));
            bandwidth[p] = (float) (spread > 0 ? 0.5 * spread : 1.0);
        }
        return AttentionOptions.bump(bandwidth);
    }

    static AttentionOptions withLengths(AttentionOptions options, Shape shape) {
        int[] keys = new int[shape.heads()], queries = new int[shape.heads()];
        for (int p = 0; p < keys.length; p++) {
            keys[p] = Math.max(1, shape.n() - p * shape.n() / 3);
            queries[p] = Math.max(1, shape.m() / (p + 1));
        }
        return options.withKeyLengths(keys).withQueryLengths(queries);
    }

    static double[] widen(float[] values) {
        double[] out = new double[values.length];
        Arrays.setAll(out, i -> values[i]);
        return out;
    }
}
