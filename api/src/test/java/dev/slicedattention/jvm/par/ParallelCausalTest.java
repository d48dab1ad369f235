package dev.slicedattention.jvm.par;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.timing.Stage;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.Bandwidths;
import dev.slicedattention.validation.ErrorMetrics;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.NaiveReference;
import dev.slicedattention.validation.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The tile base case, the first merge levels and the chunk sweep of {@link ParallelCausal} at sizes
 * around the tile B and the chunk width W, ragged too.
 */
class ParallelCausalTest {
    // Three workers even on a 2-core machine, so that uneven splits of tiles and levels are exercised.
    private static final Workers WORKERS = new Workers(3);
    private static final int B = ParallelCausal.TILE;

    @AfterAll
    static void shutdown() {
        WORKERS.shutdown();
    }

    @ParameterizedTest
    @EnumSource(InputGenerator.class)
    void tilesAndTheirEdgesMatchTheNaiveReference(InputGenerator generator) {
        int[] sizes = {1, 2, B - 1, B, B + 1, 2 * B - 1, 2 * B, 2 * B + 1, 3 * B + 5};
        for (int maxChunks : new int[] {1, ParallelCausal.BUMP_CHUNKS, ParallelCausal.RELU_CHUNKS}) {
            matchesTheNaiveReference(generator, sizes, maxChunks, 3);
        }
    }

    /**
     * The sweep across chunks with the levels below them: few chunks, so that small n has several
     * chunks of several levels each (W = 128 for n up to 512 with four chunks), n at and around chunk
     * edges, a last chunk cut short, one chunk only; three workers on e = 5 columns (uneven column parts).
     */
    @ParameterizedTest
    @EnumSource(InputGenerator.class)
    void chunkSweepAndItsEdgesMatchTheNaiveReference(InputGenerator generator) {
        int[] sizes = {1, 2, 3, 4 * B - 1, 4 * B + 1, 8 * B - 1, 8 * B, 8 * B + 1, 300, 513};
        for (int maxChunks : new int[] {2, 4, 7}) {
            matchesTheNaiveReference(generator, sizes, maxChunks, 5);
        }
    }

    /**
     * The regions that run their levels depth first, and the levels above them that run breadth first:
     * with three workers a region is the widest that leaves at least twelve blocks of twice its width,
     * so n = 1000 and 2085 have regions of 64 and 128 (one and two levels inside: an odd and an even
     * count of merges), the last region cut short, levels above them up to the chunk width, the chunk
     * sweep off (1 chunk) and on (2, 3 chunks); at n = 4133 with 32 chunks the region is the chunk
     * (256: three levels inside, the top one merging nothing).
     */
    @ParameterizedTest
    @EnumSource(InputGenerator.class)
    void regionsAndTheLevelsAboveThemMatchTheNaiveReference(InputGenerator generator) {
        for (int maxChunks : new int[] {1, 2, 3}) {
            matchesTheNaiveReference(generator, new int[] {1000, 2085}, maxChunks, 3);
        }
        matchesTheNaiveReference(generator, new int[] {4133}, 32, 3);
    }

    /**
     * Windows narrower than the keys' spacing on data of scale 1e6 (the bump's b = 0.17 against
     * projections of order 1e6): every window is empty or nearly, the exact output 0 or nearly. The
     * tiles, the sweep (2 and 7 chunks) and the merge walks (1 chunk: every level a walk) must give it,
     * not the rounding of cancelled ±t·V terms times s/b (which gave 1e-1 of the error scale).
     */
    @Test
    void emptyBumpWindowsOnLargeScaleDataGiveZero() {
        for (int n : new int[] {45, 64, 1000, 2085}) {
            AttentionBatch plain = InputGenerator.LARGE_SCALE.generate(new Shape(2, n, n, 5, 4), 17L * n);
            AttentionBatch batch = plain.withOptions(AttentionOptions.bump(0.17f).causal(true));
            double[] reference = NaiveReference.attend(batch);
            for (int maxChunks : new int[] {1, 2, 7, ParallelCausal.BUMP_CHUNKS}) {
                float[] out = ParallelCausal.forward(WORKERS, batch, new StageTimes(), new Workspace(), maxChunks);
                ErrorMetrics error = ErrorMetrics.compare(out, reference, batch);
                assertTrue(error.relativeError() <= 1e-5, () -> "n = " + n + ", at most " + maxChunks + " chunks: " + error);
            }
        }
    }

    /**
     * The bump sweep's ring of waiting rows: narrow windows (a few queries between a query's edges,
     * the ring wrapping many times), the default, and windows wider than the sequence (every query
     * of a part waiting at once); three parts on three workers.
     */
    @Test
    void bumpSweepRingHoldsNarrowAndWideWindows() {
        int n = 2085;
        AttentionBatch plain = InputGenerator.GAUSSIAN.generate(new Shape(1, n, n, 5, 3), 77L);
        for (double factor : new double[] {0.01, 0.5, 100.0}) {
            AttentionBatch batch = plain.withOptions(AttentionOptions.bump(Bandwidths.relativeToKeys(plain, factor)).causal(true));
            float[] out = ParallelCausal.forward(WORKERS, batch, new StageTimes(), new Workspace(), 3);
            ErrorMetrics error = ErrorMetrics.compare(out, NaiveReference.attend(batch), batch);
            assertTrue(error.relativeError() <= 1e-5, () -> "bandwidth factor " + factor + ": " + error);
        }
    }

