package dev.slicedattention.tornado;

import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.Shape;
import java.util.Arrays;

/**
 * Causal against plain on the device (not a test: nothing is asserted): at P = 1, n = m = -Dn
 * (default 2^18), d = e = 64, for each kernel of -Dkernels (default relu,bump), -Dreps rounds of one
 * plain call then one causal call, so that both see the same load on a shared machine; prints the
 * minimum and median wall time of each and the ratio causal / plain of each statistic.
 *
 * <pre>
 *   mvn -pl tornado-tasks test -Dtest=MeasureCausal -Dtornado.test.groups=measure -Dtornado.test.flags="-Dreps=5" -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@org.junit.jupiter.api.Tag("measure")
class MeasureCausal {
    @org.junit.jupiter.api.Test
    void measure() {
        int n = Integer.getInteger("n", 1 << 18);
        int reps = Integer.getInteger("reps", 5);
        AttentionBatch plain = InputGenerator.GAUSSIAN.generate(new Shape(1, n, n, 64, 64), 7);
        try (TornadoEngine engine = TornadoTestDevice.open()) {
            System.out.printf("device %s (%s, %s)%n", engine.info().name(), engine.info().deviceName(), engine.info().runtime());
            for (String name : System.getProperty("kernels", "relu,bump").split(",")) {
                AttentionOptions options = Kernel.parse(name) == Kernel.BUMP ? AttentionOptions.bump(1.0f) : AttentionOptions.relu();
                AttentionBatch forward = plain.withOptions(options);
                AttentionBatch causal = plain.withOptions(options.causal(true));
                // First calls: plan and JIT, not measured.
                engine.forward(forward, new StageTimes());
                engine.forward(causal, new StageTimes());
                long[] plainNanos = new long[reps];
                long[] causalNanos = new long[reps];
                StageTimes causalStages = new StageTimes();
                for (int r = 0; r < reps; r++) {
                    long start = System.nanoTime();
                    engine.forward(forward, new StageTimes());
                    plainNanos[r] = System.nanoTime() - start;
                    start = System.nanoTime();
                    causalStages = new StageTimes();
                    engine.forward(causal, causalStages);
                    causalNanos[r] = System.nanoTime() - start;
                }
                Arrays.sort(plainNanos);
                Arrays.sort(causalNanos);
                double plainMin = plainNanos[0] / 1e6, causalMin = causalNanos[0] / 1e6;
                double plainMedian = plainNanos[reps / 2] / 1e6, causalMedian = causalNanos[reps / 2] / 1e6;
                System.out.printf("%s n = %d: plain min %.0f ms, median %.0f ms; causal min %.0f ms, median %.0f ms;"
                                + " causal/plain min %.2f, median %.2f%n", name, n, plainMin, plainMedian, causalMin, causalMedian,
                        causalMin / plainMin, causalMedian / plainMedian);
                System.out.printf("  last causal call: %s (%d graph executes)%n", causalStages, engine.lastCausalPlan().lastExecutes());
            }
        }
    }
}
