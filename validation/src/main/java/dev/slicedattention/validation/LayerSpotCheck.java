package dev.slicedattention.validation;

import dev.slicedattention.error.ResultMismatchException;
import dev.slicedattention.validation.layer.LayerReference;
import dev.slicedattention.validation.layer.LayerWeights;
import dev.slicedattention.validation.layer.TokenOrder;
import dev.slicedattention.validation.projection.HeadLayout;
import java.util.Arrays;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * {@link SpotCheck} for an attention layer computed on a device from end to end (dense stages,
 * projection and kernel there): one item drawn at random per call, a few of its tokens (and one padded
 * token when it has any), recomputed by {@link LayerReference} in float64 — the item's dense stages
 * and projections in full, as the keys need them, the kernel for the drawn tokens only — and
 * compared within {@link #DEVICE_TOLERANCE}. The scale is the drawn rows' largest reference value
 * or the item's largest output, whichever is larger, the latter capped by what a correct output can
 * reach ({@link LayerReference.Rows#bound()}).
 */
public final class LayerSpotCheck {
    /** SPEC §6's target for a device against the float64 reference, which the layer's device tests hold it to. */
    public static final double DEVICE_TOLERANCE = 3e-5;

    private final int item, tokens, hidden;
    private final int[] checked;
    private final double[] expected;
    private final double bound;

    private LayerSpotCheck(int item, int tokens, int hidden, int[] checked, double[] expected, double bound) {
        this.item = item;
        this.tokens = tokens;
        this.hidden = hidden;
        this.checked = checked;
        this.expected = expected;
        this.bound = bound;
    }

    /**
     * Draws the item and {@code queries} of its tokens with {@code random} and computes their rows.
     *
     * @param x    hidden states [B, T, hidden]
     * @param mask [B, T] of 0/1, or null
     */
    public static LayerSpotCheck expect(float[] x, int items, int tokens, LayerWeights weights, boolean rope, HeadLayout layout,
                                        float[] mask, boolean causal, int queries, RandomGenerator random) {
        int hidden = weights.hidden();
        int item = random.nextInt(items);
        float[] itemX = Arrays.copyOfRange(x, item * tokens * hidden, (item + 1) * tokens * hidden);
        float[] itemMask = mask == null ? null : Arrays.copyOfRange(mask, item * tokens, (item + 1) * tokens);
        TokenOrder order = TokenOrder.of(itemMask, 1, tokens);
        int[] positions = SpotCheck.pick(order.length(0), tokens, queries, random);
        int[] checked = new int[positions.length];
        boolean[] wanted = new boolean[tokens];
        for (int i = 0; i < positions.length; i++) {
            checked[i] = order.token(0, positions[i]);
            wanted[checked[i]] = true;
        }
        LayerReference.Rows rows = LayerReference.forward(itemX, 1, tokens, weights, rope, layout, itemMask, causal, wanted);
        return new LayerSpotCheck(item, tokens, hidden, checked, rows.output(), rows.bound());
    }

    /** Fails with a {@link ResultMismatchException} when the drawn rows of {@code output} [B, T, hidden] are wrong. */
    public void judge(float[] output, String device) {
        int first = item * tokens * hidden;
        double largest = 0.0;
        for (int i = first; i < first + tokens * hidden; i++) {
            largest = Math.max(largest, Math.abs(output[i]));   // NaN is skipped here; the comparison below catches it
        }
        double worst = 0.0, referenceMax = 0.0;
        int worstToken = -1, worstColumn = -1;
        for (int token : checked) {
            for (int c = 0; c < hidden; c++) {
                double reference = expected[token * hidden + c];
                double error = Math.abs(output[first + token * hidden + c] - reference);
                referenceMax = Math.max(referenceMax, Math.abs(reference));
                if (!(error <= worst)) {
                    worst = Double.isNaN(error) ? Double.POSITIVE_INFINITY : error;
                    worstToken = token;
                    worstColumn = c;
                }
            }
        }
        double scale = Math.max(referenceMax, Math.min(largest, bound));
        double relative = scale == 0.0 ? (worst == 0.0 ? 0.0 : Double.POSITIVE_INFINITY) : worst / scale;
        if (!(relative <= DEVICE_TOLERANCE)) {
            throw new ResultMismatchException(String.format(Locale.ROOT,
                    "the spot check of %s's layer result failed: item %d, token %d, column %d: expected %.9g (float64 reference), "
                            + "found %.9g; relative error %.2e > tolerance %.2e. The result was not used; run the layer on "
                            + "another backend",
                    device, item, worstToken, worstColumn, expected[worstToken * hidden + worstColumn],
                    output[first + worstToken * hidden + worstColumn], relative, DEVICE_TOLERANCE));
        }
    }
}
