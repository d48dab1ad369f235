package dev.slicedattention.tornado.coalescing;

import dev.slicedattention.tornado.kernels.BitonicSortKernels;
import dev.slicedattention.tornado.kernels.CausalKernels;
import dev.slicedattention.tornado.kernels.ProjectionKernels;
import java.util.SplittableRandom;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The causal pass's own launches, in CausalPlan's order and with its sizes (THETA source, one head):
 * the projection with σ and the tiles, the sort stage by stage, and at each level the scan, its
 * offsets and the level kernel, then the combine. The forward kernels it shares are measured by
 * {@link ForwardScenario}; here they run only to give the causal kernels their data.
 */
public final class CausalScenario {
    /** n: 2^12, so that the offsets' inner dimension (n / 256 chunks) is half a warp; 7 levels. */
    public static final int N = 4096;

    /** Runs every launch of one causal call through {@code launcher}; stage "causal". */
    public void run(Launcher launcher, boolean bump, long seed) {
        int heads = 1, n = N, d = ForwardScenario.D, e = ForwardScenario.E;
        SplittableRandom random = new SplittableRandom(seed);
        int paddedN = Math.max(2, Integer.highestOneBit(n - 1) << 1);
        int block = Math.min(BitonicSortKernels.LOCAL_BLOCK, paddedN);
        int tile = Math.min(Math.min(CausalKernels.TILE, BitonicSortKernels.LOCAL_BLOCK), paddedN);
        int segmentMask = paddedN - 1;
        int chunk = Math.min(CausalKernels.CHUNK, paddedN);
        int width = bump ? 2 * e : 2 * e + 1;
        int accWidth = bump ? e : CausalKernels.reluWidth(e);
        int meanChunks = (n + ProjectionKernels.MEAN_CHUNK - 1) / ProjectionKernels.MEAN_CHUNK;
        String stage = "causal";

        FloatArray q = launcher.name(ForwardScenario.randoms(heads * n * d, random), "q");
        FloatArray k = launcher.name(ForwardScenario.randoms(heads * n * d, random), "k");
        FloatArray v = launcher.name(ForwardScenario.randoms(heads * n * e, random), "v");
        FloatArray theta = launcher.name(ForwardScenario.randoms(heads * d, random), "theta");
        IntArray lengths = launcher.name(IntArray.fromElements(n, n), "lengths");
        FloatArray factors = launcher.name(FloatArray.fromElements(1.0f, 1.0f, 0.25f), "factors");
        FloatArray keys = launcher.name(new FloatArray(heads * paddedN), "keys");
        IntArray index = launcher.name(new IntArray(heads * paddedN), "index");
        FloatArray sigma = launcher.name(new FloatArray(heads), "sigma");
        FloatArray acc = launcher.name(new FloatArray(heads * n * accWidth), "acc");
        FloatArray blockTotals = bump ? null : launcher.name(new FloatArray(heads * (paddedN / tile) * (e + 1)), "blockTotals");
        FloatArray table = launcher.name(new FloatArray(heads * paddedN * width), "table");
        FloatArray totals = launcher.name(new FloatArray(heads * paddedN / chunk * width), "totals");
        FloatArray tableLow = bump ? launcher.name(new FloatArray(table.getSize()), "tableLow") : null;
        FloatArray totalsLow = bump ? launcher.name(new FloatArray(totals.getSize()), "totalsLow") : null;
        FloatArray out = launcher.name(new FloatArray(heads * n * e), "out");
        FloatArray centre = launcher.name(new FloatArray(heads * d), "centre");
        FloatArray keyPartials = launcher.name(new FloatArray(heads * meanChunks * d), "keyPartials");
        FloatArray s = launcher.name(new FloatArray(heads * n), "s");
        IntArray levelParams = launcher.name(new IntArray(1), "levelParams");

        // The forward's projection, not recorded: its kernels are ForwardScenario's.
        Launcher quiet = new Launcher();
        quiet.parallel(stage, ProjectionKernels.class, "columnPartials", k, lengths, keyPartials, n, d, meanChunks);
        quiet.parallel(stage, ProjectionKernels.class, "meansOfPartials", keyPartials, lengths, centre, d, meanChunks);
        quiet.parallel(stage, ProjectionKernels.class, "projectQueries", q, theta, centre, s, n, d);
        quiet.parallel(stage, ProjectionKernels.class, "projectKeys", k, theta, centre, lengths, keys, index, n, paddedN, d);
        FloatArray mu = null;
        if (bump) {
            launcher.parallel(stage, CausalKernels.class, "keyScale", keys, lengths, sigma, paddedN);
            launcher.parallel(stage, CausalKernels.class, "bumpTile", s, keys, v, lengths, factors, acc, n, paddedN, e, tile);
        } else {
            mu = launcher.name(new FloatArray(heads * e), "mu");
            FloatArray valuePartials = launcher.name(new FloatArray(heads * meanChunks * e), "valuePartials");
            quiet.parallel(stage, ProjectionKernels.class, "scaledColumnPartials", v, lengths, factors, valuePartials, n, e, meanChunks);
            quiet.parallel(stage, ProjectionKernels.class, "meansOfPartials", valuePartials, lengths, mu, e, meanChunks);
            launcher.parallel(stage, CausalKernels.class, "keyScale", keys, lengths, sigma, paddedN);
            launcher.parallel(stage, CausalKernels.class, "reluTile", s, keys, v, mu, sigma, lengths, factors, acc, blockTotals, n,
                    paddedN, e, tile);
        }
        IntArray params = launcher.name(new IntArray(BitonicSortKernels.PARAM_COUNT), "params");
        sort(quiet, new BitonicSortKernels.Launch(true, new int[] {0, tile / 2, 2, tile, 0}), params, keys, index, heads * paddedN,
                block, segmentMask);
        for (int w = tile; w < paddedN; w <<= 1) {
            if (w > tile) {
                for (BitonicSortKernels.Launch launch : BitonicSortKernels.stage(w, block)) {
                    sort(quiet, launch, params, keys, index, heads * paddedN, block, segmentMask);
                }
            }
            levelParams.set(0, w);
            if (bump) {
                launcher.parallel(stage, CausalKernels.class, "bumpTotals", keys, index, v, sigma, lengths, factors, levelParams, totals,
                        totalsLow, n, paddedN, e, chunk);
                launcher.parallel(stage, CausalKernels.class, "bumpOffsets", totals, totalsLow, levelParams, paddedN, chunk, width);
                launcher.parallel(stage, CausalKernels.class, "bumpScan", keys, index, v, sigma, lengths, factors, levelParams, totals,
                        totalsLow, table, tableLow, n, paddedN, e, chunk);
                launcher.parallel(stage, CausalKernels.class, "bumpLevel", s, keys, lengths, sigma, table, tableLow, factors, levelParams,
                        acc, n, paddedN, e);
            } else {
                launcher.parallel(stage, CausalKernels.class, "reluChunkScan", keys, index, v, mu, sigma, lengths, factors, levelParams,
                        totals, table, blockTotals, n, paddedN, e, chunk, tile);
                launcher.parallel(stage, CausalKernels.class, "offsets", totals, levelParams, blockTotals, paddedN, chunk, width, e, tile);
                launcher.parallel(stage, CausalKernels.class, "reluLevel", s, keys, lengths, levelParams, table, totals, acc, n, paddedN, e,
                        chunk);
            }
        }
        if (bump) {
            launcher.parallel(stage, CausalKernels.class, "bumpCombine", acc, lengths, factors, out, n, e);
        } else {
            launcher.parallel(stage, CausalKernels.class, "reluCombine", s, sigma, acc, blockTotals, lengths, factors, out, n, paddedN,
                    e, tile);
        }
    }

    private static void sort(Launcher launcher, BitonicSortKernels.Launch launch, IntArray params, FloatArray keys, IntArray index,
                             int slots, int block, int segmentMask) {
        for (int i = 0; i < BitonicSortKernels.PARAM_COUNT; i++) {
            params.set(i, launch.params()[i]);
        }
        if (launch.local()) {
            launcher.context("causal", BitonicSortKernels.class, "localPasses", slots / 2, 1, block / 2, 1, Launcher.anyContext(), keys,
                    index, params, segmentMask);
        } else {
            launcher.parallel("causal", BitonicSortKernels.class, "globalPasses", keys, index, params, segmentMask);
        }
    }
}
