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
