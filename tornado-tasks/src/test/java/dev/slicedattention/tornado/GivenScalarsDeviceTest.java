package dev.slicedattention.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.tornado.graphs.ForwardPlan;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.ErrorMetrics;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.NaiveReference;
import dev.slicedattention.validation.TolerancePolicy;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Batches whose scalars are given ({@link AttentionBatch#ofScalars}: a learned projection's s and t)
 * run on the device through the SCALARS front of the forward plan: both kernels, ragged lengths with
 * garbage in the padding, values on two very different scales, against the float64 naive reference.
 */
@Tag("tornado")
class GivenScalarsDeviceTest {
    @RegisterExtension
    static final EngineForClass tornado = new EngineForClass();

    @ParameterizedTest
    @EnumSource(Kernel.class)
    void raggedScalarBatchesMatchTheNaiveReference(Kernel kernel) {
        int heads = 3, m = 70, n = 1500, e = 6;   // n pads to 2048 slots: local and global sort passes
        SplittableRandom random = new SplittableRandom(kernel.ordinal() + 41);
        float[] s = new float[heads * m], t = new float[heads * n], v = new float[heads * n * e];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) (0.8 * random.nextGaussian() + 5.0);   // a shared offset, as a learned projection may have
        }
        for (int i = 0; i < t.length; i++) {
            t[i] = (float) (0.8 * random.nextGaussian() + 5.0);
        }
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextGaussian() * (i < n * e ? 1e-20 : 1.0));   // problem 0 on its own scale
        }
        int[] keys = {n, 777, 1}, queries = {m, 13, 64};
        AttentionOptions options = (kernel == Kernel.BUMP ? AttentionOptions.bump(0.4f, 0.25f, 1.0f) : AttentionOptions.relu())
                .withKeyLengths(keys).withQueryLengths(queries);
        AttentionBatch batch = AttentionBatch.ofScalars(heads, m, n, e, s, t, v, options);
        float[] out = tornado.engine().forward(batch, new StageTimes());
        assertEquals(ForwardPlan.Source.SCALARS, tornado.engine().lastPlan().source());
        double[] reference = NaiveReference.attend(batch);
        for (int p = 0; p < heads; p++) {
            // Judged per problem: their value scales are 20 orders of magnitude apart.
            double worst = 0, scale = 0;
            for (int i = p * m * e; i < (p + 1) * m * e; i++) {
                assertTrue(Float.isFinite(out[i]));
                worst = Math.max(worst, Math.abs(out[i] - reference[i]));
                scale = Math.max(scale, Math.abs(reference[i]));
            }
            int problem = p;
            // A ReLU problem with one key outputs exactly 0 (V_0 − μ = 0): judged absolutely.
            double relative = scale == 0 ? worst : worst / scale;
            assertTrue(relative <= TolerancePolicy.BLOCKED_FLOAT32.tolerance(n), () -> kernel + " problem " + problem + ": " + relative);
            for (int i = queries[p]; i < m; i++) {
                for (int c = 0; c < e; c++) {
                    assertEquals(0f, out[(p * m + i) * e + c], "queries beyond M_p output 0");
                }
            }
        }

        // Padding holds anything: the same output bit for bit.
        float[] dirtyT = t.clone(), dirtyV = v.clone(), dirtyS = s.clone();
        for (int p = 0; p < heads; p++) {
            for (int j = keys[p]; j < n; j++) {
                dirtyT[p * n + j] = (float) (1e30 * random.nextGaussian());
                for (int c = 0; c < e; c++) {
                    dirtyV[(p * n + j) * e + c] = (float) (1e30 * random.nextGaussian());
                }
            }
            for (int i = queries[p]; i < m; i++) {
                dirtyS[p * m + i] = (float) (1e30 * random.nextGaussian());
            }
        }
        float[] again = tornado.engine().forward(AttentionBatch.ofScalars(heads, m, n, e, dirtyS, dirtyT, dirtyV, options),
                new StageTimes());
        assertArrayEquals(out, again, "padding changed the output");
        ErrorMetrics whole = ErrorMetrics.compare(out, reference, batch);
        assertTrue(Double.isFinite(whole.relativeError()));
    }
}
