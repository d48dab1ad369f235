package dev.slicedattention.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Shape;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Evicted plans give their device memory back: an engine that keeps meeting new shapes builds far
 * more plans than TornadoVM's device-memory limit could hold at once, and never runs out. The
 * shapes alternate between the two kernels, so the bump's plans (float-float tables, windows) are
 * evicted as often as the ReLU's.
 */
@Tag("tornado")
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
}
