package dev.slicedattention.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.slicedattention.tornado.graphs.ColumnLayout;
import dev.slicedattention.tornado.graphs.ForwardPlan;
import dev.slicedattention.tornado.kernels.CombineKernels;
import dev.slicedattention.tornado.kernels.CompensatedPrefixSumKernels;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The column means of stage 1 and stages 3 to 5 (gather + prefix sums, rank, combine) of both
 * kernels on the device, each in a one-graph plan of its own fed with host-made inputs (as in
 * {@link StageKernelsTest}), against the sequential twins of {@code validation.sequential}. P = 3
 * heads throughout, so that the segmentation is exercised, and ragged: head 0 uses all n keys, head
 * 1 about two thirds, head 2 half (and in the combines, fewer queries too).
 */
@Tag("tornado")
class StageTwinsTest {
    private static final int HEADS = 3;
    private static final int E = 4;
    private static final int WIDTH = 2 * E + 1;
    private static final int BUMP_WIDTH = 2 * E;

    @BeforeAll
    static void device() {
        TornadoTestDevice.open().close();
    }

    /** Key lengths L_p of the three heads for n keys. */
    private static int[] keyLengths(int n) {
        return new int[] {n, Math.max(1, n - n / 3), Math.max(1, n / 2)};
    }

    /** The device's [L_p | M_p] array. */
    private static IntArray lengths(int[] keys, int[] queries) {
        int[] both = new int[2 * HEADS];
        System.arraycopy(keys, 0, both, 0, HEADS);
        System.arraycopy(queries, 0, both, HEADS, HEADS);
        return IntArray.fromArray(both);
    }

    /** The device's [ν_p | 1/ν_p | b_p] array. */
    private static FloatArray factors(float[] nu, float[] bandwidth) {
        float[] all = new float[3 * HEADS];
        for (int p = 0; p < HEADS; p++) {
            all[p] = nu[p];
            all[HEADS + p] = 1.0f / nu[p];
            all[2 * HEADS + p] = bandwidth == null ? 0.0f : bandwidth[p];
        }
        return FloatArray.fromArray(all);
    }

    /**
     * The column means of the projection stage (key centre and value mean) in their two kernels
     * against float64 means, for one row, one partial chunk, and more than MEAN_CHUNK² rows (all
     * three summation levels), over the heads' key lengths. Data offset by 1e3 as in SHARED_OFFSET:
     * the blocked float32 sum must stay within a few ulps of the mean, where a running float32 sum
     * over 70000 rows would not.
     */
    @ParameterizedTest(name = "rows = {0}, {1}")
    @CsvSource({"1, COLUMN_OUTER", "300, COLUMN_OUTER", "70000, COLUMN_OUTER", "300, COLUMN_INNER", "70000, COLUMN_INNER"})
    void columnMeansMatchFloat64(int rows, ColumnLayout layout) throws Exception {
        int cols = 5;
        int[] keys = keyLengths(rows);
        float[] data = gaussian(HEADS * rows * cols, new SplittableRandom(rows), 1000.0);
        FloatArray out = deviceColumnMeans(data, rows, cols, keys, layout);
        for (int p = 0; p < HEADS; p++) {
            double[] exact = Projection.valueMean(data, p * rows, keys[p], cols);
            for (int c = 0; c < cols; c++) {
                // 6 ulps: a chunk's plain float32 sum of 256 rows near 1000, in IEEE order (the projection graph
                // is compiled without fast-math), is off by up to 5.2 ulps of the mean here (the same sums on
                // the JVM); the partials' compensated sum adds about one at most. Uncompensated, 70000 rows
                // were off by 12, and a running sum over them by about 20.
                assertEquals(exact[c], out.get(p * cols + c), 6 * Math.ulp((float) exact[c]), "mean of head " + p + ", column " + c);
            }
        }
    }

