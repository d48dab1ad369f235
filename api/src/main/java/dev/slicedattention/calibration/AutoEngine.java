package dev.slicedattention.calibration;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.spi.BackendEngine;
import dev.slicedattention.spi.TensorBatch;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.layer.LayerWeights;
import dev.slicedattention.validation.layer.TokenOrder;
import dev.slicedattention.validation.projection.HeadLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code auto}: each call runs on the backend the calibration predicts fastest for that call's shape
 * (P, the lengths, d, e, the kernel, causal or not; {@link Calibration#predictNanos}). Backends are
 * opened the first time they are chosen and kept open. Before the first call, and for a call no
 * backend has a model for, it is {@code fallback}. {@link #info()} names the backend of the last call.
 */
public final class AutoEngine implements BackendEngine {
    /** The shape {@link #info()} answers for before any call: one problem of 2^14, d = e = 64, ReLU. */
    private static final ProblemWork NOMINAL = ProblemWork.uniform(1, 1 << 14, 1 << 14, 64, 64);

    private final Calibration calibration;
    private final List<BackendInfo> available;
    private final String fallback;
    private final Function<String, BackendEngine> opener;
    private final Map<String, BackendEngine> open = new LinkedHashMap<>();
    private BackendInfo current;

    public AutoEngine(Calibration calibration, List<BackendInfo> available, String fallback, Function<String, BackendEngine> opener) {
        this.calibration = calibration;
        this.available = List.copyOf(available);
        this.fallback = fallback;
        this.opener = opener;
        this.current = infoOf(choose(Kernel.RELU, false, NOMINAL));
    }

    /** The backend predicted fastest for a call of {@code work}; {@code fallback} when none has a model. */
    public String choose(Kernel kernel, boolean causal, ProblemWork work) {
        String best = fallback;
        double bestNanos = Double.POSITIVE_INFINITY;
        for (BackendInfo info : available) {
            Optional<Double> nanos = calibration.predictNanos(info.name(), kernel, causal, work);
            if (nanos.isPresent() && nanos.get() < bestNanos) {
                best = info.name();
                bestNanos = nanos.get();
            }
        }
        return best;
    }

    @Override
    public BackendInfo info() {
        return current;
    }

    @Override
    public float[] forward(AttentionBatch batch, StageTimes times) {
        return engineFor(batch.options(), ProblemWork.perProblem(batch)).forward(batch, times);
    }

    @Override
    public float[] forward(TensorBatch batch, StageTimes times) {
        return engineFor(batch.options(), ProblemWork.perProblem(batch.options(), batch.heads(), batch.m(), batch.n(), batch.d(),
                batch.e())).forward(batch, times);
    }

    @Override
    public Optional<LayerRun> layer(LayerWeights weights, boolean rope, HeadLayout layout, float[] x, int items, int tokens,
                                    TokenOrder order, AttentionOptions options, StageTimes times) {
        int d = weights.headDim();
        return engineFor(options, ProblemWork.perProblem(options, items * weights.heads(), tokens, tokens, d, d))
                .layer(weights, rope, layout, x, items, tokens, order, options, times);
    }

    @Override
    public float[] softmax(AttentionBatch batch) {
        return engineFor(AttentionOptions.relu(), ProblemWork.perProblem(batch)).softmax(batch);
    }

    private BackendEngine engineFor(AttentionOptions options, ProblemWork[] problems) {
        String name = choose(options.kernel(), options.isCausal(), ProblemWork.sum(problems, 0, problems.length));
        BackendEngine engine = open.get(name);
        if (engine == null) {
            engine = opener.apply(name);
            open.put(name, engine);
        }
        current = engine.info();
        return engine;
    }

    private BackendInfo infoOf(String name) {
        return available.stream().filter(info -> info.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no available backend is named " + name));
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (BackendEngine engine : open.values()) {
            try {
                engine.close();
            } catch (RuntimeException closing) {
                failure = failure == null ? closing : failure;
            }
        }
        open.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
