package dev.slicedattention.host;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.DeviceKind;
import dev.slicedattention.error.DeviceFailureException;
import dev.slicedattention.spi.BackendEngine;
import dev.slicedattention.spi.BackendProvider;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import java.util.List;
import java.util.Optional;

/**
 * Test-only backends that misbehave on purpose, so the tests can reach the exit codes a real run
 * reaches only on a broken device: {@code faulty-wrong} returns a wrong output (validation fails),
 * {@code faulty-broken} throws the API's device failure, {@code faulty-oom} runs out of memory,
 * {@code faulty-row} returns the sequential path's output with one row ({@link #CORRUPT_ROW} of problem 0) off by 1 %.
 * Listed only while {@link #ENABLE} is set, so the other tests see the real backends alone.
 */
public final class FaultyProvider implements BackendProvider {
    static final String ENABLE = "sliced.attention.test.faulty";
    private static final List<String> NAMES = List.of("faulty-wrong", "faulty-broken", "faulty-oom", "faulty-row");
    /** The row {@code faulty-row} corrupts. */
    static final int CORRUPT_ROW = 1;

    @Override
    public String family() {
        return "faulty";
    }

    @Override
    public List<BackendInfo> devices() {
        if (!Boolean.getBoolean(ENABLE)) {
            return List.of();
        }
        return NAMES.stream().map(FaultyProvider::info).toList();
    }

    @Override
    public Optional<String> unavailableReason() {
        return Optional.of("test-only backends, enabled by -D" + ENABLE + "=true");
    }

    /** A hint while enabled, so that a test can see {@code devices} print each provider's hints. */
    @Override
    public List<String> hints() {
        return Boolean.getBoolean(ENABLE) ? List.of(HINT) : List.of();
    }

    static final String HINT = "a faulty-slow backend too: install nothing, it is a test";

    @Override
    public boolean accepts(String name) {
        return NAMES.contains(name);
    }

    private static BackendInfo info(String name) {
        return new BackendInfo(name, "faulty", "test device", DeviceKind.CPU, 1L << 30, "JVM", 1);
    }

    @Override
    public BackendEngine open(String name) {
        return new BackendEngine() {
            @Override
            public BackendInfo info() {
                return FaultyProvider.info(name);
            }

            @Override
            public float[] forward(AttentionBatch batch, StageTimes times) {
                switch (name) {
                    case "faulty-broken" -> throw new DeviceFailureException(
                            "the device 'test device' failed while running the sort kernel. Run with --backends jvm-par, or check the driver");
                    case "faulty-oom" -> throw new OutOfMemoryError("Java heap space");
                    case "faulty-row" -> {
                        float[] out = dev.slicedattention.validation.sequential.SequentialPipeline.forward(batch);
                        for (int c = 0; c < batch.e(); c++) {
                            out[CORRUPT_ROW * batch.e() + c] *= 1.01f;
                        }
                        return out;
                    }
                    default -> {
                        float[] wrong = new float[batch.outputLength()];
                        java.util.Arrays.fill(wrong, 1e3f);
                        return wrong;
                    }
                }
            }

            @Override
            public float[] softmax(AttentionBatch batch) {
                return new float[batch.outputLength()];
            }

            @Override
            public void close() {}
        };
    }
}
