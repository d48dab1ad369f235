package dev.slicedattention.validation;

/**
 * The relative error ({@link ErrorMetrics#relativeError()}) a result may have against the float64
 * reference, as a function of the number of keys n.
 *
 * <p>Where the error comes from, and so how it grows:
 * <ul>
 *   <li>{@link #FLOAT64}: the float64 pipeline differs from the naive float64 form only by
 *       reassociation: a few ulps of double, 1e-12 at any n this project runs.</li>
 *   <li>{@link #SEQUENTIAL_FLOAT32}: float32 storage with float64 accumulation. Every stored value
 *       carries one float32 rounding (6e-8), and the combine step N/Z amplifies it by the ratio of
 *       the prefix sums' size to the output's, which grows slowly with n: 1e-5 up to n = 4096, then
 *       in proportion to log2 n.</li>
 *   <li>{@link #BLOCKED_FLOAT32}: float32 arithmetic throughout with blocked (tree-shaped) prefix
 *       sums, as device backends compute them. A sequential float32 sum of n terms errs in
 *       proportion to n; a blocked scan's rounding errors add up along a path of about log2 n
 *       partial sums, so the allowance is 1.5e-6 per level: 3e-5 at n = 2^20.</li>
 * </ul>
 */
public enum TolerancePolicy {
    FLOAT64 {
        @Override
        public double tolerance(int n) {
            return 1e-12;
        }
    },
    SEQUENTIAL_FLOAT32 {
        @Override
        public double tolerance(int n) {
            return 1e-5 * Math.max(1.0, log2(n) / 12.0);
        }
    },
    BLOCKED_FLOAT32 {
        @Override
        public double tolerance(int n) {
            return 1.5e-6 * Math.max(12.0, Math.ceil(log2(n)));
        }
    };

    /** The largest relative error allowed at n keys. */
    public abstract double tolerance(int n);

    public boolean accepts(ErrorMetrics metrics, int n) {
        return metrics.relativeError() <= tolerance(n);
    }

    private static double log2(int n) {
        return Math.log(Math.max(n, 1)) / Math.log(2.0);
    }
}
