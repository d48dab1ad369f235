package dev.slicedattention.tornado.coalescing;

import dev.slicedattention.tornado.graphs.ColumnLayout;
import dev.slicedattention.tornado.kernels.BitonicSortKernels;
import dev.slicedattention.tornado.kernels.CombineKernels;
import dev.slicedattention.tornado.kernels.CompensatedPrefixSumKernels;
import dev.slicedattention.tornado.kernels.GatherKernels;
import dev.slicedattention.tornado.kernels.PrefixSumKernels;
import dev.slicedattention.tornado.kernels.ProjectionKernels;
import dev.slicedattention.tornado.kernels.RankKernels;
import java.util.SplittableRandom;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The forward pass's launches, in ForwardPlan's order and with its array sizes and arguments (THETA
 * source, one head), on random Q, K, V, θ: every kernel of the five stages, for the ReLU or the bump.
 * The sizes are the smallest at which each 2-D launch's inner dimension still spans a whole warp
 * (n / 256 = 32 blocks of the scan and of the column means), so that a warp looks as it does at n = 2^20.
 */
public final class ForwardScenario {
    public static final int N = 8192;
    public static final int D = 64;
    public static final int E = 64;

    /** The keys after the sort, to check that the simulated launches computed what the device would. */
    private FloatArray sortedKeys;
    private IntArray sortedIndex;

    public FloatArray sortedKeys() {
        return sortedKeys;
    }

    public IntArray sortedIndex() {
        return sortedIndex;
    }

