package dev.slicedattention.calibration;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.DeviceKind;
import dev.slicedattention.spi.BackendEngine;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import java.util.List;

/**
 * A test double whose calls take a known time: {@code fixedNanos} plus {@code nanosPerUnit} per unit of
 * work (elements + sort units), spent waiting; its output is zeros. Records each call's backend name.
 */
final class FakeEngine implements BackendEngine {
    private final String name;
    private final long fixedNanos;
    private final double nanosPerUnit;
    private final List<String> calls;

    FakeEngine(String name, long fixedNanos, double nanosPerUnit, List<String> calls) {
        this.name = name;
        this.fixedNanos = fixedNanos;
        this.nanosPerUnit = nanosPerUnit;
        this.calls = calls;
    }

    static BackendInfo info(String name) {
        return new BackendInfo(name, "fake", "fake device " + name, DeviceKind.CPU, 1L << 30, "JVM", 1);
    }

    @Override
    public BackendInfo info() {
        return info(name);
    }

    @Override
    public float[] forward(AttentionBatch batch, StageTimes times) {
        calls.add(name);
        ProblemWork[] work = ProblemWork.perProblem(batch);
        ProblemWork total = ProblemWork.sum(work, 0, work.length);
        long wait = fixedNanos + (long) (nanosPerUnit * (total.elements() + total.sortUnits()));
        long end = System.nanoTime() + wait;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        return new float[batch.outputLength()];
    }

    @Override
    public float[] softmax(AttentionBatch batch) {
        return new float[batch.outputLength()];
    }

    @Override
    public void close() {}
}
