package dev.slicedattention.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.Shape;
import dev.slicedattention.tornado.graphs.ForwardPlan;
import dev.slicedattention.validation.layer.LayerWeights;
import dev.slicedattention.validation.layer.TokenOrder;
import dev.slicedattention.validation.projection.HeadLayout;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Evicted plans give their device memory back: an engine that keeps meeting new shapes builds far
 * more plans than TornadoVM's device-memory limit could hold at once, and never runs out. The
 * shapes alternate between the two kernels, so the bump's plans (float-float tables, windows) are
 * evicted as often as the ReLU's. The same for the attention layer's plans on the device (their
 * front's arrays — X, q, k, v, the learned projection's intermediates — named in FIRST_EXECUTION
 * transfers like every intermediate), alternating the ReLU module (MLP) and the bump (linear).
 */
// "long": among the longest device tests (memory and n = 2^20); scripts/test runs them with --long.
@Tag("long")
class PlanMemoryTest {
    @Test
    void evictedPlansReturnTheirDeviceMemory() {
        int n = 1 << 19, d = 64, e = 64;
        AttentionBatch base = InputGenerator.GAUSSIAN.generate(new Shape(1, 1, n, d, e), 3);
        AttentionOptions[] kernels = {AttentionOptions.relu(), AttentionOptions.bump(2.0f)};
        try (TornadoEngine engine = TornadoTestDevice.open()) {
            long bytes = 0;
            for (AttentionOptions kernel : kernels) {
                engine.forward(base.withOptions(kernel), new StageTimes());
                bytes += engine.lastPlan().deviceBytes();
            }
            long planBytes = bytes / kernels.length;
            long limit = Math.min(DeviceMemory.tornadoLimit(), engine.info().memoryBytes());
            // Enough plans that those built would need the limit twice over if closing leaked them.
            int rounds = (int) (2 * limit / planBytes) + 1;
            for (int round = 1; round <= rounds; round++) {
                int m = 1 + round;   // a new shape each call: each call builds a plan and evicts the oldest
                float[] q = new float[m * d];
                System.arraycopy(base.k(), 0, q, 0, q.length);
                AttentionBatch batch = new AttentionBatch(1, m, n, d, e, q, base.k(), base.v(), base.theta())
                        .withOptions(kernels[round % kernels.length]);
                float[] out = engine.forward(batch, new StageTimes());
                assertEquals(kernels[round % kernels.length].kernel(), engine.lastPlan().kernel());
                assertEquals(m * e, out.length);
                for (float value : out) {
                    assertTrue(Float.isFinite(value));
                }
            }
            assertEquals(rounds + kernels.length, engine.plansBuilt());
        }
    }

    /**
     * The same for causal plans (CausalPlan: one cached, closed when a new shape comes), alternating
     * the kernels: about 2.4 GB per plan at n ≈ 2^20, so a few rounds already need the limit twice over.
     */
    @Test
    void replacedCausalPlansReturnTheirDeviceMemory() {
        int n = 1 << 20, d = 64, e = 64;
        AttentionBatch base = InputGenerator.GAUSSIAN.generate(new Shape(1, n, n, d, e), 5);
        AttentionOptions[] kernels = {AttentionOptions.relu().causal(true), AttentionOptions.bump(2.0f).causal(true)};
        try (TornadoEngine engine = TornadoTestDevice.open()) {
            long bytes = 0;
            for (AttentionOptions kernel : kernels) {
                engine.forward(base.withOptions(kernel), new StageTimes());
                bytes += engine.lastCausalPlan().deviceBytes();
            }
            long planBytes = bytes / kernels.length;
            long limit = Math.min(DeviceMemory.tornadoLimit(), engine.info().memoryBytes());
            int rounds = (int) (2 * limit / planBytes) + 1;
            for (int round = 1; round <= rounds; round++) {
                int tokens = n - round;   // a new shape each call (causal: m = n): a new plan, the last one closed
                float[] q = java.util.Arrays.copyOf(base.q(), tokens * d);
                float[] k = java.util.Arrays.copyOf(base.k(), tokens * d);
                float[] v = java.util.Arrays.copyOf(base.v(), tokens * e);
                AttentionBatch batch = new AttentionBatch(1, tokens, tokens, d, e, q, k, v, base.theta())
                        .withOptions(kernels[round % kernels.length]);
                float[] out = engine.forward(batch, new StageTimes());
                assertEquals(kernels[round % kernels.length].kernel(), engine.lastCausalPlan().kernel());
                assertEquals(tokens * e, out.length);
                for (float value : out) {
                    assertTrue(Float.isFinite(value));
                }
            }
            assertEquals(rounds + kernels.length, engine.plansBuilt());
        }
    }

    @Test
    void evictedLayerPlansReturnTheirDeviceMemory() {
        // About 1.1 GB (bump) and 1.5 GB (ReLU, MLP) per plan: few rounds, as each new plan is compiled anew.
        int heads = 2, hidden = 16, tokens = 1 << 20;
        java.util.SplittableRandom random = new java.util.SplittableRandom(4);
        LayerWeights[] weights = {LayerDeviceTest.randomWeights(random, Kernel.RELU, heads, hidden, 64),
                LayerDeviceTest.randomWeights(random, Kernel.BUMP, heads, hidden, 0)};
        float[] x = LayerDeviceTest.gaussian(random, tokens * hidden, 1.0);
        try (TornadoEngine engine = TornadoTestDevice.open()) {
            long bytes = 0;
            for (LayerWeights layer : weights) {
                run(engine, layer, x, tokens);
                bytes += engine.lastPlan().deviceBytes();
            }
            long planBytes = bytes / weights.length;
            long limit = Math.min(DeviceMemory.tornadoLimit(), engine.info().memoryBytes());
            int rounds = (int) (2 * limit / planBytes) + 1;
            for (int round = 1; round <= rounds; round++) {
                int t = tokens - round;   // a new shape each call: a new plan, the oldest evicted
                float[] out = run(engine, weights[round % weights.length], java.util.Arrays.copyOf(x, t * hidden), t);
                assertEquals(ForwardPlan.Source.LAYER, engine.lastPlan().source());
                assertEquals(weights[round % weights.length].kernel(), engine.lastPlan().kernel());
                assertEquals(t * hidden, out.length);
                for (float value : out) {
                    assertTrue(Float.isFinite(value));
                }
            }
            assertEquals(rounds + weights.length, engine.plansBuilt());
        }
    }

    private static float[] run(TornadoEngine engine, LayerWeights weights, float[] x, int tokens) {
        AttentionOptions options = weights.kernel() == Kernel.BUMP ? AttentionOptions.bump(weights.bandwidth()[0], weights.bandwidth()[1])
                : AttentionOptions.relu();
        return engine.layer(weights, false, HeadLayout.INTENDED, x, 1, tokens, TokenOrder.of(null, 1, tokens), options,
                new StageTimes()).orElseThrow().output();
    }
}