    /** Runs every launch of one forward call through {@code launcher}, the 2-D kernels in {@code layout}'s loop order. */
    public void run(Launcher launcher, boolean bump, ColumnLayout layout, long seed) {
        boolean inner = layout == ColumnLayout.COLUMN_INNER;
        int heads = 1, n = N, m = N, d = D, e = E;
        SplittableRandom random = new SplittableRandom(seed);
        int paddedN = Math.max(2, Integer.highestOneBit(n - 1) << 1);
        int block = Math.min(BitonicSortKernels.LOCAL_BLOCK, paddedN);
        int segmentMask = paddedN - 1;
        int width = bump ? 2 * e : 2 * e + 1;
        int blocks = (n + PrefixSumKernels.BLOCK - 1) / PrefixSumKernels.BLOCK;
        int chunks = (n + ProjectionKernels.MEAN_CHUNK - 1) / ProjectionKernels.MEAN_CHUNK;

        FloatArray q = launcher.name(randoms(heads * m * d, random), "q");
        FloatArray k = launcher.name(randoms(heads * n * d, random), "k");
        FloatArray v = launcher.name(randoms(heads * n * e, random), "v");
        FloatArray theta = launcher.name(randoms(heads * d, random), "theta");
        IntArray lengths = launcher.name(IntArray.fromElements(n, m), "lengths");
        FloatArray factors = launcher.name(FloatArray.fromElements(1.0f, 1.0f, 0.25f), "factors");
        FloatArray keys = launcher.name(new FloatArray(heads * paddedN), "keys");
        IntArray index = launcher.name(new IntArray(heads * paddedN), "index");
        FloatArray sigma = launcher.name(new FloatArray(heads), "sigma");
        FloatArray totals = launcher.name(new FloatArray(heads * blocks * width), "totals");
        FloatArray sums = launcher.name(new FloatArray(heads * (n + 1) * width), "sums");
        FloatArray out = launcher.name(new FloatArray(heads * m * e), "out");
        FloatArray centre = launcher.name(new FloatArray(heads * d), "centre");
        FloatArray keyPartials = launcher.name(new FloatArray(heads * chunks * d), "keyPartials");
        FloatArray s = launcher.name(new FloatArray(heads * m), "s");

        String projection = "projection";
        // The given-scalars front's only kernel, on arrays of its own (the THETA front below fills keys and index).
        launcher.parallel(projection, ProjectionKernels.class, "givenKeys", launcher.name(randoms(heads * n, random), "t"), lengths,
                launcher.name(new FloatArray(heads * paddedN), "keys"), launcher.name(new IntArray(heads * paddedN), "index"), n, paddedN);
        launcher.parallel(projection, ProjectionKernels.class, inner ? "columnPartialsColumnInner" : "columnPartials", k, lengths, keyPartials, n, d, chunks);
        launcher.parallel(projection, ProjectionKernels.class, "meansOfPartials", keyPartials, lengths, centre, d, chunks);
        FloatArray mu = null;
        if (!bump) {
            mu = launcher.name(new FloatArray(heads * e), "mu");
            FloatArray valuePartials = launcher.name(new FloatArray(heads * chunks * e), "valuePartials");
            launcher.parallel(projection, ProjectionKernels.class, inner ? "scaledColumnPartialsColumnInner" : "scaledColumnPartials", v, lengths, factors, valuePartials, n, e, chunks);
            launcher.parallel(projection, ProjectionKernels.class, "meansOfPartials", valuePartials, lengths, mu, e, chunks);
            launcher.parallel(projection, ProjectionKernels.class, "projectQueries", q, theta, centre, s, m, d);
            launcher.parallel(projection, ProjectionKernels.class, "projectKeys", k, theta, centre, lengths, keys, index, n, paddedN, d);
        } else {
            launcher.parallel(projection, ProjectionKernels.class, "projectQueriesCompensated", q, theta, centre, s, m, d);
            launcher.parallel(projection, ProjectionKernels.class, "projectKeysCompensated", k, theta, centre, lengths, keys, index,
                    n, paddedN, d);
        }

        IntArray params = launcher.name(new IntArray(BitonicSortKernels.PARAM_COUNT), "params");
        for (BitonicSortKernels.Launch launch : BitonicSortKernels.schedule(paddedN, block)) {
            for (int i = 0; i < BitonicSortKernels.PARAM_COUNT; i++) {
                params.set(i, launch.params()[i]);
            }
            if (launch.local()) {
                launcher.context("sort", BitonicSortKernels.class, "localPasses", heads * paddedN / 2, 1, block / 2, 1,
                        Launcher.anyContext(), keys, index, params, segmentMask);
            } else {
                launcher.parallel("sort", BitonicSortKernels.class, "globalPasses", keys, index, params, segmentMask);
            }
        }
        sortedKeys = copy(keys);
        sortedIndex = IntArray.fromArray(index.toHeapArray());

        String prefix = "prefix-sum";
        launcher.parallel(prefix, GatherKernels.class, "scale", keys, lengths, sigma, paddedN);
        if (bump) {
            FloatArray totalsLow = launcher.name(new FloatArray(heads * blocks * width), "totalsLow");
            FloatArray sumsLow = launcher.name(new FloatArray(heads * (n + 1) * width), "sumsLow");
            IntArray windows = launcher.name(new IntArray(3 * heads * m), "windows");
            launcher.parallel(prefix, GatherKernels.class, "gatherBump", v, keys, index, sigma, lengths, factors, sums, n, paddedN, e);
            launcher.parallel(prefix, CompensatedPrefixSumKernels.class, inner ? "compensatedTotalsColumnInner" : "compensatedTotals", sums, totals, totalsLow, n, blocks, width);
            launcher.parallel(prefix, CompensatedPrefixSumKernels.class, "compensatedOffsets", totals, totalsLow, heads, blocks, width);
            launcher.parallel(prefix, CompensatedPrefixSumKernels.class, inner ? "compensatedAddBackColumnInner" : "compensatedAddBack", sums, totals, totalsLow, sumsLow, n,
                    blocks, width);
            launcher.parallel("rank", RankKernels.class, "windows", s, keys, lengths, factors, windows, m, paddedN);
            launcher.parallel("combine", CombineKernels.class, "bump", s, windows, sigma, sums, sumsLow, lengths, factors, out, m, n, e);
        } else {
            IntArray rank = launcher.name(new IntArray(heads * m), "rank");
            FloatArray shift = launcher.name(new FloatArray(heads * e), "shift");
            launcher.parallel(prefix, GatherKernels.class, "gather", v, mu, keys, index, sigma, lengths, factors, sums, n, paddedN, e);
            launcher.parallel(prefix, PrefixSumKernels.class, inner ? "blockTotalsColumnInner" : "blockTotals", sums, totals, n, blocks, width);
            launcher.parallel(prefix, PrefixSumKernels.class, "blockOffsets", totals, heads, blocks, width);
            launcher.parallel(prefix, PrefixSumKernels.class, inner ? "addBackColumnInner" : "addBack", sums, totals, n, blocks, width);
            launcher.parallel(prefix, CombineKernels.class, "residualMeans", sums, lengths, shift, n, e);
            launcher.parallel("rank", RankKernels.class, "ranks", s, keys, lengths, rank, m, paddedN);
            launcher.parallel("combine", CombineKernels.class, "combine", s, rank, sigma, sums, shift, lengths, factors, out, m, n, e);
        }
    }

    static FloatArray randoms(int count, SplittableRandom random) {
        FloatArray values = new FloatArray(count);
        for (int i = 0; i < count; i++) {
            values.set(i, (float) random.nextDouble(-1.0, 1.0));
        }
        return values;
    }

    private static FloatArray copy(FloatArray values) {
        return FloatArray.fromArray(values.toHeapArray());
    }
}
