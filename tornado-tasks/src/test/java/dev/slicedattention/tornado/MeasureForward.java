package dev.slicedattention.tornado;

import dev.slicedattention.timing.Stage;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.ErrorMetrics;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.Shape;
import dev.slicedattention.validation.sequential.SequentialPipeline;
import dev.slicedattention.validation.sequential.SequentialPipeline64;
import java.util.Arrays;

/**
 * The figures (not a test: nothing is asserted): at P = 1, n = m = 2^20 (override with
 * -Dn=...), d = e = 64, for each kernel of -Dkernels (default relu,bump; the bump with bandwidth
 * -Dbandwidth, default 1), the first call's JIT time, then the median per stage over {@code -Dreps}
 * steady-state calls on the TornadoVM device, and jvm-seq's times measured in the same JVM. Also
 * checks the device output against the float64 pipeline and prints the relative error.
 *
 * <pre>
 *   mvn -pl tornado-tasks test -Dtest=MeasureForward -Dtornado.test.groups=measure -Dtornado.test.flags="-Dn=1048576 -Dreps=5" -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@org.junit.jupiter.api.Tag("measure")
class MeasureForward {
    @org.junit.jupiter.api.Test
    void measure() {
        int n = Integer.getInteger("n", 1 << 20);
        int reps = Integer.getInteger("reps", 5);
        InputGenerator generator = InputGenerator.parse(System.getProperty("generator", "gaussian"));
        float bandwidth = Float.parseFloat(System.getProperty("bandwidth", "1"));
        Shape shape = new Shape(1, n, n, 64, 64);
        AttentionBatch plain = generator.generate(shape, 7);
        try (TornadoEngine engine = TornadoTestDevice.open()) {
            System.out.printf("device %s (%s, %s)%n", engine.info().name(), engine.info().deviceName(), engine.info().runtime());
            for (String kernel : System.getProperty("kernels", "relu,bump").split(",")) {
                AttentionBatch batch = plain.withOptions(Kernel.parse(kernel) == Kernel.BUMP
                        ? AttentionOptions.bump(bandwidth) : AttentionOptions.relu());
                System.out.printf("-- %s, %s, n = m = %d%n", batch.options(), generator.cliName(), n);
                StageTimes first = new StageTimes();
                long start = System.nanoTime();
                float[] out = engine.forward(batch, first);
                long firstWall = System.nanoTime() - start;
                System.out.printf("first call: wall %.1f ms, setup (plan + JIT) %.1f ms, %s%n", firstWall / 1e6, first.setupNanos() / 1e6, first);
                StageTimes[] steady = new StageTimes[reps];
                for (int r = 0; r < reps; r++) {
                    steady[r] = new StageTimes();
                    engine.forward(batch, steady[r]);
                }
                System.out.printf("tornado steady state, median of %d: %s  (kernel time per call %.1f ms, %d graph executes)%n",
                        reps, median(steady), engine.lastPlan().lastKernelNanos() / 1e6, engine.lastPlan().lastExecutes());
                StageTimes[] seq = new StageTimes[Math.max(1, reps / 2)];
                for (int r = 0; r < seq.length; r++) {
                    seq[r] = new StageTimes();
                    SequentialPipeline.forward(batch, seq[r]);
                }
                System.out.printf("jvm-seq, median of %d: %s%n", seq.length, median(seq));
                ErrorMetrics metrics = ErrorMetrics.compare(out, SequentialPipeline64.forward(batch), batch);
                System.out.printf("relative error vs float64 pipeline (%s, %s): %.3g%n", generator.cliName(), batch.options(),
                        metrics.relativeError());
            }
        }
    }

    private static String median(StageTimes[] runs) {
        StringBuilder text = new StringBuilder();
        long total = 0;
        for (Stage stage : Stage.values()) {
            long[] values = Arrays.stream(runs).mapToLong(t -> t.nanos(stage)).sorted().toArray();
            long median = values[values.length / 2];
            total += median;
            if (median > 0) {
                text.append(String.format("%s=%.1fms ", stage.key(), median / 1e6));
            }
        }
        return text.append(String.format("total=%.1fms", total / 1e6)).toString();
    }
}