    /** The ring's size against a direct count: at each prefix k, the queries started (low ≤ k) less those ended (high &lt; k). */
    @Test
    void bumpRingRowsIsTheMostQueriesBetweenTheirEdges() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        for (int trial = 0; trial < 200; trial++) {
            int m = 1 + random.nextInt(60), keys = random.nextInt(80);
            int[] low = new int[m], rank = new int[m], high = new int[m];
            int l = 0;
            for (int q = 0; q < m; q++) {
                l = Math.min(keys, l + random.nextInt(3));
                low[q] = l;
                rank[q] = Math.min(keys, low[q] + random.nextInt(4));
                high[q] = Math.min(keys, rank[q] + random.nextInt(1 + random.nextInt(20)));
            }
            for (int q = 1; q < m; q++) {                       // ascending, as the sorted queries' edges are
                rank[q] = Math.max(rank[q], rank[q - 1]);
                high[q] = Math.max(high[q], high[q - 1]);
            }
            ParallelRanks.SortedRanks ranks = new ParallelRanks.SortedRanks(new int[m], new float[m], rank, low, high);
            int from = random.nextInt(m), to = from + 1 + random.nextInt(m - from);
            int expected = 1;
            for (int k = low[from]; k <= keys; k++) {
                int started = 0, ended = 0;
                for (int q = from; q < to; q++) {
                    started += low[q] <= k ? 1 : 0;
                    ended += high[q] < k ? 1 : 0;
                }
                expected = Math.max(expected, started - ended);
            }
            assertEquals(expected, CausalChunkSweep.bumpRingRows(ranks, from, to), "trial " + trial);
        }
    }

    @Test
    void regionWidthLeavesAboutFourRegionsPerWorkerAndStaysWithinTheTop() {
        assertEquals(2 * B, ParallelCausal.regionWidth(1000, 1024, 3));
        assertEquals(4 * B, ParallelCausal.regionWidth(2085, 4096, 3));
        assertEquals(8 * B, ParallelCausal.regionWidth(4133, 8192, 3));
        assertEquals(8 * B, ParallelCausal.regionWidth(4133, 256, 3), "never wider than the chunk");
        assertEquals(4096, ParallelCausal.regionWidth(1 << 20, 4096, 2), "at 2^20 a region is a chunk");
        assertEquals(B, ParallelCausal.regionWidth(1 << 20, B, 2));
        assertEquals(B, ParallelCausal.regionWidth(1, 1, 2));
    }

    @Test
    void chunkWidthIsTheSmallestPowerOfTwoFromTheTileWithAtMostMaxChunks() {
        assertEquals(B, ParallelCausal.chunkWidth(1, 4));
        assertEquals(B, ParallelCausal.chunkWidth(4 * B, 4));
        assertEquals(2 * B, ParallelCausal.chunkWidth(4 * B + 1, 4));
        assertEquals(4 * B, ParallelCausal.chunkWidth(300, 4));
        assertEquals(512, ParallelCausal.chunkWidth(300, 1));
        assertEquals(4096, ParallelCausal.chunkWidth(1 << 20, 256));
    }

    /** The tree's sums below a chunk against the keys' sums recomputed directly, on random keys and chunks. */
    @Test
    void fenwickTreeSumsBelowEachChunkMatchDirectSums() {
        SplittableRandom random = new SplittableRandom(5);
        for (int chunks : new int[] {1, 2, 3, 7, 8, 13}) {
            int columns = 3, keys = 40;
            ChunkFenwickTree tree = new ChunkFenwickTree(chunks, columns);
            float[] values = new float[keys * columns];
            int[] chunkOf = new int[keys];
            double[] t = new double[keys];
            for (int k = 0; k < keys; k++) {
                chunkOf[k] = random.nextInt(chunks);
                t[k] = random.nextDouble(-2, 2);
                for (int c = 0; c < columns; c++) {
                    values[k * columns + c] = (float) random.nextDouble(-1, 1);
                }
                tree.add(chunkOf[k], values, k * columns, t[k]);
                for (int chunk = 0; chunk <= chunks; chunk++) {
                    double alpha = 0.75, beta = -1.5, s = 0.3;
                    double[] expected = new double[columns], out = {1.0, 2.0, 3.0};
                    double distances = 0.0;
                    for (int j = 0; j <= k; j++) {
                        if (chunkOf[j] < chunk) {
                            distances += s - t[j];
                            for (int c = 0; c < columns; c++) {
                                expected[c] += alpha * values[j * columns + c] + beta * t[j] * values[j * columns + c];
                            }
                        }
                    }
                    tree.foldBelow(chunk, alpha, beta, out);
                    for (int c = 0; c < columns; c++) {
                        assertEquals(c + 1.0 + expected[c], out[c], 1e-12, "column " + c + " below chunk " + chunk);
                    }
                    assertEquals(distances, tree.distancesBelow(chunk, s), 1e-12, "distances below chunk " + chunk);
                }
            }
        }
    }

    /**
     * The large size: n = 2^20, where the sweep, the regions of a chunk's width and the combine
     * inside them all run as in the bench, against the float64 sequential twin (the naive reference
     * is out of reach there). d = 8 and e = 16 keep the twin's Fenwick tree at 256 MiB.
     */
    @Test
    void matchesTheFloat64TwinAt2p20() {
        int n = 1 << 20;
        AttentionBatch plain = InputGenerator.GAUSSIAN.generate(new Shape(1, n, n, 8, 16), 2020L);
        for (boolean bump : new boolean[] {false, true}) {
            AttentionOptions kernel = bump ? AttentionOptions.bump(Bandwidths.relativeToKeys(plain, 0.5)) : AttentionOptions.relu();
            AttentionBatch batch = plain.withOptions(kernel.causal(true));
            float[] out = ParallelCausal.forward(WORKERS, batch, new StageTimes(), new Workspace());
            ErrorMetrics error = ErrorMetrics.compare(out, dev.slicedattention.validation.sequential.CausalPipeline.forward64(batch), batch);
            assertTrue(error.relativeError() <= 1e-5, () -> (bump ? "bump" : "relu") + " at 2^20: " + error);
        }
    }

    /**
     * One workspace across calls whose sizes shrink and grow, both kernels, with and without the sweep
     * (so with the combine in the regions and after them): its arrays hold the last call's contents,
     * and every call must give, bit for bit, what a fresh workspace gives.
     */
    @Test
    void aReusedWorkspaceGivesWhatAFreshOneGives() {
        Workspace reused = new Workspace();
        int[] sizes = {4096, 1000, 77, 2085, 4096};
        for (int n : sizes) {
            AttentionBatch plain = InputGenerator.GAUSSIAN.generate(new Shape(1, n, n, 5, 4), 11L * n);
            for (boolean bump : new boolean[] {true, false}) {
                AttentionOptions kernel = bump ? AttentionOptions.bump(Bandwidths.relativeToKeys(plain, 0.5)) : AttentionOptions.relu();
                AttentionBatch batch = plain.withOptions(kernel.causal(true));
                for (int maxChunks : new int[] {ParallelCausal.BUMP_CHUNKS, 1}) {
                    float[] fresh = ParallelCausal.forward(WORKERS, batch, new StageTimes(), new Workspace(), maxChunks);
                    float[] again = ParallelCausal.forward(WORKERS, batch, new StageTimes(), reused, maxChunks);
                    assertTrue(java.util.Arrays.equals(fresh, again), () -> "n = " + n + (bump ? " bump" : " relu") + ", at most " + maxChunks + " chunks");
                }
            }
        }
    }

    private static void matchesTheNaiveReference(InputGenerator generator, int[] sizes, int maxChunks, int e) {
        for (int n : sizes) {
            for (int heads : new int[] {1, 3}) {
                AttentionBatch plain = generator.generate(new Shape(heads, n, n, 5, e), 31L * n + heads);
                // Ragged: key and query lengths on both sides of a tile edge, and different from each other.
                int[] keys = new int[heads], queries = new int[heads];
                for (int p = 0; p < heads; p++) {
                    keys[p] = Math.max(1, Math.min(n, n - (p == 1 ? 2 : 1)));
                    queries[p] = Math.max(1, Math.min(n, p == 2 ? n / 2 + 1 : n - 1));
                }
                for (boolean bump : new boolean[] {false, true}) {
                    AttentionOptions kernel = bump ? AttentionOptions.bump(Bandwidths.relativeToKeys(plain, 0.5)) : AttentionOptions.relu();
                    for (AttentionOptions options : new AttentionOptions[] {kernel, kernel.withKeyLengths(keys).withQueryLengths(queries)}) {
                        AttentionBatch batch = plain.withOptions(options.causal(true));
                        StageTimes times = new StageTimes();
                        float[] out = ParallelCausal.forward(WORKERS, batch, times, new Workspace(), maxChunks);
                        for (int k = 0; k < out.length; k++) {
                            assertTrue(Float.isFinite(out[k]), "non-finite output at " + k + " for " + batch);
                        }
                        ErrorMetrics error = ErrorMetrics.compare(out, NaiveReference.attend(batch), batch);
                        assertTrue(error.relativeError() <= 1e-5, () -> generator + " " + batch + " at most " + maxChunks + " chunks: " + error);
                        assertTrue(times.nanos(Stage.PREFIX_SUM) > 0, "the sums' stage time is recorded");
                    }
                }
            }
        }
    }
}
