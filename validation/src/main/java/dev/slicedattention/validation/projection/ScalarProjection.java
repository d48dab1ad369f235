package dev.slicedattention.validation.projection;

/**
 * A learned map from a token's H·d query (or key) vector to one scalar per head (SPEC §3): the
 * {@code linear} and {@code mlp} forms of the authors' modules. The same map serves queries and keys.
 *
 * <p>Implementations evaluate one token at a time in float64 ({@link #scalars}); {@link #project}
 * runs them over a whole tensor. The float64 result is the reference; backends round it to float32
 * once.
 */
public sealed interface ScalarProjection permits LinearProjection, MlpProjection {
    /** H: scalars per token, one per head. */
    int heads();

    /** d: the per-head dimension (the token vector has H·d values). */
    int dim();

    /** "linear" or "mlp". */
    String form();

    /** Scratch for {@link #scalars}: one array per thread. */
    double[] scratch();

    /** {@code out[h]} for h &lt; H from the token vector {@code x} (H·d values). */
    void scalars(double[] x, double[] scratch, double[] out);

    /**
     * The scalars of every token of {@code x} [B·H, T, d] (read by flat index): out[(b·H + h)·T + i] is head h's scalar of
     * token i of item b, whose vector {@code layout} picks. Tokens {@code from} ≤ i &lt; {@code to}
     * of every item (the parallel JVM backend splits the range); the rest of {@code out} is untouched.
     */
    default void project(java.util.function.IntToDoubleFunction x, int items, int tokens, HeadLayout layout,
                         double[] out, int from, int to) {
        int heads = heads(), d = dim();
        double[] vector = new double[heads * d];
        double[] scalars = new double[heads];
        double[] scratch = scratch();
        for (int item = 0; item < items; item++) {
            for (int i = from; i < to; i++) {
                layout.tokenVector(x, item, heads, tokens, d, i, vector);
                scalars(vector, scratch, scalars);
                for (int h = 0; h < heads; h++) {
                    out[(item * heads + h) * tokens + i] = scalars[h];
                }
            }
        }
    }

    /** {@link #project} over every token of a float32 tensor: [B·H, T] in float64. */
    default double[] project(float[] x, int items, int tokens, HeadLayout layout) {
        double[] out = new double[items * heads() * tokens];
        project(i -> x[i], items, tokens, layout, out, 0, tokens);
        return out;
    }
}
