package dev.slicedattention.validation;

import dev.slicedattention.error.InvalidInputException;

/**
 * The last guard of SPEC §6: finite input never gives a non-finite output. Every backend scales V
 * by a power of two before any sum and multiplies the result back at the very end, so an output
 * entry can only be ±∞ when the true result lies beyond float32's range (|O| &gt; 3.4e38: possible
 * when |V| comes within a factor 2–4 of float32's maximum). Such a result is refused, naming the
 * first entry, before anything is written.
 */
public final class OutputRange {
    private OutputRange() {}

    /** Refuses an output [P, m, e] that holds a non-finite entry. */
    public static void requireFinite(float[] out, int heads, int m, int e) {
        int i = FiniteCheck.firstNonFinite(out);
        if (i >= 0) {
            int[] shape = {heads, m, e};
            throw new InvalidInputException("the output at " + FiniteCheck.formatIndex(i, shape)
                    + " cannot be represented in float32 (its magnitude exceeds " + Float.MAX_VALUE
                    + "): V's values are too close to float32's limit; scale V down and the output scales with it");
        }
    }
}
