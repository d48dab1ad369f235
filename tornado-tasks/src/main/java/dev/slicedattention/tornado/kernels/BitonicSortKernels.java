package dev.slicedattention.tornado.kernels;

import java.util.ArrayList;
import java.util.List;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Stage 2, sort: a bitonic sorting network over (key, index) pairs, ordered by key and then by index
 * (so equal keys come out in index order, like the sequential {@code KeySort}).
 *
 * <p>Segmented: P heads of N = 2^b slots each lie one after another, and all heads are sorted by the
 * same launches. The direction of a compare-exchange is taken from the position <em>within the
 * head's segment</em> ({@code position & segmentMask}): at the last stage (k = N) that bit is 0 for
 * every slot, so every head ends ascending, and no comparison ever crosses a segment boundary
 * because partners differ only in bits below N.
 *
 * <p>Pass parameters (stage size k, distance j) are read from a small device {@link IntArray}
 * rather than passed as ints: TornadoVM folds scalar arguments into the compiled kernel, so int
 * arguments would mean one compilation per launch; this way each kernel compiles once and the host
 * executes a one-task graph once per launch.
 *
 * <p>Two kernels, both cutting the passes that stream every key through global memory (at n = 2^20 one
 * launch per pass was 78 launches, each reading and writing all 8 MB of pairs):
 * {@link #localPasses}, where a work-group loads a block of 2·W slots into local memory and runs all
 * passes with j ≤ W there, separated by barriers; and {@link #globalPasses}, where a work-item loads
 * 8 slots at the distances j, j/2, j/4 into private arrays and runs those three passes there (the
 * register-blocked bitonic merge: the three passes only ever compare slots that the same work-item
 * holds). A full sort ({@link #schedule}) is one local launch that sorts each block, then for each
 * larger stage k: global launches of three passes each until the distance is below the block, and
 * one local launch for the rest. At n = 2^20: 38 launches instead of 78.
 */
public final class BitonicSortKernels {
    /** Largest block a work-group sorts in local memory (two slots per work-item). */
    public static final int LOCAL_BLOCK = 512;

    /**
     * Passes of one global launch: each work-item owns 2^3 = 8 slots. Not 16: 8 slots at power-of-two
     * distances are 8 key and 8 index cache lines that map to the same L1 sets, which an 8-way cache
     * still holds for the neighbouring work-items (16 would not be; on PoCL neither was faster than
     * one pass per launch within this shared machine's noise, see docs/SORT.md).
     */
    public static final int GLOBAL_PASSES = 3;

    /** Slots a work-item of {@link #globalPasses} holds (the size of its private arrays). */
    private static final int OWNED = 1 << GLOBAL_PASSES;

    /**
     * params[0] = k of a global launch; params[1] = its largest distance j, or the largest distance of
     * a local launch's first stage; params[2..3] = (first, last) stage k of a local launch; params[4] =
     * log2 of a global launch's smallest distance j/4.
     */
    public static final int PARAM_COUNT = 5;

    /** One launch of a sort: the local kernel or the global one, with the contents of its params array. */
    public record Launch(boolean local, int[] params) {}

    /**
     * The launches that sort segments of {@code paddedN} slots (a power of two) when the local kernel
     * sorts blocks of {@code block} slots ({@code block} ≤ paddedN, a power of two ≥ 2). Every global
     * launch runs exactly {@link #GLOBAL_PASSES} passes (so the kernel's loops have fixed trip counts
     * and its private arrays can live in registers); the last one of a stage may reach below the
     * block, and the local launch then starts at the distance after it. A stage k ≥ 2·block ≥ 4 has
     * log2 k ≥ 2 passes of which the global ones are the largest; for block ≥ 4 there are always three.
     */
    public static List<Launch> schedule(int paddedN, int block) {
        List<Launch> launches = new ArrayList<>();
        launches.add(new Launch(true, new int[] {0, block / 2, 2, block, 0}));
        for (int k = 2 * block; k <= paddedN; k <<= 1) {
            launches.addAll(stage(k, block));
        }
        return launches;
    }

    /**
     * The launches of stage k alone: global launches of {@link #GLOBAL_PASSES} passes while the
     * distance is at least the block, then one local launch for the rest (for k ≤ block, that local
     * launch is the whole stage). The causal plan runs the network stage by stage with these.
     */
    public static List<Launch> stage(int k, int block) {
        List<Launch> launches = new ArrayList<>();
        int j = k >> 1;
        while (j >= block) {
            int smallest = j >> (GLOBAL_PASSES - 1);
            launches.add(new Launch(false, new int[] {k, j, 0, 0, Integer.numberOfTrailingZeros(smallest)}));
            j = smallest >> 1;
        }
        launches.add(new Launch(true, new int[] {0, j, k, k, 0}));
        return launches;
    }

    /**
     * 1 when (keyI, indexI) sorts after (keyP, indexP), else 0, in arithmetic on 0/1 ints rather than
     * {@code a > b || (a == b && i > j)}: TornadoVM 5.2's OpenCL code generator drops the negations
     * inside compound conditions (the tie test came out as {@code a != b && j >= i}), so no kernel
     * here uses {@code &&} or {@code ||}. The difference of two distinct finite floats is never 0
     * (gradual underflow), so its sign orders them; −0.0 and +0.0 tie, as in the sequential KeySort.
     * The sign comes from {@link Math#signum} rather than {@code difference > 0.0f ? 1 : 0}: TornadoVM
     * 5.2's SPIR-V backend emits a float comparison inside a conditional expression as an integer
     * comparison ({@code OpSLessThan} on floats), which is invalid SPIR-V and fails to build.
     */
    public static int order(float keyI, float keyP, int indexI, int indexP) {
        int sign = (int) Math.signum(keyI - keyP);
        int keyGreater = (sign + 1) >> 1;
        int keyLess = (1 - sign) >> 1;
        int indexGreater = indexI > indexP ? 1 : 0;
        return keyGreater + (1 - keyGreater - keyLess) * indexGreater;
    }

    /**
     * Passes j, j/2, j/4 of stage k (params, see {@link #PARAM_COUNT}) in one launch: work-item t owns
     * the 8 slots first + q·j/4, q &lt; 8, which are exactly the slots those three passes compare among
     * themselves; it loads them into private arrays, runs the three passes there and stores them back,
     * so the keys cross global memory once per three passes instead of once per pass. Why: at n = 2^20
     * the sort was 78 launches that each streamed all pairs. The trip counts are constants so that
     * TornadoVM unrolls the loops and every array index is a constant (private arrays indexed by a
     * variable live in memory, not registers). The direction is the same for all 8 slots because k
     * lies above every bit they differ in.
     */
    public static void globalPasses(FloatArray keys, IntArray index, IntArray params, int segmentMask) {
        int k = params.get(0);
        int shift = params.get(4);
        int stride = 1 << shift;
        int items = keys.getSize() / OWNED;
        for (@Parallel int t = 0; t < items; t++) {
            float[] ownKeys = new float[OWNED];
            int[] ownIndex = new int[OWNED];
            int low = t & (stride - 1);
            int first = ((t >> shift) << (shift + GLOBAL_PASSES)) + low;
            int ascending = ((first & segmentMask) & k) == 0 ? 1 : 0;
            for (int q = 0; q < OWNED; q++) {
                ownKeys[q] = keys.get(first + q * stride);
                ownIndex[q] = index.get(first + q * stride);
            }
            // The network on the owned slots, distances 4, 2, 1 (in owned positions). One loop per
            // distance, each with constant bounds: TornadoVM unrolls them and every array index becomes
            // a constant (a loop over the distance left the indices variable in the generated code).
            for (int pair = 0; pair < 4; pair++) {
                exchange(ownKeys, ownIndex, pair, pair + 4, ascending);
            }
            for (int pair = 0; pair < 4; pair++) {
                int a = ((pair >> 1) << 2) + (pair & 1);
                exchange(ownKeys, ownIndex, a, a + 2, ascending);
            }
            for (int pair = 0; pair < 4; pair++) {
                exchange(ownKeys, ownIndex, pair << 1, (pair << 1) + 1, ascending);
            }
            for (int q = 0; q < OWNED; q++) {
                keys.set(first + q * stride, ownKeys[q]);
                index.set(first + q * stride, ownIndex[q]);
            }
        }
    }

    /**
     * The compare-exchange of owned slots a &lt; b: after it they are in order (ascending = 1) or in
     * reverse order. Selects, not a branch: on unsorted keys the swap is a coin toss, so a branch
     * would mispredict half the time on a CPU device and diverge on a GPU.
     */
    private static void exchange(float[] ownKeys, int[] ownIndex, int a, int b, int ascending) {
        float keyA = ownKeys[a];
        float keyB = ownKeys[b];
        int indexA = ownIndex[a];
        int indexB = ownIndex[b];
        int swap = order(keyA, keyB, indexA, indexB) == ascending ? 1 : 0;
        ownKeys[a] = swap == 1 ? keyB : keyA;
        ownKeys[b] = swap == 1 ? keyA : keyB;
        ownIndex[a] = indexA + swap * (indexB - indexA);
        ownIndex[b] = indexB - swap * (indexB - indexA);
    }

    /**
     * Stages k = params[2] .. params[3] (doubling), each with the passes j ≤ min(W, params[1]), on
     * blocks of 2·W slots held in local memory (W = the work-group size). With stages (2, 2·W) it sorts
     * every block; with (k, k) it finishes stage k after the global launches, from the distance
     * params[1] that they left.
     */
    public static void localPasses(KernelContext context, FloatArray keys, IntArray index, IntArray params, int segmentMask) {
        float[] localKeys = context.allocateFloatLocalArray(LOCAL_BLOCK);
        int[] localIndex = context.allocateIntLocalArray(LOCAL_BLOCK);
        int t = context.localIdx;
        int width = context.localGroupSizeX;
        int base = context.groupIdx * (2 * width);
        localKeys[t] = keys.get(base + t);
        localIndex[t] = index.get(base + t);
        localKeys[t + width] = keys.get(base + t + width);
        localIndex[t + width] = index.get(base + t + width);
        // At least 2: a zero stage would never double and the loop would not end.
        int firstStage = Math.max(2, params.get(2));
        int lastStage = params.get(3);
        for (int k = firstStage; k <= lastStage; k <<= 1) {
            int j = Math.min(Math.min(k >> 1, width), params.get(1));
            while (j > 0) {
                // Every work-item must see the previous pass's swaps before it reads its pair.
                context.localBarrier();
                int low = t & (j - 1);
                int i = ((t - low) << 1) + low;
                int partner = i + j;
                int ascending = (((base + i) & segmentMask) & k) == 0 ? 1 : 0;
                float keyI = localKeys[i];
                float keyP = localKeys[partner];
                int indexI = localIndex[i];
                int indexP = localIndex[partner];
                int greater = order(keyI, keyP, indexI, indexP);
                if (greater == ascending) {
                    localKeys[i] = keyP;
                    localKeys[partner] = keyI;
                    localIndex[i] = indexP;
                    localIndex[partner] = indexI;
                }
                j >>= 1;
            }
        }
        context.localBarrier();
        keys.set(base + t, localKeys[t]);
        index.set(base + t, localIndex[t]);
        keys.set(base + t + width, localKeys[t + width]);
        index.set(base + t + width, localIndex[t + width]);
    }
}
