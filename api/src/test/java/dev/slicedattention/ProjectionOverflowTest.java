package dev.slicedattention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.error.InvalidInputException;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.Bandwidths;
import dev.slicedattention.validation.ErrorMetrics;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.NaiveReference;
import dev.slicedattention.validation.Shape;
import org.junit.jupiter.api.Test;

/**
 * Keys whose float32 projection t = &lt;θ, K − c&gt; goes beyond ±3.4e38 (K near 3e37): the projection
 * became +∞ and the forward pass returned zeros for every query where the float64 reference returns
 * ordinary values. Every JVM backend now refuses it by row with the remedy, plain and causal, both
 * kernels; with θ scaled down as the message says, the output matches the reference of the
 * original problem (the ReLU kernel does not change with a common scale of s and t).
 */
class ProjectionOverflowTest {
    @Test
    void projectionsBeyondFloat32AreRefusedAndScalingThetaGivesTheReference() {
        Shape shape = new Shape(1, 256, 256, 8, 4);
        AttentionBatch base = InputGenerator.GAUSSIAN.generate(shape, 3);
        float[] k = base.k().clone(), small = base.theta().clone();
        for (int c = 0; c < shape.d(); c++) {                   // one key far out along θ: its projection overflows
            k[5 * shape.d() + c] = Math.copySign(3.0e38f, base.theta()[c]);
        }
        for (int i = 0; i < small.length; i++) {
            small[i] /= 1024.0f;
        }
        AttentionBatch wide = new AttentionBatch(1, shape.m(), shape.n(), shape.d(), shape.e(), base.q(), k, base.v(), base.theta());
        AttentionBatch scaled = new AttentionBatch(1, shape.m(), shape.n(), shape.d(), shape.e(), base.q(), k, base.v(), small);
        double[] reference = NaiveReference.attend(wide);
        try (Backend seq = SlicedAttention.open("jvm-seq"); Backend par = SlicedAttention.open("jvm-par")) {
            for (Backend backend : new Backend[] {seq, par}) {
                for (boolean causal : new boolean[] {false, true}) {
                    AttentionBatch refused = wide.withOptions(AttentionOptions.relu().causal(causal));
                    InvalidInputException error = assertThrows(InvalidInputException.class, () -> backend.run(refused));
                    assertEquals("the projection of key 5 of problem 0, <θ, K_j − c>, is beyond float32's range (±3.4e38): "
                            + "scale θ down (the ReLU kernel's output does not change; for the bump scale b by the same factor)",
                            error.getMessage(), backend.info().name());
                    AttentionBatch bump = wide.withOptions(AttentionOptions.bump(1.0f).causal(causal));
                    assertThrows(InvalidInputException.class, () -> backend.run(bump), backend.info().name() + " bump");
                }
                ErrorMetrics metrics = ErrorMetrics.compare(backend.run(scaled.withOptions(AttentionOptions.relu())).output().data(),
                        reference, wide);
                assertTrue(metrics.relativeError() <= 1e-5, () -> backend.info().name() + ": " + metrics);
            }
        }
    }
}
