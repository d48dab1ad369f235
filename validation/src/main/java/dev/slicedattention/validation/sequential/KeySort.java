package dev.slicedattention.validation.sequential;

import java.util.Arrays;

/**
 * Stage 2, sort: the projected keys t in ascending order, with the permutation π that sorts them
 * (τ_k = t_π(k)). The sequential twin of the device's bitonic network.
 *
 * <p>Each (key, index) pair is packed into one {@code long} so that a primitive sort orders it: the
 * key's float bits, flipped so that signed integer order equals float order, in the high word, the
 * index in the low word. Equal keys come out in index order, so the result is deterministic.
 */
public final class KeySort {
    private KeySort() {}

    /** Sorted keys τ and the permutation π: {@code tau[k] == keys[perm[k]]}, τ ascending. */
    public record SortedKeys(float[] tau, int[] perm) {}

    public static SortedKeys sort(float[] keys) {
        long[] packed = pack(keys);
        Arrays.sort(packed);
        return unpack(packed);
    }

    /** Packs (key, index) pairs into longs whose signed order is the order of (key, index). */
    public static long[] pack(float[] keys) {
        long[] packed = new long[keys.length];
        for (int j = 0; j < keys.length; j++) {
            packed[j] = ((long) sortableBits(keys[j]) << 32) | j;
        }
        return packed;
    }

    /** Inverse of {@link #pack} on a sorted array. */
    public static SortedKeys unpack(long[] packed) {
        float[] tau = new float[packed.length];
        int[] perm = new int[packed.length];
        for (int k = 0; k < packed.length; k++) {
            perm[k] = (int) packed[k];
            tau[k] = fromSortableBits((int) (packed[k] >> 32));
        }
        return new SortedKeys(tau, perm);
    }

    /**
     * Float bits reordered so that signed int comparison matches float comparison: negative floats
     * have their magnitude bits inverted (a larger magnitude must sort lower). −0.0 becomes +0.0 first
     * so that the two zeros are one key.
     */
    public static int sortableBits(float value) {
        int bits = Float.floatToRawIntBits(value == 0.0f ? 0.0f : value);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    public static float fromSortableBits(int sortable) {
        return Float.intBitsToFloat(sortable ^ ((sortable >> 31) & 0x7fffffff));
    }
}