    /**
     * Keys near float32's limit: 70000 rows of 3e37 ± 1e37. Summed as they are, 256 of them overflow
     * to +∞ (the centre was +∞ and every output zero); each row enters its partial already divided by
     * the chunk's size, so every level stays finite and the means stay within float32's rounding.
     */
    @Test
    void columnMeansOfValuesNearFloat32sLimitStayFinite() throws Exception {
        int rows = 70000, cols = 3;
        int[] keys = keyLengths(rows);
        SplittableRandom random = new SplittableRandom(37);
        float[] data = new float[HEADS * rows * cols];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (3e37 + 1e37 * random.nextGaussian());
        }
        FloatArray out = deviceColumnMeans(data, rows, cols, keys, ColumnLayout.COLUMN_OUTER);
        for (int p = 0; p < HEADS; p++) {
            double[] exact = Projection.valueMean(data, p * rows, keys[p], cols);
            for (int c = 0; c < cols; c++) {
                float mean = out.get(p * cols + c);
                assertTrue(Float.isFinite(mean), "mean of head " + p + ", column " + c + " is " + mean);
                assertEquals(exact[c], mean, 1e-5 * Math.abs(exact[c]), "mean of head " + p + ", column " + c);
            }
        }
    }

    /** The projection stage's two column-mean kernels on {@code data} [P, rows, cols], head p over its first keys[p] rows. */
    private static FloatArray deviceColumnMeans(float[] data, int rows, int cols, int[] keys, ColumnLayout layout) throws Exception {
        int chunks = (rows + ProjectionKernels.MEAN_CHUNK - 1) / ProjectionKernels.MEAN_CHUNK;
        FloatArray x = FloatArray.fromArray(data), partials = new FloatArray(HEADS * chunks * cols), out = new FloatArray(HEADS * cols);
        IntArray lengths = lengths(keys, keys);
        TaskGraph graph = new TaskGraph("means")
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, x, lengths);
        if (layout.columnInner()) {
            graph.task("partials", ProjectionKernels::columnPartialsColumnInner, x, lengths, partials, rows, cols, chunks);
        } else {
            graph.task("partials", ProjectionKernels::columnPartials, x, lengths, partials, rows, cols, chunks);
        }
        graph.task("means", ProjectionKernels::meansOfPartials, partials, lengths, out, cols, chunks)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            // As the plans compile the projection graph (ProjectionKernels#meansOfPartials needs its order kept).
            plan.withCompilerFlags(TornadoVMBackendType.OPENCL, ForwardPlan.EXACT_OPENCL_FLAGS).execute();
        }
        return out;
    }

    /**
     * Sorted keys of P heads, head p with lengths[p] real keys and then padding (the largest float,
     * index = slot) as ProjectionKernels and the sort leave them, and their permutations.
     */
    private record SortedHeads(float[] keys, int[] index, float[][] tau, int[][] perm, int paddedN, int[] lengths) {}

    /** Head 0 Gaussian with a wide range, head 1 integer keys with many ties, head 2 all equal. */
    private static SortedHeads sortedHeads(int n, SplittableRandom random) {
        int paddedN = Math.max(2, Integer.highestOneBit(Math.max(1, n - 1)) << 1);
        int[] lengths = keyLengths(n);
        float[] keys = new float[HEADS * paddedN];
        int[] index = new int[HEADS * paddedN];
        float[][] tau = new float[HEADS][];
        int[][] perm = new int[HEADS][];
        for (int p = 0; p < HEADS; p++) {
            float[] raw = new float[lengths[p]];
            for (int j = 0; j < raw.length; j++) {
                raw[j] = p == 0 ? (float) (300.0 * random.nextGaussian()) : p == 1 ? random.nextInt(7) - 3 : 0.75f;
            }
            KeySort.SortedKeys sorted = KeySort.sort(raw);
            tau[p] = sorted.tau();
            perm[p] = sorted.perm();
            for (int j = 0; j < paddedN; j++) {
                keys[p * paddedN + j] = j < raw.length ? tau[p][j] : Float.MAX_VALUE;
                index[p * paddedN + j] = j < raw.length ? perm[p][j] : j;
            }
        }
        return new SortedHeads(keys, index, tau, perm, paddedN, lengths);
    }

    private static float[] gaussian(int count, SplittableRandom random, double mean) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (mean + random.nextGaussian());
        }
        return values;
    }

    /** ν of each head over its first lengths[p] rows, as AttentionBatch computes it. */
    private static float[] valueScales(float[] v, int n, int[] lengths) {
        float[] nu = new float[HEADS];
        for (int p = 0; p < HEADS; p++) {
            nu[p] = PrefixSums.valueScaleOf(v, p * n, lengths[p], E);
        }
        return nu;
    }

    /**
     * μ̂ = μ/ν of each head over its first lengths[p] rows, rounded to float32 once so that device
     * and twin centre V by the same μ (the twin takes μ̂·ν, exact for a power of two ν).
     */
    private static float[] scaledMeans(float[] v, int n, int[] lengths, float[] nu) {
        float[] mu = new float[HEADS * E];
        for (int p = 0; p < HEADS; p++) {
            double[] mean = Projection.valueMean(v, p * n, lengths[p], E);
            for (int c = 0; c < E; c++) {
                mu[p * E + c] = (float) (mean[c] / nu[p]);
            }
        }
        return mu;
    }

    private static double[] twinMean(float[] scaledMeans, int p, float nu) {
        double[] wide = new double[E];
        for (int c = 0; c < E; c++) {
            wide[c] = (double) scaledMeans[p * E + c] * nu;
        }
        return wide;
    }

    /**
     * σ exactly, and A, B, C within the blocked-scan allowance: the tolerance of
     * {@link TolerancePolicy#BLOCKED_FLOAT32} times the largest |value| of the same column and head
     * (a blocked float32 scan errs along a path of partial sums, each no larger than that). Rows
     * from L_p on (the sorted padding) must hold the total over the real keys. n covers one block,
     * several blocks with a partial last one, whole blocks, and more than BLOCK·OFFSET_CHUNK rows
     * (the second level of the offset scan).
     */
    @ParameterizedTest(name = "n = {0}, {1}")
    @CsvSource({"1, COLUMN_OUTER", "3, COLUMN_OUTER", "4096, COLUMN_OUTER", "40000, COLUMN_OUTER", "3, COLUMN_INNER", "40000, COLUMN_INNER"})
    void gatherAndPrefixSumsMatchTwin(int n, ColumnLayout layout) throws Exception {
        SplittableRandom random = new SplittableRandom(31 + n);
        SortedHeads heads = sortedHeads(n, random);
        int paddedN = heads.paddedN();
        int[] keyLengths = heads.lengths();
        // An offset of 20 in V: the centring by μ is what keeps the sums small.
        float[] values = gaussian(HEADS * n * E, random, 20.0);
        float[] nu = valueScales(values, n, keyLengths);
        float[] means = scaledMeans(values, n, keyLengths, nu);
        int blocks = (n + PrefixSumKernels.BLOCK - 1) / PrefixSumKernels.BLOCK;

        FloatArray v = FloatArray.fromArray(values), mu = FloatArray.fromArray(means), keys = FloatArray.fromArray(heads.keys());
        IntArray index = IntArray.fromArray(heads.index());
        IntArray lengths = lengths(keyLengths, keyLengths);
        FloatArray factors = factors(nu, null);
        FloatArray sigma = new FloatArray(HEADS);
        FloatArray totals = new FloatArray(HEADS * blocks * WIDTH), sums = new FloatArray(HEADS * (n + 1) * WIDTH);
        TaskGraph graph = new TaskGraph("scan")
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, v, mu, keys, index, lengths, factors)
                .task("scale", GatherKernels::scale, keys, lengths, sigma, paddedN)
                .task("gather", GatherKernels::gather, v, mu, keys, index, sigma, lengths, factors, sums, n, paddedN, E);
        if (layout.columnInner()) {
            graph.task("blockTotals", PrefixSumKernels::blockTotalsColumnInner, sums, totals, n, blocks, WIDTH);
        } else {
            graph.task("blockTotals", PrefixSumKernels::blockTotals, sums, totals, n, blocks, WIDTH);
        }
        graph.task("blockOffsets", PrefixSumKernels::blockOffsets, totals, HEADS, blocks, WIDTH);
        if (layout.columnInner()) {
            graph.task("addBack", PrefixSumKernels::addBackColumnInner, sums, totals, n, blocks, WIDTH);
        } else {
            graph.task("addBack", PrefixSumKernels::addBack, sums, totals, n, blocks, WIDTH);
        }
        graph.transferToHost(DataTransferMode.EVERY_EXECUTION, sigma, sums);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            plan.execute();
        }

        double tolerance = TolerancePolicy.BLOCKED_FLOAT32.tolerance(n);
        for (int p = 0; p < HEADS; p++) {
            int length = keyLengths[p];
            float twinSigma = PrefixSums.scaleOf(heads.tau()[p], length);
            assertEquals(twinSigma, sigma.get(p), "σ of head " + p);
            PrefixSums.Sums twin = PrefixSums.compute(heads.tau()[p], heads.perm()[p], twinSigma, values, p * n, length, E,
                    twinMean(means, p, nu[p]), nu[p], false);
            for (int col = 0; col < WIDTH; col++) {
                String what = col < E ? "A" : col < 2 * E ? "B" : "C";
                float[] expected = new float[n + 1];
                double scale = Float.MIN_NORMAL;
                for (int k = 0; k <= n; k++) {
                    int at = Math.min(k, length);
                    expected[k] = col < E ? twin.a()[at * E + col] : col < 2 * E ? twin.b()[at * E + col - E] : twin.c()[at];
                    scale = Math.max(scale, Math.abs(expected[k]));
                }
                for (int k = 0; k <= n; k++) {
                    float actual = sums.get((p * (n + 1) + k) * WIDTH + col);
                    double error = Math.abs(actual - expected[k]);
                    double allowed = tolerance * scale;
                    if (!(error <= allowed)) fail(what + " of head " + p + ", column " + (col % E) + ", row " + k + " of " + n
                            + " (L = " + length + "): device " + actual + ", twin " + expected[k] + " (error " + error + " > " + allowed + ")");
                }
            }
        }
    }

    /**
     * The bump's gather and float-float scan against the twin's split prefixes (float64 sums
     * stored as hi + lo). A: U = V/ν is exact on both sides, so hi + lo must agree to float-float
     * precision, 2^-44 of the column's largest |A| (the twin's own hi + lo is good to 2^-48). B: each
     * term τ̂·U is rounded to float32 once by the gather (the twin forms it in float64), so B may
     * also differ by 2^-24 of Σ|τ̂·U| up to the row; the scan must add nothing to that. V has an
     * offset of 20 and is not centred (the bump's U), so A grows like n and a float32 prefix would
     * be off by far more.
     */
    @ParameterizedTest(name = "n = {0}, {1}")
    @CsvSource({"1, COLUMN_OUTER", "3, COLUMN_OUTER", "4096, COLUMN_OUTER", "70000, COLUMN_OUTER", "3, COLUMN_INNER", "70000, COLUMN_INNER"})
    void bumpGatherAndCompensatedPrefixSumsMatchTwin(int n, ColumnLayout layout) throws Exception {
        SplittableRandom random = new SplittableRandom(37 + n);
        SortedHeads heads = sortedHeads(n, random);
        int[] keyLengths = heads.lengths();
        float[] values = gaussian(HEADS * n * E, random, 20.0);
        float[] nu = valueScales(values, n, keyLengths);
        BumpScan scan = bumpScan(heads, values, nu, n, ForwardPlan.EXACT_OPENCL_FLAGS, layout);
        for (int p = 0; p < HEADS; p++) {
            int length = keyLengths[p];
            float twinSigma = PrefixSums.scaleOf(heads.tau()[p], length);
            assertEquals(twinSigma, scan.sigma()[p], "σ of head " + p);
            PrefixSums.Sums twin = PrefixSums.compute(heads.tau()[p], heads.perm()[p], twinSigma, values, p * n, length, E,
                    null, nu[p], true);
            for (int col = 0; col < BUMP_WIDTH; col++) {
                boolean isA = col < E;
                double scale = Float.MIN_NORMAL;
                // termBound[k] = Σ_{l<k} |τ̂_l·U_l| over the real keys.
                double[] termBound = new double[n + 1];
                for (int k = 0; k <= n; k++) {
                    int at = Math.min(k, length) * E + col % E;
                    scale = Math.max(scale, Math.abs(isA ? twin.aAt(at) : twin.bAt(at)));
                    if (k > 0) {
                        double term = 0.0;
                        if (k - 1 < length) {
                            double u = values[(p * n + heads.perm()[p][k - 1]) * E + col % E] / (double) nu[p];
                            term = Math.abs(heads.tau()[p][k - 1] / (double) twinSigma * u);
                        }
                        termBound[k] = termBound[k - 1] + term;
                    }
                }
                for (int k = 0; k <= n; k++) {
                    int at = Math.min(k, length) * E + col % E;
                    double expected = isA ? twin.aAt(at) : twin.bAt(at);
                    int slot = (p * (n + 1) + k) * BUMP_WIDTH + col;
                    double actual = (double) scan.hi()[slot] + scan.lo()[slot];
                    double error = Math.abs(actual - expected);
                    double allowed = 0x1p-44 * scale + (isA ? 0.0 : 0x1p-24 * termBound[k]);
                    if (!(error <= allowed)) fail((isA ? "A" : "B") + " of head " + p + ", column " + (col % E) + ", row " + k
                            + " of " + n + " (L = " + length + "): device " + actual + ", twin " + expected + " (error " + error
                            + " > " + allowed + ")");
                }
            }
        }
    }

    /**
     * That the compensation survives the OpenCL compiler, at n = 2^18 rows of V offset by 20 (A
     * grows to 1.6e5 of ν): the float-float scan under {@link ForwardPlan#EXACT_OPENCL_FLAGS} holds
     * A to 2^-44 of its size, where the float32 blocked scan of the ReLU kernel (same rows) misses
     * by more than 2^-30. Under TornadoVM's default flags the same float-float kernels are printed for
     * the record: PoCL's fast-relaxed-math cancels the compensation terms there.
     */
    @Test
    void compensationSurvivesTheOpenCLCompiler() throws Exception {
        int n = 1 << 18;
        SplittableRandom random = new SplittableRandom(5);
        SortedHeads heads = sortedHeads(n, random);
        float[] values = gaussian(HEADS * n * E, random, 20.0);
        float[] nu = valueScales(values, n, heads.lengths());
        double exact = worstRelativeErrorOfA(heads, values, nu, n, bumpScan(heads, values, nu, n, ForwardPlan.EXACT_OPENCL_FLAGS, ColumnLayout.COLUMN_OUTER));
        double fastMath = worstRelativeErrorOfA(heads, values, nu, n, bumpScan(heads, values, nu, n, null, ColumnLayout.COLUMN_OUTER));
        double float32 = worstRelativeErrorOfA(heads, values, nu, n, float32Scan(heads, values, nu, n));
        System.out.printf("A at n = %d, worst error / max|A|: float-float with %s %.3g, float-float with TornadoVM's default flags %.3g,"
                + " float32 blocked scan %.3g%n", n, ForwardPlan.EXACT_OPENCL_FLAGS, exact, fastMath, float32);
        assertTrue(exact <= 0x1p-44, () -> "the float-float scan lost its compensation: " + exact);
        assertTrue(float32 > 0x1p-30, () -> "the float32 scan was unexpectedly exact (" + float32 + "): this test no longer shows anything");
    }

    /** The A columns' worst |device − twin| over the column's largest |A|, all heads. */
    private static double worstRelativeErrorOfA(SortedHeads heads, float[] values, float[] nu, int n, BumpScan scan) {
        double worst = 0.0;
        for (int p = 0; p < HEADS; p++) {
            int length = heads.lengths()[p];
            float sigma = PrefixSums.scaleOf(heads.tau()[p], length);
            PrefixSums.Sums twin = PrefixSums.compute(heads.tau()[p], heads.perm()[p], sigma, values, p * n, length, E, null, nu[p], true);
            for (int c = 0; c < E; c++) {
                double scale = Float.MIN_NORMAL, error = 0.0;
                for (int k = 0; k <= length; k++) {
                    double expected = twin.aAt(k * E + c);
                    int slot = (p * (n + 1) + k) * BUMP_WIDTH + c;
                    scale = Math.max(scale, Math.abs(expected));
                    error = Math.max(error, Math.abs((double) scan.hi()[slot] + scan.lo()[slot] - expected));
                }
                worst = Math.max(worst, error / scale);
            }
        }
        return worst;
    }

    /** Device prefix sums of the bump's rows: hi, lo ([P, n+1, 2e]) and σ. */
    private record BumpScan(float[] hi, float[] lo, float[] sigma) {}

    /** gatherBump and the float-float scan in one graph, built with {@code flags} (null: TornadoVM's defaults). */
    private static BumpScan bumpScan(SortedHeads heads, float[] values, float[] nu, int n, String flags, ColumnLayout layout)
            throws Exception {
        int blocks = (n + PrefixSumKernels.BLOCK - 1) / PrefixSumKernels.BLOCK;
        FloatArray v = FloatArray.fromArray(values), keys = FloatArray.fromArray(heads.keys());
        IntArray index = IntArray.fromArray(heads.index());
        IntArray lengths = lengths(heads.lengths(), heads.lengths());
        FloatArray factors = factors(nu, new float[] {1, 1, 1});
        FloatArray sigma = new FloatArray(HEADS);
        FloatArray totals = new FloatArray(HEADS * blocks * BUMP_WIDTH), totalsLow = new FloatArray(HEADS * blocks * BUMP_WIDTH);
        FloatArray sums = new FloatArray(HEADS * (n + 1) * BUMP_WIDTH), sumsLow = new FloatArray(HEADS * (n + 1) * BUMP_WIDTH);
        TaskGraph graph = new TaskGraph("bumpScan" + (flags == null ? "Default" : "Exact"))
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, v, keys, index, lengths, factors)
                .task("scale", GatherKernels::scale, keys, lengths, sigma, heads.paddedN())
                .task("gather", GatherKernels::gatherBump, v, keys, index, sigma, lengths, factors, sums, n, heads.paddedN(), E);
        if (layout.columnInner()) {
            graph.task("blockTotals", CompensatedPrefixSumKernels::compensatedTotalsColumnInner, sums, totals, totalsLow, n, blocks,
                    BUMP_WIDTH);
        } else {
            graph.task("blockTotals", CompensatedPrefixSumKernels::compensatedTotals, sums, totals, totalsLow, n, blocks, BUMP_WIDTH);
        }
        graph.task("blockOffsets", CompensatedPrefixSumKernels::compensatedOffsets, totals, totalsLow, HEADS, blocks, BUMP_WIDTH);
        if (layout.columnInner()) {
            graph.task("addBack", CompensatedPrefixSumKernels::compensatedAddBackColumnInner, sums, totals, totalsLow, sumsLow, n,
                    blocks, BUMP_WIDTH);
        } else {
            graph.task("addBack", CompensatedPrefixSumKernels::compensatedAddBack, sums, totals, totalsLow, sumsLow, n, blocks, BUMP_WIDTH);
        }
        graph.transferToHost(DataTransferMode.EVERY_EXECUTION, sigma, sums, sumsLow);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            if (flags != null) {
                plan.withCompilerFlags(TornadoVMBackendType.OPENCL, flags);
            }
            plan.execute();
        }
        return new BumpScan(sums.toHeapArray(), sumsLow.toHeapArray(), sigma.toHeapArray());
    }

    /** The same rows through the ReLU kernel's float32 blocked scan (lo = 0). */
    private static BumpScan float32Scan(SortedHeads heads, float[] values, float[] nu, int n) throws Exception {
        int blocks = (n + PrefixSumKernels.BLOCK - 1) / PrefixSumKernels.BLOCK;
        FloatArray v = FloatArray.fromArray(values), keys = FloatArray.fromArray(heads.keys());
        IntArray index = IntArray.fromArray(heads.index());
        IntArray lengths = lengths(heads.lengths(), heads.lengths());
        FloatArray factors = factors(nu, new float[] {1, 1, 1});
        FloatArray sigma = new FloatArray(HEADS);
        FloatArray totals = new FloatArray(HEADS * blocks * BUMP_WIDTH), sums = new FloatArray(HEADS * (n + 1) * BUMP_WIDTH);
        TaskGraph graph = new TaskGraph("float32Scan")
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, v, keys, index, lengths, factors)
                .task("scale", GatherKernels::scale, keys, lengths, sigma, heads.paddedN())
                .task("gather", GatherKernels::gatherBump, v, keys, index, sigma, lengths, factors, sums, n, heads.paddedN(), E)
                .task("blockTotals", PrefixSumKernels::blockTotals, sums, totals, n, blocks, BUMP_WIDTH)
                .task("blockOffsets", PrefixSumKernels::blockOffsets, totals, HEADS, blocks, BUMP_WIDTH)
                .task("addBack", PrefixSumKernels::addBack, sums, totals, n, blocks, BUMP_WIDTH)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, sigma, sums);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            plan.execute();
        }
        return new BumpScan(sums.toHeapArray(), new float[sums.getSize()], sigma.toHeapArray());
    }

    /** Queries of head p: below, between, equal to and above its keys (ties included), and extremes. */
    private static float[] probeQueries(SortedHeads heads, int m, SplittableRandom random) {
        float[] queries = new float[HEADS * m];
        for (int p = 0; p < HEADS; p++) {
            float[] tau = heads.tau()[p];
            int length = heads.lengths()[p];
            float[] mine = {-Float.MAX_VALUE, tau[0], tau[length - 1], Float.MAX_VALUE, tau[length / 2], Math.nextUp(tau[length / 2]),
                    Math.nextDown(tau[length / 2]), (float) (300.0 * random.nextGaussian()), random.nextInt(7) - 3,
                    tau[length - 1] + 1.0f, tau[0] - 0.25f};
            System.arraycopy(mine, 0, queries, p * m, m);
        }
        return queries;
    }

    /** The lower bound exactly, over the first L_p keys only, for queries below, between, equal to and above the keys. */
    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 2, 5, 1000})
    void rankMatchesLowerBound(int n) throws Exception {
        SplittableRandom random = new SplittableRandom(7 + n);
        SortedHeads heads = sortedHeads(n, random);
        int m = 11;
        float[] queries = probeQueries(heads, m, random);
        FloatArray s = FloatArray.fromArray(queries), keys = FloatArray.fromArray(heads.keys());
        IntArray lengths = lengths(heads.lengths(), new int[] {m, m, m});
        IntArray rank = new IntArray(HEADS * m);
        TaskGraph graph = new TaskGraph("rank")
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, s, keys, lengths)
                .task("rank", RankKernels::ranks, s, keys, lengths, rank, m, heads.paddedN())
                .transferToHost(DataTransferMode.EVERY_EXECUTION, rank);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            plan.execute();
        }
        for (int p = 0; p < HEADS; p++) {
            for (int i = 0; i < m; i++) {
                float query = queries[p * m + i];
                assertEquals(Rank.lowerBound(heads.tau()[p], heads.lengths()[p], query), rank.get(p * m + i),
                        "rank of " + query + " in head " + p + " (" + Arrays.toString(Arrays.copyOf(heads.tau()[p], Math.min(n, 8))) + "...)");
            }
        }
    }

    /**
     * The bump's windows (l, r, h) exactly, with a bandwidth per head. The keys are such that s ± b
     * is a float32 number wherever a key could lie on it (integer keys with b = 1, all keys 0.75
     * with b = 0.25), so the device's float32 window ends and the twin's float64 ones agree.
     */
    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 2, 5, 1000})
    void windowsMatchTwin(int n) throws Exception {
        SplittableRandom random = new SplittableRandom(13 + n);
        SortedHeads heads = sortedHeads(n, random);
        int m = 11;
        float[] bandwidth = {40.0f, 1.0f, 0.25f};
        float[] queries = probeQueries(heads, m, random);
        FloatArray s = FloatArray.fromArray(queries), keys = FloatArray.fromArray(heads.keys());
        IntArray lengths = lengths(heads.lengths(), new int[] {m, m, m});
        FloatArray factors = factors(new float[] {1, 1, 1}, bandwidth);
        IntArray windows = new IntArray(3 * HEADS * m);
        TaskGraph graph = new TaskGraph("windows")
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, s, keys, lengths, factors)
                .task("windows", RankKernels::windows, s, keys, lengths, factors, windows, m, heads.paddedN())
                .transferToHost(DataTransferMode.EVERY_EXECUTION, windows);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            plan.execute();
        }
        for (int p = 0; p < HEADS; p++) {
            int[][] twin = Rank.windows(Arrays.copyOfRange(queries, p * m, (p + 1) * m), heads.tau()[p], heads.lengths()[p], bandwidth[p]);
            for (int i = 0; i < m; i++) {
                int row = p * m + i;
                int[] actual = {windows.get(3 * row), windows.get(3 * row + 1), windows.get(3 * row + 2)};
                int[] expected = {twin[0][i], twin[1][i], twin[2][i]};
                assertEquals(Arrays.toString(expected), Arrays.toString(actual),
                        "window (l, r, h) of " + queries[row] + " ± " + bandwidth[p] + " in head " + p);
            }
        }
    }

    /**
     * Given the same A, B, C (the twin's, stored in the device layout), σ, ν and ranks, the device's
     * float32 2ν·N/Z against the twin's float64 one: within 16 float32 ulps of the head's output
     * scale. Head 2 has all keys equal (Z = 0 for the query equal to them: output 0). Ragged: each
     * head uses its first L_p keys, and query rows from M_p on must be 0. With an off-centre, the
     * sums are centred by μ + off-centre instead of μ (as if μ̂ were inexact): the device's
     * re-centring by δ = A_L/L must still give the output of the exact mean.
     */
    @ParameterizedTest(name = "n = {0}, off-centre {1}")
    @CsvSource({"1, 0", "3, 0", "1000, 0", "3, 0.05", "1000, 0.05"})
    void combineMatchesTwin(int n, double offCentre) throws Exception {
        SplittableRandom random = new SplittableRandom(11 + n);
        SortedHeads heads = sortedHeads(n, random);
        int m = 40;
        int[] queryLengths = {m, 25, 1};
        float[] values = gaussian(HEADS * n * E, random, 0.5);
        float[] nu = valueScales(values, n, heads.lengths());
        float[] queries = new float[HEADS * m];
        float[] sigmas = new float[HEADS];
        int[] ranks = new int[HEADS * m];
        float[] packed = new float[HEADS * (n + 1) * WIDTH];
        PrefixSums.Sums[] twins = new PrefixSums.Sums[HEADS];
        for (int p = 0; p < HEADS; p++) {
            float[] tau = heads.tau()[p];
            int length = heads.lengths()[p];
            sigmas[p] = PrefixSums.scaleOf(tau, length);
            double[] exact = Projection.valueMean(values, p * n, length, E);
            double[] centre = exact.clone();
            for (int c = 0; c < E; c++) {
                centre[c] += offCentre;
            }
            // The expectation uses the exact mean; the device gets sums centred by `centre`.
            twins[p] = PrefixSums.compute(tau, heads.perm()[p], sigmas[p], values, p * n, length, E, exact, nu[p], false);
            PrefixSums.Sums given = PrefixSums.compute(tau, heads.perm()[p], sigmas[p], values, p * n, length, E, centre, nu[p], false);
            for (int k = 0; k <= n; k++) {
                // Rows beyond L_p hold the total, as the device scan leaves them.
                int source = Math.min(k, length);
                int row = (p * (n + 1) + k) * WIDTH;
                System.arraycopy(given.a(), source * E, packed, row, E);
                System.arraycopy(given.b(), source * E, packed, row + E, E);
                packed[row + 2 * E] = given.c()[source];
            }
            for (int i = 0; i < m; i++) {
                // Mostly inside the keys' range, some far outside, some exactly on a key.
                float query = i % 5 == 0 ? tau[random.nextInt(length)] : i % 7 == 0 ? (float) (1e4 * random.nextGaussian())
                        : p == 0 ? (float) (300.0 * random.nextGaussian()) : (float) (4.0 * random.nextDouble() - 2.0);
                queries[p * m + i] = query;
                ranks[p * m + i] = Rank.lowerBound(tau, length, query);
            }
        }
        FloatArray s = FloatArray.fromArray(queries), sigma = FloatArray.fromArray(sigmas), sums = FloatArray.fromArray(packed);
        IntArray rank = IntArray.fromArray(ranks);
        IntArray lengths = lengths(heads.lengths(), queryLengths);
        FloatArray factors = factors(nu, null);
        FloatArray out = new FloatArray(HEADS * m * E), shift = new FloatArray(HEADS * E);
        TaskGraph graph = new TaskGraph("combine")
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, s, rank, sigma, sums, lengths, factors)
                .task("residualMeans", CombineKernels::residualMeans, sums, lengths, shift, n, E)
                .task("combine", CombineKernels::combine, s, rank, sigma, sums, shift, lengths, factors, out, m, n, E)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            plan.execute();
        }
        for (int p = 0; p < HEADS; p++) {
            float[] expected = new float[m * E];
            Combine.combine(Arrays.copyOfRange(queries, p * m, p * m + queryLengths[p]), Arrays.copyOfRange(ranks, p * m, p * m + queryLengths[p]),
                    sigmas[p], twins[p], nu[p], expected, 0);
            // The output scale as ErrorMetrics defines it: the largest output, floored by 2·rms(V − μ)/(4√L)
            // where cancellation makes the exact output ~0 (head 2, all keys equal).
            int length = heads.lengths()[p];
            double[] mean = Projection.valueMean(values, p * n, length, E);
            double squares = 0.0;
            for (int j = 0; j < length * E; j++) {
                double u = values[p * n * E + j] - mean[j % E];
                squares += u * u;
            }
            double scale = 2 * Math.sqrt(squares / (length * E)) / (4.0 * Math.sqrt(length));
            for (float value : expected) {
                scale = Math.max(scale, Math.abs(value));
            }
            double allowed = 16 * Math.ulp((float) scale);
            for (int i = 0; i < m * E; i++) {
                float actual = out.get(p * m * E + i);
                double error = Math.abs(actual - expected[i]);
                if (!(error <= allowed)) fail("head " + p + ", query " + i / E + " = " + queries[p * m + i / E] + " (rank " + ranks[p * m + i / E]
                        + ", M = " + queryLengths[p] + "), column " + i % E + ": device " + actual + ", twin " + expected[i]
                        + " (error " + error + " > " + allowed + ")");
            }
        }
    }

    /**
     * The bump's combine from the twin's split prefixes (hi and lo in the device layout), windows and
     * σ, against the twin's float64 {@link Combine#bumpRow}. The device forms each window difference
     * half by half in float32 and multiplies by 1 ∓ s/b and σ/b, so the allowance is a few float32
     * roundings of the magnitudes that cancel: (1 + |s|/b)·Σ_window |U| + (σ/b)·Σ_window |τ̂·U|,
     * times ν/L. Ragged keys and queries; bandwidths per head, one wider than every head's keys.
     */
    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 3, 1000})
    void bumpCombineMatchesTwin(int n) throws Exception {
        SplittableRandom random = new SplittableRandom(17 + n);
        SortedHeads heads = sortedHeads(n, random);
        int m = 40;
        int[] queryLengths = {m, 25, 1};
        float[] bandwidth = {50.0f, 2000.0f, 0.25f};
        float[] values = gaussian(HEADS * n * E, random, 3.0);
        float[] nu = valueScales(values, n, heads.lengths());
        float[] queries = new float[HEADS * m];
        float[] sigmas = new float[HEADS];
        int[] windows = new int[3 * HEADS * m];
        float[] hi = new float[HEADS * (n + 1) * BUMP_WIDTH], lo = new float[hi.length];
        PrefixSums.Sums[] twins = new PrefixSums.Sums[HEADS];
        int[][][] twinWindows = new int[HEADS][][];
        for (int p = 0; p < HEADS; p++) {
            float[] tau = heads.tau()[p];
            int length = heads.lengths()[p];
            sigmas[p] = PrefixSums.scaleOf(tau, length);
            twins[p] = PrefixSums.compute(tau, heads.perm()[p], sigmas[p], values, p * n, length, E, null, nu[p], true);
            for (int k = 0; k <= n; k++) {
                int source = Math.min(k, length) * E;
                int row = (p * (n + 1) + k) * BUMP_WIDTH;
                System.arraycopy(twins[p].a(), source, hi, row, E);
                System.arraycopy(twins[p].b(), source, hi, row + E, E);
                System.arraycopy(twins[p].aLow(), source, lo, row, E);
                System.arraycopy(twins[p].bLow(), source, lo, row + E, E);
            }
            for (int i = 0; i < m; i++) {
                float query = i % 5 == 0 ? tau[random.nextInt(length)] : i % 7 == 0 ? (float) (1e4 * random.nextGaussian())
                        : p == 0 ? (float) (300.0 * random.nextGaussian()) : (float) (4.0 * random.nextDouble() - 2.0);
                queries[p * m + i] = query;
            }
            twinWindows[p] = Rank.windows(Arrays.copyOfRange(queries, p * m, (p + 1) * m), tau, length, bandwidth[p]);
            for (int i = 0; i < m; i++) {
                for (int w = 0; w < 3; w++) {
                    windows[3 * (p * m + i) + w] = twinWindows[p][w][i];
                }
            }
        }
        FloatArray s = FloatArray.fromArray(queries), sigma = FloatArray.fromArray(sigmas);
        FloatArray sums = FloatArray.fromArray(hi), sumsLow = FloatArray.fromArray(lo);
        IntArray window = IntArray.fromArray(windows);
        IntArray lengths = lengths(heads.lengths(), queryLengths);
        FloatArray factors = factors(nu, bandwidth);
        FloatArray out = new FloatArray(HEADS * m * E);
        TaskGraph graph = new TaskGraph("bumpCombine")
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, s, window, sigma, sums, sumsLow, lengths, factors)
                .task("combine", CombineKernels::bump, s, window, sigma, sums, sumsLow, lengths, factors, out, m, n, E)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            plan.withCompilerFlags(TornadoVMBackendType.OPENCL, ForwardPlan.EXACT_OPENCL_FLAGS);
            plan.execute();
        }
        for (int p = 0; p < HEADS; p++) {
            int length = heads.lengths()[p];
            float[] tau = heads.tau()[p];
            for (int i = 0; i < m; i++) {
                float[] expected = new float[E];
                if (i < queryLengths[p]) {
                    Combine.bumpRow(queries[p * m + i], twinWindows[p][0][i], twinWindows[p][1][i], twinWindows[p][2][i],
                            sigmas[p], bandwidth[p], twins[p], nu[p], expected, 0);
                }
                for (int c = 0; c < E; c++) {
                    double magnitude = 0.0;
                    for (int k = twinWindows[p][0][i]; k < twinWindows[p][2][i]; k++) {
                        double u = values[(p * n + heads.perm()[p][k]) * E + c] / nu[p];
                        magnitude += (1 + Math.abs(queries[p * m + i] / bandwidth[p])) * Math.abs(u)
                                + Math.abs(tau[k] / bandwidth[p] * u);
                    }
                    double allowed = 8 * 0x1p-24 * magnitude * nu[p] / length + Float.MIN_VALUE;
                    float actual = out.get((p * m + i) * E + c);
                    double error = Math.abs(actual - expected[c]);
                    if (!(error <= allowed)) fail("head " + p + ", query " + i + " = " + queries[p * m + i] + " ± " + bandwidth[p]
                            + " (window " + twinWindows[p][0][i] + ", " + twinWindows[p][1][i] + ", " + twinWindows[p][2][i] + ", L = " + length
                            + ", M = " + queryLengths[p] + "), column " + c + ": device " + actual + ", twin " + expected[c]
                            + " (error " + error + " > " + allowed + ")");
                }
            }
        }
    }
}
