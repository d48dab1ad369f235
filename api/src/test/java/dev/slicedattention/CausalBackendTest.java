package dev.slicedattention;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.Bandwidths;
import dev.slicedattention.validation.ErrorMetrics;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.NaiveReference;
import dev.slicedattention.validation.Shape;
import dev.slicedattention.validation.sequential.SequentialPipeline64;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Causal mode through the API: jvm-par's divide and conquer against the references, both kernels, ragged too. */
class CausalBackendTest {
    @ParameterizedTest
    @EnumSource(InputGenerator.class)
    void divideAndConquerMatchesTheReferences(InputGenerator generator) {
        try (Backend par = SlicedAttention.open("jvm-par"); Backend seq = SlicedAttention.open("jvm-seq")) {
            for (Shape shape : new Shape[] {new Shape(1, 1, 1, 3, 2), new Shape(3, 3, 3, 4, 2), new Shape(1, 1000, 1000, 8, 4),
                    new Shape(2, 777, 777, 5, 3), new Shape(1, 4096, 4096, 8, 4)}) {
                AttentionBatch plain = generator.generate(shape, shape.n() * 7L + shape.heads());
                for (boolean bump : new boolean[] {false, true}) {
                    for (boolean ragged : new boolean[] {false, true}) {
                        AttentionOptions options = bump ? AttentionOptions.bump(Bandwidths.relativeToKeys(plain, 0.5)) : AttentionOptions.relu();
                        if (ragged) {
                            SplittableRandom random = new SplittableRandom(shape.n());
                            int[] keys = new int[shape.heads()], queries = new int[shape.heads()];
                            for (int p = 0; p < keys.length; p++) {
                                keys[p] = 1 + random.nextInt(shape.n());
                                queries[p] = 1 + random.nextInt(shape.n());
                            }
                            options = options.withKeyLengths(keys).withQueryLengths(queries);
                        }
                        AttentionBatch batch = plain.withOptions(options.causal(true));
                        double[] reference = shape.n() <= 1000 ? NaiveReference.attend(batch) : SequentialPipeline64.forward(batch);
                        for (Backend backend : new Backend[] {par, seq}) {
                            ErrorMetrics error = ErrorMetrics.compare(backend.run(batch).output().data(), reference, batch);
                            assertTrue(error.relativeError() <= 1e-5,
                                    () -> backend.info().name() + " " + generator + " " + batch + ": " + error);
                        }
                    }
                }
            }
        }
    }
}
