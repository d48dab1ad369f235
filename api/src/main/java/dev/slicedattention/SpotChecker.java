package dev.slicedattention;

import dev.slicedattention.spi.TensorBatch;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.SpotCheck;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs a call's {@link SpotCheck} beside it: the expected rows are computed on a thread of their own
 * while the calling thread waits for the backend (on a device they overlap; on the JVM backends they
 * share the cores), then the output is judged against them. The queries are drawn from a generator
 * seeded afresh per call.
 */
final class SpotChecker {
    /** Daemon threads, so that a pending check never keeps the JVM alive. */
    private static final ExecutorService THREADS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "sliced-attention-spot-check");
        thread.setDaemon(true);
        return thread;
    });
    private static final SplittableRandom SEEDS = new SplittableRandom();

    private final CompletableFuture<SpotCheck> expected;

    private SpotChecker(SpotCheck.Inputs inputs, int queries) {
        long seed;
        synchronized (SEEDS) {
            seed = SEEDS.nextLong();
        }
        expected = CompletableFuture.supplyAsync(() -> SpotCheck.expect(inputs, queries, new SplittableRandom(seed)), THREADS);
    }

    /** Starts the check of a heap batch; null when {@code queries} is 0 (checks off). */
    static SpotChecker start(AttentionBatch batch, int queries) {
        return queries <= 0 ? null : new SpotChecker(SpotCheck.Inputs.of(batch), queries);
    }

    /** Starts the check of a batch whose tensors may live off the heap (read a block at a time, in place). */
    static SpotChecker start(TensorBatch batch, int queries) {
        if (queries <= 0) {
            return null;
        }
        return new SpotChecker(new SpotCheck.Inputs(batch.heads(), batch.m(), batch.n(), batch.d(), batch.e(), batch.options(),
                false, source(batch.q()), source(batch.k()), source(batch.v()), source(batch.theta())), queries);
    }

    private static SpotCheck.Source source(Tensor tensor) {
        return tensor.offHeap().<SpotCheck.Source>map(values -> (from, target, length) -> values.copyRange(from, target, 0, length))
                .orElseGet(() -> SpotCheck.Source.of(tensor.data()));
    }

    /** Waits for the expected rows and judges {@code output} (max|output| = {@code largest}) as {@code backend}'s. */
    void judge(float[] output, float largest, BackendInfo backend) {
        SpotCheck check;
        try {
            check = expected.join();
        } catch (CompletionException failed) {
            throw failed.getCause() instanceof RuntimeException cause ? cause : failed;
        }
        check.judge(output, largest, backend.tolerancePolicy(), backend.describe());
    }

    /** Stops waiting for a check whose call failed (its thread finishes on its own). */
    void abandon() {
        expected.cancel(false);
    }
}
