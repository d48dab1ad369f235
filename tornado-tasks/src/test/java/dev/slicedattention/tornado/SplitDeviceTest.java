package dev.slicedattention.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.slicedattention.jvm.JvmParallelProvider;
import dev.slicedattention.spi.BackendEngine;
import dev.slicedattention.split.SplitEngine;
import dev.slicedattention.split.SplitShare;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.Bandwidths;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Shape;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A split of the TornadoVM device and jvm-par, the device on a thread of its own: each backend's
 * slice of the output is bit for bit what that backend gives those problems alone (ragged, the
 * bump with a bandwidth per problem). Without a calibration the first call halves the problems.
 */
@Tag("tornado")
class SplitDeviceTest {
    @RegisterExtension
    static final EngineForClass tornado = new EngineForClass();

    @Test
    void eachSliceIsItsBackendsOwnOutput() {
        AttentionBatch plain = InputGenerator.GAUSSIAN.generate(new Shape(4, 300, 300, 8, 5), 17);
        AttentionBatch batch = plain.withOptions(AttentionOptions.bump(Bandwidths.relativeToKeys(plain, 0.5))
                .withKeyLengths(300, 17, 255, 1).withQueryLengths(300, 300, 40, 2));
        String device = tornado.engine().info().name();
        JvmParallelProvider jvm = new JvmParallelProvider();
        try (SplitEngine split = SplitEngine.open(List.of(device, "jvm-par"),
                name -> name.equals("jvm-par") ? jvm.open(name) : new TornadoProvider().open(name), null);
             BackendEngine par = jvm.open("jvm-par")) {
            float[] out = split.forward(batch, new StageTimes());
            List<SplitShare> shares = split.lastShares();
            int rows = batch.m() * batch.e();
            SplitShare onDevice = shares.get(0), onJvm = shares.get(1);
            // Equal speeds before any call: cost-balanced halves (problems 0-1 hold most of the work).
            assertEquals(List.of(device, "jvm-par"), shares.stream().map(SplitShare::backend).toList());
            assertEquals(true, onDevice.problems() > 0 && onJvm.problems() > 0, shares.toString());
            float[] deviceAlone = tornado.engine().forward(sliceOf(batch, onDevice), new StageTimes());
            assertArrayEquals(deviceAlone, Arrays.copyOfRange(out, onDevice.from() * rows, onDevice.to() * rows), "device slice");
            float[] jvmWhole = par.forward(batch, new StageTimes());
            assertArrayEquals(Arrays.copyOfRange(jvmWhole, onJvm.from() * rows, onJvm.to() * rows),
                    Arrays.copyOfRange(out, onJvm.from() * rows, onJvm.to() * rows), "jvm-par slice");
        }
    }

    /** Problems from..to-1 as a batch of their own, built here from the public API (not the split's own slicing). */
    private static AttentionBatch sliceOf(AttentionBatch batch, SplitShare share) {
        int from = share.from(), to = share.to(), count = to - from, m = batch.m(), n = batch.n(), d = batch.d(), e = batch.e();
        float[] b = batch.options().bandwidth();
        AttentionOptions options = AttentionOptions.bump(Arrays.copyOfRange(b, from, to))
                .withKeyLengths(Arrays.copyOfRange(batch.options().keyLengths(), from, to))
                .withQueryLengths(Arrays.copyOfRange(batch.options().queryLengths(), from, to));
        return new AttentionBatch(count, m, n, d, e, Arrays.copyOfRange(batch.q(), from * m * d, to * m * d),
                Arrays.copyOfRange(batch.k(), from * n * d, to * n * d), Arrays.copyOfRange(batch.v(), from * n * e, to * n * e),
                Arrays.copyOfRange(batch.theta(), from * d, to * d), new int[][] {{count, m, d}, {count, n, d}, {count, n, e}, {count, d}},
                options);
    }
}
