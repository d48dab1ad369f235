package dev.slicedattention.jvm.par;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The tile base case and the first merge levels of {@link ParallelCausal} at sizes around the tile B, ragged too. */
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
        for (int n : sizes) {
            for (int heads : new int[] {1, 3}) {
                AttentionBatch plain = generator.generate(new Shape(heads, n, n, 5, 3), 31L * n + heads);
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
                        float[] out = ParallelCausal.forward(WORKERS, batch, times);
                        for (int k = 0; k < out.length; k++) {
                            assertTrue(Float.isFinite(out[k]), "non-finite output at " + k + " for " + batch);
                        }
                        ErrorMetrics error = ErrorMetrics.compare(out, NaiveReference.attend(batch), batch);
                        assertTrue(error.relativeError() <= 1e-5, () -> generator + " " + batch + ": " + error);
                        assertTrue(times.nanos(Stage.PREFIX_SUM) > 0, "the sums' stage time is recorded");
                    }
                }
            }
        }
    }
}
