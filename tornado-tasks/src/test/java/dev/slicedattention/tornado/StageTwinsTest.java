package dev.slicedattention.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.slicedattention.tornado.kernels.CombineKernels;
import dev.slicedattention.tornado.kernels.GatherKernels;
import dev.slicedattention.tornado.kernels.PrefixSumKernels;
import dev.slicedattention.tornado.kernels.ProjectionKernels;
import dev.slicedattention.tornado.kernels.RankKernels;
import dev.slicedattention.validation.TolerancePolicy;
import dev.slicedattention.validation.sequential.Combine;
import dev.slicedattention.validation.sequential.KeySort;
import dev.slicedattention.validation.sequential.PrefixSums;
import dev.slicedattention.validation.sequential.Projection;
import dev.slicedattention.validation.sequential.Rank;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The column means of stage 1 and stages 3 to 5 (gather + prefix sums, rank, combine) on the device, each in a one-graph plan of
 * its own fed with host-made inputs (as in {@link StageKernelsTest}), against the sequential twins
 * of {@code validation.sequential}. P = 3 heads throughout, so that the segmentation is exercised.
 */
@Tag("tornado")
class StageTwinsTest {
    private static final int HEADS = 3;
    private static final int E = 4;
    private static final int WIDTH = 2 * E + 1;

    @BeforeAll
    static void device() {
        TornadoTestDevice.open().close();
    }

