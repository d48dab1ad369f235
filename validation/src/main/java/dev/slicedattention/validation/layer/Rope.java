package dev.slicedattention.validation.layer;

/**
 * Rotary position embedding exactly as the authors' {@code rope.py} (SPEC §4): base 10000,
 * positions 0..T−1, the pairs (2i, 2i+1) rotated by pos·base^(−i/(d/2)), and the result laid out as
 * [rotated evens | rotated odds] (their {@code torch.cat([x1·cos − x2·sin, x1·sin + x2·cos])}).
 *
 * <p>The phases are formed in float32 as theirs are ({@code inv_freq} and {@code pos * inv_freq} are
 * float32 tensors), so that a trained model sees the rotation it was trained with; at T near 2^20
 * that rounding moves a phase by up to ~0.03 rad, which the float64 reference therefore shares.
 */
public final class Rope {
    public static final double BASE = 10000.0;

    private final int half;
    private final float[] cos;
    private final float[] sin;

    /** Tables for T positions and an even head dimension d. */
    public Rope(int tokens, int d) {
        if (d % 2 != 0) {
            throw new dev.slicedattention.error.InvalidInputException("rotary embedding needs an even head dimension, got d = " + d);
        }
        half = d / 2;
        cos = new float[tokens * half];
        sin = new float[tokens * half];
        for (int i = 0; i < half; i++) {
            float inverseFrequency = (float) Math.pow(BASE, -((float) i / (float) half));
            for (int pos = 0; pos < tokens; pos++) {
                float phase = (float) pos * inverseFrequency;
                cos[pos * half + i] = (float) Math.cos(phase);
                sin[pos * half + i] = (float) Math.sin(phase);
            }
        }
    }

    /** Rotates one head-row (d values) at position {@code pos} in place, in float64 arithmetic. */
    public void rotate(double[] row, int pos, double[] scratch) {
        for (int i = 0; i < half; i++) {
            double x1 = row[2 * i], x2 = row[2 * i + 1];
            double c = cos[pos * half + i], s = sin[pos * half + i];
            scratch[i] = x1 * c - x2 * s;
            scratch[half + i] = x1 * s + x2 * c;
        }
        System.arraycopy(scratch, 0, row, 0, 2 * half);
    }
}
