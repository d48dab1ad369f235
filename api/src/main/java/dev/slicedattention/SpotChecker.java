package dev.slicedattention;

import dev.slicedattention.spi.TensorBatch;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.LayerSpotCheck;
import dev.slicedattention.validation.SpotCheck;
import dev.slicedattention.validation.layer.LayerWeights;
import dev.slicedattention.validation.projection.HeadLayout;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Runs a call's {@link SpotCheck} beside it: the expected rows are computed on a thread of their own
 * while the calling thread waits for the backend (on a device they overlap; on the JVM backends they
 * share the cores), then the output is judged against them. The queries are drawn from a generator
 * seeded afresh per call.
 */
final class SpotChecker<C> {
    /** Daemon threads, so that a pending check never keeps the JVM alive. */
    private static final ExecutorService THREADS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "sliced-attention-spot-check");
        thread.setDaemon(true);
        return thread;
    });
    private static final SplittableRandom SEEDS = new SplittableRandom();

    private final CompletableFuture<C> expected;

    private SpotChecker(Function<RandomGenerator, C> expect) {
        long seed;
        synchronized (SEEDS) {
            seed = SEEDS.nextLong();
        }
        expected = CompletableFuture.supplyAsync(() -> expect.apply(new SplittableRandom(seed)), THREADS);
    }

    /** Starts the check of a heap batch; null when {@code queries} is 0 (checks off). */
    static SpotChecker<SpotCheck> start(AttentionBatch batch, int queries) {
        return queries <= 0 ? null : new SpotChecker<>(random -> SpotCheck.expect(SpotCheck.Inputs.of(batch), queries, random));
    }

    /** Starts the check of a layer that an engine computes from end to end ({@link LayerSpotCheck}); null when off. */
    static SpotChecker<LayerSpotCheck> start(float[] x, int items, int tokens, LayerWeights weights, boolean rope, HeadLayout layout,
                                             float[] mask, boolean causal, int queries) {
        return queries <= 0 ? null : new SpotChecker<>(random -> LayerSpotCheck.expect(x, items, tokens, weights, rope, layout, mask,
                causal, queries, random));
    }

    /** Starts the check of a batch whose tensors may live off the heap (read a block at a time, in place). */
    static SpotChecker<SpotCheck> start(TensorBatch batch, int queries) {
        if (queries <= 0) {
            return null;
        }
        SpotCheck.Inputs inputs = new SpotCheck.Inputs(batch.heads(), batch.m(), batch.n(), batch.d(), batch.e(), batch.options(),
                false, source(batch.q()), source(batch.k()), source(batch.v()), source(batch.theta()));
        return new SpotChecker<>(random -> SpotCheck.expect(inputs, queries, random));
    }

    private static SpotCheck.Source source(Tensor tensor) {
        return tensor.offHeap().<SpotCheck.Source>map(values -> (from, target, length) -> values.copyRange(from, target, 0, length))
                .orElseGet(() -> SpotCheck.Source.of(tensor.data()));
    }

    /** Waits for the expected rows. */
    C expected() {
        try {
            return expected.join();
        } catch (CompletionException failed) {
            throw failed.getCause() instanceof RuntimeException cause ? cause : failed;
        }
    }

    /** Stops waiting for a check whose call failed (its thread finishes on its own). */
    void abandon() {
        expected.cancel(false);
    }
}
