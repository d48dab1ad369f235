package dev.slicedattention.validation;

/**
 * The default bump bandwidth for generated inputs. b is absolute (SPEC §3: scaling s and t changes
 * the bump but not ReLU), so a fixed number would mean all keys in a window for one generator and
 * none for another; the showcase, validation and benchmarks therefore take b relative to the data:
 * {@value #DEFAULT_FACTOR} × the standard deviation of each problem's projected keys (then a
 * window holds roughly a third of the keys of Gaussian data). Users with their own tensors give b.
 */
public final class Bandwidths {
    /** b = this × the standard deviation of the projected keys. */
    public static final double DEFAULT_FACTOR = 0.5;

    private Bandwidths() {}

    /** One b per problem: {@code factor} × the standard deviation of its projected keys t_j = &lt;θ, K_j&gt; (1 when they are all equal). */
    public static float[] relativeToKeys(AttentionBatch batch, double factor) {
        int d = batch.d(), n = batch.n();
        float[] bandwidth = new float[batch.heads()];
        for (int p = 0; p < bandwidth.length; p++) {
            int keys = batch.keyLength(p);
            double sum = 0, squares = 0;
            for (int j = 0; j < keys; j++) {
                double t = 0;
                for (int c = 0; c < d; c++) {
                    t += (double) batch.theta()[p * d + c] * batch.k()[(p * n + j) * d + c];
                }
                sum += t;
                squares += t * t;
            }
            double mean = sum / keys;
            double spread = Math.sqrt(Math.max(0, squares / keys - mean * mean));
            float b = (float) (factor * spread);
            bandwidth[p] = b > 0 && Float.isFinite(b) ? b : 1.0f;
        }
        return bandwidth;
    }
}
