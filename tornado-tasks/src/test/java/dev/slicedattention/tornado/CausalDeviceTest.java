package dev.slicedattention.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.timing.StageTimes;
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
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Causal mode on the device ({@code CausalPlan}): both kernels against the float64 naive causal
 * reference, n ∈ {1, 2, 3, 1000, 4096}, P ∈ {1, 3} (P = 3 ragged: key and query lengths of their
 * own), every generator once; and causality itself. Bailouts are errors in this suite
 * ({@code -Dtornado.recover.bailout=False}), so a pass means the kernels ran on the device.
 */
@Tag("tornado")
class CausalDeviceTest {
    @RegisterExtension
    static final EngineForClass tornado = new EngineForClass();

    static Stream<Arguments> matrix() {
        int[] sizes = {1, 2, 3, 1000, 4096};
        InputGenerator[] generators = InputGenerator.values();
        List<Arguments> cases = new ArrayList<>();
        int g = 0;
        for (Kernel kernel : Kernel.values()) {
            for (int n : sizes) {
                for (int heads : new int[] {1, 3}) {
                    cases.add(Arguments.of(kernel, n, heads, generators[g++ % generators.length]));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} n = {1}, P = {2}, {3}")
    @MethodSource("matrix")
    void matchesTheNaiveCausalReference(Kernel kernel, int n, int heads, InputGenerator generator) {
        AttentionBatch plain = generator.generate(new Shape(heads, n, n, 8, 4), 97L * n + heads);
        AttentionOptions options = kernel == Kernel.BUMP ? AttentionOptions.bump(Bandwidths.relativeToKeys(plain, 0.5))
                : AttentionOptions.relu();
        if (heads > 1) {
            SplittableRandom random = new SplittableRandom(n);
            int[] keys = new int[heads], queries = new int[heads];
            for (int p = 0; p < heads; p++) {
                keys[p] = 1 + random.nextInt(n);
                queries[p] = 1 + random.nextInt(n);
            }
            keys[0] = n;    // one problem unragged
            options = options.withKeyLengths(keys).withQueryLengths(queries);
        }
        AttentionBatch batch = plain.withOptions(options.causal(true));
        float[] out = tornado.engine().forward(batch, new StageTimes());
        for (int i = 0; i < out.length; i++) {
            int at = i;
            assertTrue(Float.isFinite(out[at]), () -> batch + ": output " + at + " is " + out[at]);
        }
        ErrorMetrics metrics = ErrorMetrics.compare(out, NaiveReference.attend(batch), batch);
        assertTrue(TolerancePolicy.BLOCKED_FLOAT32.accepts(metrics, n), () -> batch + ": " + metrics);
        assertTrue(tornado.engine().lastCausalPlan().lastKernelNanos() > 0, "no device kernel time was reported");
    }

    /**
     * A model's widths, d = e = 64 and e = 32: the kernels' column loops are then real loops, not
     * unrolled, which is where TornadoVM once miscompiled a sum updated in a branch around one (the
     * ReLU's count and Σ τ̂ below s stayed 0; see CausalKernels.reluTile). n = 33 crosses a tile,
     * 1000 runs the levels inside a chunk; two ragged problems.
     */
    @ParameterizedTest(name = "{0} n = {1}, e = {2}")
    @org.junit.jupiter.params.provider.CsvSource({"RELU, 33, 64", "RELU, 1000, 64", "RELU, 1000, 32", "BUMP, 1000, 64"})
    void modelWidthsMatchTheNaiveCausalReference(Kernel kernel, int n, int e) {
        AttentionBatch plain = InputGenerator.GAUSSIAN.generate(new Shape(2, n, n, 64, e), 7L * n + e);
        AttentionOptions options = kernel == Kernel.BUMP ? AttentionOptions.bump(Bandwidths.relativeToKeys(plain, 0.5))
                : AttentionOptions.relu();
        AttentionBatch batch = plain.withOptions(options.withKeyLengths(n, n - 7).withQueryLengths(n - 3, n).causal(true));
        float[] out = tornado.engine().forward(batch, new StageTimes());
        ErrorMetrics metrics = ErrorMetrics.compare(out, NaiveReference.attend(batch), batch);
        assertTrue(TolerancePolicy.BLOCKED_FLOAT32.accepts(metrics, n), () -> batch + ": " + metrics);
    }

    /**
     * Given scalars (a learned projection; the attention layer's kernel stage comes this way in causal
     * mode): s and t with a shared offset, ragged, per-problem value scales 20 orders of magnitude
     * apart, judged per problem.
     */
    @ParameterizedTest
    @EnumSource(Kernel.class)
    void givenScalarsMatchTheNaiveCausalReference(Kernel kernel) {
        int heads = 3, n = 1500, e = 6;
        SplittableRandom random = new SplittableRandom(kernel.ordinal() + 43);
        float[] s = new float[heads * n], t = new float[heads * n], v = new float[heads * n * e];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) (0.8 * random.nextGaussian() + 5.0);
            t[i] = (float) (0.8 * random.nextGaussian() + 5.0);
        }
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextGaussian() * (i < n * e ? 1e-20 : 1.0));
        }
        AttentionOptions options = (kernel == Kernel.BUMP ? AttentionOptions.bump(0.4f, 0.25f, 1.0f) : AttentionOptions.relu())
                .withKeyLengths(n, 777, 1).withQueryLengths(n, 1200, 64).causal(true);
        AttentionBatch batch = AttentionBatch.ofScalars(heads, n, n, e, s, t, v, options);
        float[] out = tornado.engine().forward(batch, new StageTimes());
        assertEquals(ForwardPlan.Source.SCALARS, tornado.engine().lastCausalPlan().source());
        double[] reference = NaiveReference.attend(batch);
        for (int p = 0; p < heads; p++) {
            double worst = 0, scale = 0;
            for (int i = p * n * e; i < (p + 1) * n * e; i++) {
                assertTrue(Float.isFinite(out[i]));
                worst = Math.max(worst, Math.abs(out[i] - reference[i]));
                scale = Math.max(scale, Math.abs(reference[i]));
            }
            // Problem 2 has one key: its exact ReLU output is 0 (V_0 − μ_i = 0), so judge it against |V| there.
            double values = 0;
            for (int i = p * n * e; i < (p + 1) * n * e; i++) {
                values = Math.max(values, Math.abs(v[i]));
            }
            double relative = worst / (scale > 0 ? scale : values);
            assertTrue(relative <= TolerancePolicy.BLOCKED_FLOAT32.tolerance(n), "problem " + p + ": relative error " + relative);
        }
    }

    /**
     * The first call of a new causal plan reports its parts as the forward plan's do (the bench's
     * firstCalls): the plan build, TornadoVM's compile, the device build, the first transfers and
     * kernels, and the rest; a second call on the same plan reports none.
     */
    @org.junit.jupiter.api.Test
    void theFirstCallReportsItsParts() {
        AttentionBatch batch = InputGenerator.GAUSSIAN.generate(new Shape(1, 333, 333, 6, 3), 41).withOptions(AttentionOptions.relu().causal(true));
        StageTimes first = new StageTimes();
        tornado.engine().forward(batch, first);
        assertEquals(java.util.Set.of(ForwardPlan.PART_PLAN_BUILD, ForwardPlan.PART_TORNADO_COMPILE, ForwardPlan.PART_DEVICE_BUILD,
                ForwardPlan.PART_FIRST_TRANSFERS, ForwardPlan.PART_FIRST_KERNELS, ForwardPlan.PART_ALLOCATION_AND_DISPATCH),
                first.setupParts().keySet());
        assertTrue(first.setupParts().get(ForwardPlan.PART_PLAN_BUILD) > 0 && first.setupParts().get(ForwardPlan.PART_TORNADO_COMPILE) > 0
                && first.setupParts().get(ForwardPlan.PART_FIRST_KERNELS) > 0, first.setupParts()::toString);
        StageTimes second = new StageTimes();
        tornado.engine().forward(batch, second);
        assertTrue(second.setupParts().isEmpty(), second.setupParts()::toString);
    }

    /**
     * The bump with keys near 10^37 and bandwidth 10^38 (above 2^100, where the tile kernel shrinks its
     * weights by a power of two: unshrunk, a tile's Σ (b − |s − t|)·V/ν over positive values would pass
     * float32's 3.4·10^38): outputs finite and as the float64 naive causal reference; n = 200 spans
     * tiles and levels.
     */
    @org.junit.jupiter.api.Test
    void hugeBandwidthsStayFinite() {
        int n = 200, e = 4;
        SplittableRandom random = new SplittableRandom(5);
        float[] s = new float[n], t = new float[n], v = new float[n * e];
        for (int i = 0; i < n; i++) {
            s[i] = (float) (1e37 * random.nextGaussian());
            t[i] = (float) (1e37 * random.nextGaussian());
        }
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.abs(random.nextGaussian());
        }
        AttentionBatch batch = AttentionBatch.ofScalars(1, n, n, e, s, t, v, AttentionOptions.bump(1e38f).causal(true));
        float[] out = tornado.engine().forward(batch, new StageTimes());
        for (float value : out) {
            assertTrue(Float.isFinite(value));
        }
        ErrorMetrics metrics = ErrorMetrics.compare(out, NaiveReference.attend(batch), batch);
        assertTrue(TolerancePolicy.BLOCKED_FLOAT32.accepts(metrics, n), () -> batch + ": " + metrics);
    }

    /**
     * Changing every token j > cut (its query, key and value) leaves outputs 0..cut unchanged up to
     * float32 rounding: the key centre, μ̂, σ and ν are taken over all tokens, so s, t and the centred
     * values move in their last bits, which the operator is invariant to mathematically.
     */
    @ParameterizedTest
    @EnumSource(Kernel.class)
    void theFutureDoesNotLeakIntoThePast(Kernel kernel) {
        int n = 60, d = 5, e = 3;
        AttentionOptions options = (kernel == Kernel.BUMP ? AttentionOptions.bump(2f) : AttentionOptions.relu()).causal(true);
        for (long seed = 1; seed <= 6; seed++) {
            AttentionBatch plain = InputGenerator.GAUSSIAN.generate(new Shape(1, n, n, d, e), seed).withOptions(options);
            SplittableRandom random = new SplittableRandom(seed + 1);
            int cut = random.nextInt(n - 1);
            float[] before = tornado.engine().forward(plain, new StageTimes());
            float[] q = plain.q().clone(), k = plain.k().clone(), v = plain.v().clone();
            for (int j = cut + 1; j < n; j++) {
                for (int c = 0; c < d; c++) {
                    q[j * d + c] = (float) (10 * random.nextGaussian());
                    k[j * d + c] = (float) (10 * random.nextGaussian());
                }
                for (int c = 0; c < e; c++) {
                    v[j * e + c] = (float) (10 * random.nextGaussian());
                }
            }
            AttentionBatch changed = new AttentionBatch(1, n, n, d, e, q, k, v, plain.theta()).withOptions(options);
            float[] after = tornado.engine().forward(changed, new StageTimes());
            double[] exact = NaiveReference.attend(plain);
            for (int i = 0; i <= cut; i++) {
                for (int c = 0; c < e; c++) {
                    double scale = 1e-5 * (1 + Math.abs(exact[i * e + c]));
                    assertEquals(before[i * e + c], after[i * e + c], 10 * scale, "token " + i + " changed with the future (cut " + cut + ")");
                }
            }
        }
    }
}
