package dev.slicedattention.tornado.kernels;

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
 * arguments would mean one compilation per pass; this way each kernel compiles once and the host
 * executes a one-task graph once per pass.
 *
 * <p>Two kernels: {@link #globalPass} (one compare-exchange per work-item, any distance j, reads and
 * writes global memory), and {@link #localPasses} (a work-group loads a block of 2·W slots into
 * local memory and runs all passes with j ≤ W there, separated by barriers). A full sort is one
 * local launch that sorts each block, then for each larger stage k: global passes for j ≥ 2·W and
 * one local launch for the rest.
 */
public final class BitonicSortKernels {
    /** Largest block a work-group sorts in local memory (two slots per work-item). */
    public static final int LOCAL_BLOCK = 512;

    /** params[0..1] = (k, j) of a global pass; params[2..3] = (first, last) stage k of a local launch. */
    public static final int PARAM_COUNT = 4;

    private BitonicSortKernels() {}

    /**
     * 1 when (keyI, indexI) sorts after (keyP, indexP), else 0, in arithmetic on 0/1 ints rather than
     * {@code a > b || (a == b && i > j)}: TornadoVM 5.2's OpenCL code generator drops the negations
     * inside compound conditions (the tie test came out as {@code a != b && j >= i}), so no kernel
     * here uses {@code &&} or {@code ||}. The difference of two distinct finite floats is never 0
     * (gradual underflow), so its sign orders them; −0.0 and +0.0 tie, as in the sequential KeySort.
     */
    public static int order(float keyI, float keyP, int indexI, int indexP) {
        float difference = keyI - keyP;
        int keyGreater = difference > 0.0f ? 1 : 0;
        int keyLess = difference < 0.0f ? 1 : 0;
        int indexGreater = indexI > indexP ? 1 : 0;
        return keyGreater + (1 - keyGreater - keyLess) * indexGreater;
    }

    /** One global pass (k, j): work-item t compares slot i and i + j, where i has bit j clear. */
    public static void globalPass(FloatArray keys, IntArray index, IntArray params, int segmentMask) {
        int k = params.get(0);
        int j = params.get(1);
        int pairs = keys.getSize() / 2;
        for (@Parallel int t = 0; t < pairs; t++) {
            int low = t & (j - 1);
            int i = ((t - low) << 1) + low;
            int partner = i + j;
            int ascending = ((i & segmentMask) & k) == 0 ? 1 : 0;
            float keyI = keys.get(i);
            float keyP = keys.get(partner);
            int indexI = index.get(i);
            int indexP = index.get(partner);
            int greater = order(keyI, keyP, indexI, indexP);
            if (greater == ascending) {
                keys.set(i, keyP);
                keys.set(partner, keyI);
                index.set(i, indexP);
                index.set(partner, indexI);
            }
        }
    }

    /**
     * Stages k = params[2] .. params[3] (doubling), each with the passes j ≤ W, on blocks of 2·W
     * slots held in local memory (W = the work-group size). With params = (2, 2·W) it sorts every
     * block; with params = (k, k) it finishes stage k after the global passes.
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
            int j = Math.min(k >> 1, width);
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