    /**
     * The column means of the projection stage (key centre and value mean) in their two kernels
     * against float64 means, for one row, one partial chunk, and more than MEAN_CHUNK² rows (all
     * three summation levels). Data offset by 1e3 as in SHARED_OFFSET: the blocked float32 sum must
     * stay within a few ulps of the mean, where a running float32 sum over 70000 rows would not.
     */
    @ParameterizedTest(name = "rows = {0}")
    @ValueSource(ints = {1, 300, 70000})
    void columnMeansMatchFloat64(int rows) throws Exception {
        int cols = 5;
        int chunks = (rows + ProjectionKernels.MEAN_CHUNK - 1) / ProjectionKernels.MEAN_CHUNK;
        float[] data = gaussian(HEADS * rows * cols, new SplittableRandom(rows), 1000.0);
        FloatArray x = FloatArray.fromArray(data), partials = new FloatArray(HEADS * chunks * cols), out = new FloatArray(HEADS * cols);
        TaskGraph graph = new TaskGraph("means")
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, x)
                .task("partials", ProjectionKernels::columnPartials, x, partials, rows, cols, chunks)
                .task("means", ProjectionKernels::meansOfPartials, partials, out, rows, cols, chunks)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            plan.execute();
        }
        for (int p = 0; p < HEADS; p++) {
            double[] exact = Projection.valueMean(data, p * rows, rows, cols);
            for (int c = 0; c < cols; c++) {
                assertEquals(exact[c], out.get(p * cols + c), 4 * Math.ulp((float) exact[c]), "mean of head " + p + ", column " + c);
            }
        }
    }

    /** Sorted keys of P heads, padded with the largest float like ProjectionKernels leaves them, and their permutations. */
    private record SortedHeads(float[] keys, int[] index, float[][] tau, int[][] perm, int paddedN) {}

    /** Head 0 Gaussian with a wide range, head 1 integer keys with many ties, head 2 all equal. */
    private static SortedHeads sortedHeads(int n, SplittableRandom random) {
        int paddedN = Math.max(2, Integer.highestOneBit(Math.max(1, n - 1)) << 1);
        float[] keys = new float[HEADS * paddedN];
        int[] index = new int[HEADS * paddedN];
        float[][] tau = new float[HEADS][];
        int[][] perm = new int[HEADS][];
        for (int p = 0; p < HEADS; p++) {
            float[] raw = new float[n];
            for (int j = 0; j < n; j++) {
                raw[j] = p == 0 ? (float) (300.0 * random.nextGaussian()) : p == 1 ? random.nextInt(7) - 3 : 0.75f;
            }
            KeySort.SortedKeys sorted = KeySort.sort(raw);
            tau[p] = sorted.tau();
            perm[p] = sorted.perm();
            for (int j = 0; j < paddedN; j++) {
                keys[p * paddedN + j] = j < n ? tau[p][j] : Float.MAX_VALUE;
                index[p * paddedN + j] = j < n ? perm[p][j] : j;
            }
        }
        return new SortedHeads(keys, index, tau, perm, paddedN);
    }

    private static float[] gaussian(int count, SplittableRandom random, double mean) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (mean + random.nextGaussian());
        }
        return values;
    }

    /** The value mean of each head, rounded to float32 once so that device and twin centre V by the same μ. */
    private static float[] valueMeans(float[] v, int n) {
        float[] mu = new float[HEADS * E];
        for (int p = 0; p < HEADS; p++) {
            for (int c = 0; c < E; c++) {
                double sum = 0.0;
                for (int j = 0; j < n; j++) {
                    sum += v[(p * n + j) * E + c];
                }
                mu[p * E + c] = (float) (sum / n);
            }
        }
        return mu;
    }

    private static double[] widen(float[] values, int from, int count) {
        double[] wide = new double[count];
        for (int i = 0; i < count; i++) {
            wide[i] = values[from + i];
        }
        return wide;
    }

    /**
     * σ exactly, and A, B, C within the blocked-scan allowance: the tolerance of
     * {@link TolerancePolicy#BLOCKED_FLOAT32} times the largest |value| of the same column and head
     * (a blocked float32 scan errs along a path of partial sums, each no larger than that). n covers
     * one block, several blocks with a partial last one, whole blocks, and more than
     * BLOCK·OFFSET_CHUNK rows (the second level of the offset scan).
     */
    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 3, 4096, 40000})
    void gatherAndPrefixSumsMatchTwin(int n) throws Exception {
        SplittableRandom random = new SplittableRandom(31 + n);
        SortedHeads heads = sortedHeads(n, random);
        int paddedN = heads.paddedN();
        // An offset of 20 in V: the centring by μ is what keeps the sums small.
        float[] values = gaussian(HEADS * n * E, random, 20.0);
        float[] means = valueMeans(values, n);
        int blocks = (n + PrefixSumKernels.BLOCK - 1) / PrefixSumKernels.BLOCK;

        FloatArray v = FloatArray.fromArray(values), mu = FloatArray.fromArray(means), keys = FloatArray.fromArray(heads.keys());
        IntArray index = IntArray.fromArray(heads.index());
        FloatArray sigma = new FloatArray(HEADS), rows = new FloatArray(HEADS * n * WIDTH);
        FloatArray totals = new FloatArray(HEADS * blocks * WIDTH), sums = new FloatArray(HEADS * (n + 1) * WIDTH);
        TaskGraph graph = new TaskGraph("scan")
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, v, mu, keys, index)
                .task("scale", GatherKernels::scale, keys, sigma, n, paddedN)
                .task("gather", GatherKernels::gather, v, mu, keys, index, sigma, rows, n, paddedN, E)
                .task("blockTotals", PrefixSumKernels::blockTotals, rows, totals, n, blocks, WIDTH)
                .task("blockOffsets", PrefixSumKernels::blockOffsets, totals, HEADS, blocks, WIDTH)
                .task("addBack", PrefixSumKernels::addBack, rows, totals, sums, n, blocks, WIDTH)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, sigma, sums);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            plan.execute();
        }

        double tolerance = TolerancePolicy.BLOCKED_FLOAT32.tolerance(n);
        for (int p = 0; p < HEADS; p++) {
            float twinSigma = PrefixSums.scaleOf(heads.tau()[p], n);
            assertEquals(twinSigma, sigma.get(p), "σ of head " + p);
            PrefixSums.Sums twin = PrefixSums.compute(heads.tau()[p], heads.perm()[p], twinSigma, values, p * n, n, E,
                    widen(means, p * E, E));
            for (int col = 0; col < WIDTH; col++) {
                String what = col < E ? "A" : col < 2 * E ? "B" : "C";
                float[] expected = new float[n + 1];
                double scale = Float.MIN_NORMAL;
                for (int k = 0; k <= n; k++) {
                    expected[k] = col < E ? twin.a()[k * E + col] : col < 2 * E ? twin.b()[k * E + col - E] : twin.c()[k];
                    scale = Math.max(scale, Math.abs(expected[k]));
                }
                for (int k = 0; k <= n; k++) {
                    float actual = sums.get((p * (n + 1) + k) * WIDTH + col);
                    double error = Math.abs(actual - expected[k]);
                    double allowed = tolerance * scale;
                    if (!(error <= allowed)) fail(what + " of head " + p + ", column " + (col % E) + ", row " + k + " of " + n
                            + ": device " + actual + ", twin " + expected[k] + " (error " + error + " > " + allowed + ")");
                }
            }
        }
    }

    /** The lower bound exactly, for queries below, between, equal to and above the keys (ties included). */
    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 2, 5, 1000})
    void rankMatchesLowerBound(int n) throws Exception {
        SplittableRandom random = new SplittableRandom(7 + n);
        SortedHeads heads = sortedHeads(n, random);
        int m = 9;
        float[] queries = new float[HEADS * m];
        for (int p = 0; p < HEADS; p++) {
            float[] tau = heads.tau()[p];
            float[] mine = {-Float.MAX_VALUE, tau[0], tau[n - 1], Float.MAX_VALUE, tau[n / 2], Math.nextUp(tau[n / 2]),
                    Math.nextDown(tau[n / 2]), (float) (300.0 * random.nextGaussian()), random.nextInt(7) - 3};
            System.arraycopy(mine, 0, queries, p * m, m);
        }
        FloatArray s = FloatArray.fromArray(queries), keys = FloatArray.fromArray(heads.keys());
        IntArray rank = new IntArray(HEADS * m);
        TaskGraph graph = new TaskGraph("rank")
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, s, keys)
                .task("rank", RankKernels::ranks, s, keys, rank, m, n, heads.paddedN())
                .transferToHost(DataTransferMode.EVERY_EXECUTION, rank);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            plan.execute();
        }
        for (int p = 0; p < HEADS; p++) {
            for (int i = 0; i < m; i++) {
                float query = queries[p * m + i];
                assertEquals(Rank.lowerBound(heads.tau()[p], n, query), rank.get(p * m + i),
                        "rank of " + query + " in head " + p + " (" + Arrays.toString(Arrays.copyOf(heads.tau()[p], Math.min(n, 8))) + "...)");
            }
        }
    }

    /**
     * Given the same A, B, C (the twin's, stored in the device layout), σ and ranks, the device's
     * float32 N/Z against the twin's float64 one: within 16 float32 ulps of the head's output scale.
     * Head 2 has all keys equal (Z = 0 for the query equal to them: output 0).
     */
    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 3, 1000})
    void combineMatchesTwin(int n) throws Exception {
        SplittableRandom random = new SplittableRandom(11 + n);
        SortedHeads heads = sortedHeads(n, random);
        int m = 40;
        float[] values = gaussian(HEADS * n * E, random, 0.5);
        float[] means = valueMeans(values, n);
        float[] queries = new float[HEADS * m];
        float[] sigmas = new float[HEADS];
        int[] ranks = new int[HEADS * m];
        float[] packed = new float[HEADS * (n + 1) * WIDTH];
        PrefixSums.Sums[] twins = new PrefixSums.Sums[HEADS];
        for (int p = 0; p < HEADS; p++) {
            float[] tau = heads.tau()[p];
            sigmas[p] = PrefixSums.scaleOf(tau, n);
            twins[p] = PrefixSums.compute(tau, heads.perm()[p], sigmas[p], values, p * n, n, E, widen(means, p * E, E));
            for (int k = 0; k <= n; k++) {
                int row = (p * (n + 1) + k) * WIDTH;
                System.arraycopy(twins[p].a(), k * E, packed, row, E);
                System.arraycopy(twins[p].b(), k * E, packed, row + E, E);
                packed[row + 2 * E] = twins[p].c()[k];
            }
            for (int i = 0; i < m; i++) {
                // Mostly inside the keys' range, some far outside, some exactly on a key.
                float query = i % 5 == 0 ? tau[random.nextInt(n)] : i % 7 == 0 ? (float) (1e4 * random.nextGaussian())
                        : p == 0 ? (float) (300.0 * random.nextGaussian()) : (float) (4.0 * random.nextDouble() - 2.0);
                queries[p * m + i] = query;
                ranks[p * m + i] = Rank.lowerBound(tau, n, query);
            }
        }
        FloatArray s = FloatArray.fromArray(queries), sigma = FloatArray.fromArray(sigmas), sums = FloatArray.fromArray(packed);
        IntArray rank = IntArray.fromArray(ranks);
        FloatArray out = new FloatArray(HEADS * m * E);
        TaskGraph graph = new TaskGraph("combine")
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, s, rank, sigma, sums)
                .task("combine", CombineKernels::combine, s, rank, sigma, sums, out, m, n, E)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            plan.execute();
        }
        for (int p = 0; p < HEADS; p++) {
            float[] expected = new float[m * E];
            Combine.combine(Arrays.copyOfRange(queries, p * m, (p + 1) * m), Arrays.copyOfRange(ranks, p * m, (p + 1) * m),
                    sigmas[p], twins[p], expected, 0);
            // The output scale as ErrorMetrics defines it: the largest output, floored by rms(V − μ)/(4√n)
            // where cancellation makes the exact output ~0 (head 2, all keys equal).
            double squares = 0.0;
            for (int j = 0; j < n * E; j++) {
                double u = values[p * n * E + j] - means[p * E + j % E];
                squares += u * u;
            }
            double scale = Math.sqrt(squares / (n * E)) / (4.0 * Math.sqrt(n));
            for (float value : expected) {
                scale = Math.max(scale, Math.abs(value));
            }
            double allowed = 16 * Math.ulp((float) scale);
            for (int i = 0; i < m * E; i++) {
                float actual = out.get(p * m * E + i);
                int at = i;
                double error = Math.abs(actual - expected[i]);
                if (!(error <= allowed)) fail("head " + p + ", query " + queries[p * m + at / E] + " (rank " + ranks[p * m + at / E]
                        + "), column " + at % E + ": device " + actual + ", twin " + expected[at] + " (error " + error + " > " + allowed + ")");
            }
        }
    }
}
