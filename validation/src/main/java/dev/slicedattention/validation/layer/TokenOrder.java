package dev.slicedattention.validation.layer;

import dev.slicedattention.error.InvalidInputException;

/**
 * A padding mask [B, T] (1 = real token, 0 = padding; SPEC §4) as a reordering: per item, its real
 * tokens first in their order, then the padded ones. Moving the real tokens to the front turns an
 * arbitrary mask into the operator's ragged lengths L_b, so padded tokens are excluded as keys
 * exactly and their outputs are 0. Without a mask, every token is real and the order is the identity.
 */
public final class TokenOrder {
    private final int items, tokens;
    /** order[b·T + r] = the token at position r after reordering. */
    private final int[] order;
    private final int[] lengths;

    private TokenOrder(int items, int tokens, int[] order, int[] lengths) {
        this.items = items;
        this.tokens = tokens;
        this.order = order;
        this.lengths = lengths;
    }

    /** From a [B, T] mask of 0/1 values (null: no padding). */
    public static TokenOrder of(float[] mask, int items, int tokens) {
        int[] order = new int[items * tokens];
        int[] lengths = new int[items];
        for (int b = 0; b < items; b++) {
            int next = 0;
            for (int pass = 0; pass < 2; pass++) {
                for (int t = 0; t < tokens; t++) {
                    float value = mask == null ? 1f : mask[b * tokens + t];
                    if (value != 0f && value != 1f) {
                        throw new InvalidInputException("the mask must hold 0 (padding) or 1 (token), got " + value
                                + " at [" + b + ", " + t + "]");
                    }
                    if ((value == 1f) == (pass == 0)) {
                        order[b * tokens + next++] = t;
                    }
                }
                if (pass == 0) {
                    lengths[b] = next;
                }
            }
            if (lengths[b] == 0) {
                throw new InvalidInputException("the mask of item " + b + " has no real token: attention needs at least one");
            }
        }
        return new TokenOrder(items, tokens, order, lengths);
    }

    /** L_b: real tokens of item b. */
    public int length(int item) {
        return lengths[item];
    }

    /** The lengths per problem b·H + h (every head of an item shares its length). */
    public int[] problemLengths(int heads) {
        int[] out = new int[items * heads];
        for (int p = 0; p < out.length; p++) {
            out[p] = lengths[p / heads];
        }
        return out;
    }

    /** The token at position r of item b after reordering. */
    public int token(int item, int position) {
        return order[item * tokens + position];
    }
}
