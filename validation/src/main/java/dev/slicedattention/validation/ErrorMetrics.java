package dev.slicedattention.validation;

/**
 * How far an output is from a float64 reference.
 *
 * <ul>
 *   <li>{@code maxAbsError} = max over all entries |O − R|;</li>
 *   <li>{@code specRelativeError} = maxAbsError / max_i ‖R_i‖∞, the relative error of SPEC §3;</li>
 *   <li>{@code relativeError} = maxAbsError / max(max_i ‖R_i‖∞, rms(V − μ) / (4√n)), the figure
 *       that {@link TolerancePolicy} judges.</li>
 * </ul>
 *
 * Why the floor rms(V − μ)/(4√n): every output row is a weighted mean of the centred values
 * V_j − μ, weights summing to at most 1. For values unrelated to the keys such a mean is of order
 * rms(V − μ)/√n, and the largest output over all queries is above that, so the floor, a quarter of
 * it, does not lower the bar on ordinary data (it is a few times below max‖R_i‖∞ for every
 * generator). It matters where the exact output is 0 by cancellation (all keys equal): there
 * max‖R_i‖∞ is itself float64 rounding noise (~1e-17) and the SPEC's ratio would judge noise
 * against noise; the floor judges the output against the scale of the data it averages instead.
 */
public record ErrorMetrics(double maxAbsError, double referenceMax, double valueScale,
                           double specRelativeError, double relativeError, int worstIndex) {

    /** Compares a float32 output [P, m, e] with a float64 reference of the same batch. */
    public static ErrorMetrics compare(float[] output, double[] reference, AttentionBatch batch) {
        double[] widened = new double[output.length];
        for (int i = 0; i < output.length; i++) {
            widened[i] = output[i];
        }
        return compare(widened, reference, batch);
    }

    /** Compares a float64 output with a float64 reference. */
    public static ErrorMetrics compare(double[] output, double[] reference, AttentionBatch batch) {
        if (output.length != reference.length) {
            throw new IllegalArgumentException("output has " + output.length + " values, reference " + reference.length);
        }
        double maxAbs = 0.0;
        double refMax = 0.0;
        int worst = -1;
        for (int i = 0; i < output.length; i++) {
            double error = Math.abs(output[i] - reference[i]);
            if (!(error <= maxAbs)) { // NaN in the output counts as the worst error
                maxAbs = Double.isNaN(error) ? Double.POSITIVE_INFINITY : error;
                worst = i;
            }
            refMax = Math.max(refMax, Math.abs(reference[i]));
        }
        double valueScale = centredValueRms(batch) / (4.0 * Math.sqrt(batch.n()));
        double spec = refMax == 0.0 ? (maxAbs == 0.0 ? 0.0 : Double.POSITIVE_INFINITY) : maxAbs / refMax;
        double scale = Math.max(refMax, valueScale);
        double relative = scale == 0.0 ? (maxAbs == 0.0 ? 0.0 : Double.POSITIVE_INFINITY) : maxAbs / scale;
        return new ErrorMetrics(maxAbs, refMax, valueScale, spec, relative, worst);
    }

    /**
     * The root mean square of V − μ over every problem's real keys (its first L_p; padding rows may
     * hold anything and must not raise the error floor), μ per problem, in float64.
     */
    public static double centredValueRms(AttentionBatch batch) {
        int n = batch.n(), e = batch.e();
        double sumSquares = 0.0;
        long count = 0;
        for (int p = 0; p < batch.heads(); p++) {
            int keys = batch.keyLength(p);
            double[] mu = NaiveReference.columnMean(NaiveReference.widen(batch.v(), p * n * e, keys * e), keys, e);
            for (int j = 0; j < keys; j++) {
                int row = (p * n + j) * e;
                for (int c = 0; c < e; c++) {
                    double centred = batch.v()[row + c] - mu[c];
                    sumSquares += centred * centred;
                }
            }
            count += (long) keys * e;
        }
        return Math.sqrt(sumSquares / count);
    }
}
