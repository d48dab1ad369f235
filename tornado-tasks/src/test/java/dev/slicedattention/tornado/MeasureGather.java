package dev.slicedattention.tornado;

import dev.slicedattention.tornado.kernels.GatherKernels;
import java.util.Arrays;
import java.util.SplittableRandom;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The ReLU's gather alone (not a test: it asserts only that the variants write the same rows): n = 2^20
 * rows (-Dn), e = 64, a random permutation; the kernel before this change ({@link #gatherByElement}), the
 * per-row {@link GatherKernels#gather}, and {@link #inverse} + {@link #scatterRows} (V in memory order),
 * alternating, median wall time of -Dreps executes each, in one JVM on the same device.
 *
 * <pre>
 *   scripts/test -pl tornado-tasks -Dtest=MeasureGather -Dtornado.test.groups=measure -Dtornado.test.flags="-Dreps=5" -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@org.junit.jupiter.api.Tag("measure")
class MeasureGather {
    /**
     * The gather before this change: ReLU rows[(p·n + k)·w + col] as in the class comment; one work-item per (row, value column).
     * U = V·(1/ν) − μ̂ rather than (V − μ)/ν: V − μ could overflow for V near float32's limit.
     */
    public static void gatherByElement(FloatArray v, FloatArray mu, FloatArray keys, IntArray index, FloatArray sigma,
                              IntArray lengths, FloatArray factors, FloatArray rows, int n, int paddedN, int e) {
        int width = 2 * e + 1;
        int heads = sigma.getSize();
        int total = rows.getSize() / width;
        for (@Parallel int row = 0; row < total; row++) {
            for (@Parallel int c = 0; c < e; c++) {
                int p = row / n;
                int k = row - p * n;
                int slot = p * paddedN + k;
                float scaledKey = 0.0f;
                float u = 0.0f;
                // A branch, not a multiplication by 0/1: a padding key (the largest float) over σ may be +∞.
                if (k < lengths.get(p)) {
                    scaledKey = keys.get(slot) / sigma.get(p);
                    u = v.get((p * n + index.get(slot)) * e + c) * factors.get(heads + p) - mu.get(p * e + c);
                }
                rows.set(row * width + c, u);
                rows.set(row * width + e + c, scaledKey * u);
                if (c == 0) {
                    rows.set(row * width + 2 * e, scaledKey);
                }
            }
        }
    }

    /**
     * inverse[p·n + π(k)] = k for the real keys of every head (k &lt; L_p): the sorted position of each
     * key row, so that {@link #scatterRows} can read V in memory order.
     */
    public static void inverse(IntArray index, IntArray lengths, IntArray inverse, int n, int paddedN) {
        int slots = index.getSize();
        for (@Parallel int slot = 0; slot < slots; slot++) {
            int p = slot / paddedN;
            int k = slot - p * paddedN;
            if (k < lengths.get(p)) {
                inverse.set(p * n + index.get(slot), k);
            }
        }
    }

    /** The ReLU rows of {@link GatherKernels#gather}, written by source row: V read in memory order, row j written to its sorted position inverse[j] (as jvm-par does); the alternative measured and not taken. */
    public static void scatterRows(FloatArray v, FloatArray mu, FloatArray keys, IntArray inverse, FloatArray sigma,
                                   IntArray lengths, FloatArray factors, FloatArray rows, int n, int paddedN, int e) {
        int width = 2 * e + 1;
        int heads = sigma.getSize();
        int total = rows.getSize() / width;
        for (@Parallel int j = 0; j < total; j++) {
            int p = j / n;
            int source = j - p * n;
            if (source < lengths.get(p)) {
                int k = inverse.get(j);
                int out = (p * n + k) * width;
                float scaledKey = keys.get(p * paddedN + k) / sigma.get(p);
                float inverseScale = factors.get(heads + p);
                for (int c = 0; c < e; c++) {
                    float u = v.get(j * e + c) * inverseScale - mu.get(p * e + c);
                    rows.set(out + c, u);
                    rows.set(out + e + c, scaledKey * u);
                }
                rows.set(out + 2 * e, scaledKey);
            } else {
                for (int c = 0; c < width; c++) {
                    rows.set(j * width + c, 0.0f);
                }
            }
        }
    }

    public static void touch(FloatArray a, FloatArray b, FloatArray c) {
        // Written, so that transferToHost copies them (it skips arrays no kernel of the graph writes).
        a.set(0, a.get(0));
        b.set(0, b.get(0));
        c.set(0, c.get(0));
    }

    @org.junit.jupiter.api.Test
    void measure() {
        int n = Integer.getInteger("n", 1 << 20);
        int reps = Integer.getInteger("reps", 5);
        int e = 64, width = 2 * e + 1;
        SplittableRandom random = new SplittableRandom(5);
        FloatArray v = new FloatArray(n * e);
        for (int i = 0; i < n * e; i++) {
            v.set(i, (float) random.nextGaussian());
        }
        FloatArray mu = new FloatArray(e);
        FloatArray keys = new FloatArray(n);
        IntArray index = new IntArray(n);
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        for (int k = 0; k < n; k++) {
            index.set(k, perm[k]);
            keys.set(k, k - n / 2.0f);
        }
        FloatArray sigma = FloatArray.fromElements((float) n);
        IntArray lengths = IntArray.fromElements(n, n);
        FloatArray factors = FloatArray.fromElements(1.0f, 1.0f, 0.0f);
        IntArray inverse = new IntArray(n);
        FloatArray[] rows = {new FloatArray(n * width), new FloatArray(n * width), new FloatArray(n * width)};
        TaskGraph before = new TaskGraph("before").transferToDevice(DataTransferMode.FIRST_EXECUTION, v, mu, keys, index, sigma,
                        lengths, factors, rows[0])
                .task("gather", MeasureGather::gatherByElement, v, mu, keys, index, sigma, lengths, factors, rows[0], n, n, e)
                .persistOnDevice(v, mu, keys, index, sigma, lengths, factors, rows[0]);
        TaskGraph gather = new TaskGraph("gather").consumeFromDevice(v, mu, keys, index, sigma, lengths, factors, rows[0])
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, rows[1])
                .task("gather", GatherKernels::gather, v, mu, keys, index, sigma, lengths, factors, rows[1], n, n, e)
                .persistOnDevice(v, mu, keys, index, sigma, lengths, factors, rows[0], rows[1]);
        TaskGraph scatter = new TaskGraph("scatter").consumeFromDevice(v, mu, keys, index, sigma, lengths, factors, rows[0], rows[1])
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, inverse, rows[2])
                .task("inverse", MeasureGather::inverse, index, lengths, inverse, n, n)
                .task("scatter", MeasureGather::scatterRows, v, mu, keys, inverse, sigma, lengths, factors, rows[2], n, n, e)
                .persistOnDevice(rows[0], rows[1], rows[2]);
        TaskGraph back = new TaskGraph("back").consumeFromDevice(rows[0], rows[1], rows[2])
                .task("noop", MeasureGather::touch, rows[0], rows[1], rows[2])
                .transferToHost(DataTransferMode.EVERY_EXECUTION, rows[0], rows[1], rows[2]);
        String[] names = {"a work-item per (row, column), row first (before)", "a work-item per row (GatherKernels.gather)",
                "inverse + scatter in memory order, a work-item per source row"};
        int variants = names.length;
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(before.snapshot(), gather.snapshot(), scatter.snapshot(), back.snapshot())) {
            long[][] nanos = new long[variants][reps + 1];
            org.junit.jupiter.api.Assertions.assertNotNull(plan);
            for (int r = 0; r <= reps; r++) {
                for (int variant = 0; variant < variants; variant++) {
                    long start = System.nanoTime();
                    plan.withGraph(variant).execute();
                    nanos[variant][r] = System.nanoTime() - start;
                }
            }
            plan.withGraph(variants).execute();
            for (int variant = 1; variant < variants; variant++) {
                for (int i = 0; i < n * width; i++) {
                    if (Float.compare(rows[0].get(i), rows[variant].get(i)) != 0) {
                        throw new AssertionError(names[variant] + " differs at " + i + ": " + rows[variant].get(i) + " against " + rows[0].get(i));
                    }
                }
            }
            for (int variant = 0; variant < variants; variant++) {
                long[] steady = Arrays.copyOfRange(nanos[variant], 1, reps + 1);
                Arrays.sort(steady);
                System.out.printf("gather n = %d, e = %d, %s: median %.1f ms (min %.1f, max %.1f) of %d%n", n, e, names[variant],
                        steady[reps / 2] / 1e6, steady[0] / 1e6, steady[reps - 1] / 1e6, reps);
            }
        } catch (Exception failed) {
            throw new AssertionError(failed);
        }
    }
}
