package dev.slicedattention.jvm.par;

import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * The threads jvm-par runs on: one {@link ForkJoinPool} with one worker per available processor.
 *
 * <p>Why not the common pool: its parallelism is processors − 1, which is 1 on a 2-core laptop, and
 * {@code Arrays.parallelSort} then sorts on one thread. A dedicated pool gives every stage all cores.
 * Parallel streams started inside a task of this pool run on this pool's workers.
 */
public final class Workers {
    private final ForkJoinPool pool;

    public Workers(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.pool = new ForkJoinPool(threads);
    }

    public int threads() {
        return pool.getParallelism();
    }

    /** Work items per parallel loop: a few per thread, so that an uneven split still balances. */
    public int chunks(int items, int minimumPerChunk) {
        int wanted = Math.max(1, threads() * 4);
        int byGrain = Math.max(1, items / Math.max(1, minimumPerChunk));
        return Math.max(1, Math.min(wanted, byGrain));
    }

    /** Runs {@code body(from, to)} over [0, count) split into chunks of at least {@code grain} items. */
    public void forRange(int count, int grain, RangeBody body) {
        if (count <= 0) {
            return;
        }
        int chunks = chunks(count, grain);
        if (chunks == 1) {
            body.run(0, count);
            return;
        }
        forEach(chunks, c -> body.run(bound(count, chunks, c), bound(count, chunks, c + 1)));
    }

    /** Runs {@code body(i)} for i in [0, count) on the pool's workers. */
    public void forEach(int count, java.util.function.IntConsumer body) {
        pool.submit(() -> IntStream.range(0, count).parallel().forEach(body)).join();
    }

    /** The first item of chunk {@code c} when {@code count} items are split into {@code chunks}. */
    public static int bound(int count, int chunks, int c) {
        return (int) ((long) count * c / chunks);
    }

    public void shutdown() {
        pool.shutdown();
    }

    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }
}
