package dev.slicedattention.bench.roof;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.spi.MemoryRoofKernel;
import dev.slicedattention.spi.MemoryRoofProvider;
import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * The memory roof of the JVM backends: plain loops over heap arrays, on one thread for
 * {@code jvm-seq} and split into one contiguous slice per worker for {@code jvm-par} (as many
 * workers as the backend uses). Each backend's stages are compared with what its own threading can
 * stream, so jvm-seq's efficiency is not judged against bandwidth only several cores reach.
 *
 * <p>It stays in the bench module: the JVM backends need nothing of it, and only the benchmarks
 * measure roofs. Device backends ship their own {@link MemoryRoofProvider} in their jar.
 */
public final class JvmRoofProvider implements MemoryRoofProvider {
    @Override
    public boolean supports(BackendInfo backend) {
        return "jvm-seq".equals(backend.family()) || "jvm-par".equals(backend.family());
    }

    @Override
    public MemoryRoofKernel open(BackendInfo backend, int length) {
        int workers = "jvm-par".equals(backend.family()) ? Math.max(1, backend.threads()) : 1;
        return new HeapArrays(length, workers);
    }

    /** Three heap arrays and the loops; the slices are contiguous so every worker streams. */
    static final class HeapArrays implements MemoryRoofKernel {
        private static final float SCALAR = 3.0f;
        private final float[] a;
        private final float[] b;
        private final float[] c;
        private final int workers;
        private final ForkJoinPool pool;

        HeapArrays(int length, int workers) {
            a = new float[length];
            b = new float[length];
            c = new float[length];
            // Non-zero data: every page is touched (and committed) here, not during the first timed call.
            Arrays.fill(a, 1.0f);
            Arrays.fill(b, 2.0f);
            Arrays.fill(c, 0.5f);
            this.workers = workers;
            this.pool = workers > 1 ? new ForkJoinPool(workers) : null;
        }

        @Override
        public int length() {
            return a.length;
        }

        @Override
        public void copy() {
            if (pool == null) {
                copyRange(0, a.length);
            } else {
                forEachSlice(this::copyRange);
            }
        }

        @Override
        public void triad() {
            if (pool == null) {
                triadRange(0, a.length);
            } else {
                forEachSlice(this::triadRange);
            }
        }

        private void copyRange(int from, int to) {
            // A loop rather than System.arraycopy: the stages are loops too, and C2 vectorises both.
            for (int i = from; i < to; i++) {
                b[i] = a[i];
            }
        }

        private void triadRange(int from, int to) {
            for (int i = from; i < to; i++) {
                a[i] = b[i] + SCALAR * c[i];
            }
        }

        private interface Range {
            void run(int from, int to);
        }

        private void forEachSlice(Range body) {
            int length = a.length;
            pool.submit(() -> IntStream.range(0, workers).parallel().forEach(w -> {
                long from = (long) length * w / workers;
                long to = (long) length * (w + 1) / workers;
                body.run((int) from, (int) to);
            })).join();
        }

        @Override
        public double probe() {
            return (double) b[0] + a[a.length - 1];
        }

        @Override
        public void close() {
            if (pool != null) {
                pool.shutdown();
            }
        }
    }
}
