package dev.slicedattention.bench;

/**
 * The bytes each stage must at least read and write (SPEC §2), the numerator of a stage's achieved
 * bandwidth: efficiency = (minBytes ÷ time) ÷ memory roof.
 *
 * <p>Every value is 4 bytes (float32 data, int32 indices and ranks). For one head, with m queries,
 * n keys, key dimension d and value dimension e — P heads move P times as much:
 *
 * <pre>
 *   projection   read Q, K, V, θ; write s, t, μ          4·(m·d + n·d + n·e + d + m + n + e)
 *   sort         read t; write τ and π                   4·3n
 *   prefix sum   read τ, π, V (gathered), μ;             4·(2n + n·e + e + 2·(n+1)·e + (n+1))
 *                write A, B ((n+1)·e each) and C (n+1)
 *   rank         read s, τ; write r                      4·(2m + n)
 *   combine      read s, r, C_r per query, C_n, and the  4·(3m + 2·m·e + 1 + m·e)
 *                two prefix rows A_r, B_r per query;
 *                write O (m·e)
 *   forward      the sum of the five stages: the traffic of the pipeline as SPEC §2 stages it
 *                (s, t, τ, π, A, B, C, r materialised); a fused kernel could move less
 *   forward on   the same bytes, timed without the transfers (device backends)
 *   the device
 *   transfer in  Q, K, V, θ to the device                4·(m·d + n·d + n·e + d)
 *   transfer out O from the device                       4·m·e
 *   softmax      read Q, K, V; write O                   4·(m·d + n·d + n·e + m·e)
 *                (a floor far below its O(m·n·(d+e)) arithmetic: softmax is compute-bound)
 *   copy roof    b ← a over L floats                     8·L
 *   triad roof   a ← b + s·c over L floats               12·L
 * </pre>
 *
 * "At least" means: every input read once, every output written once, nothing re-read — the
 * traffic of a perfect streaming implementation. Real sorts make O(log n) (bitonic: O(log² n))
 * passes and binary search re-reads τ; the gap between that and the floor is what the roof
 * fraction shows.
 */
public final class MinBytes {
    /** Bytes per stored value: float32 and int32 alike. */
    public static final long WORD = 4;

    private MinBytes() {}

    public static long projection(int heads, long m, long n, long d, long e) {
        return WORD * heads * (m * d + n * d + n * e + d + m + n + e);
    }

    public static long sort(int heads, long n) {
        return WORD * heads * 3 * n;
    }

    public static long prefixSum(int heads, long n, long e) {
        return WORD * heads * (2 * n + n * e + e + 2 * (n + 1) * e + (n + 1));
    }

    public static long rank(int heads, long m, long n) {
        return WORD * heads * (2 * m + n);
    }

    public static long combine(int heads, long m, long e) {
        return WORD * heads * (3 * m + 2 * m * e + 1 + m * e);
    }

    /** The five stages together. */
    public static long forward(int heads, long m, long n, long d, long e) {
        return projection(heads, m, n, d, e) + sort(heads, n) + prefixSum(heads, n, e) + rank(heads, m, n)
                + combine(heads, m, e);
    }

    public static long transferIn(int heads, long m, long n, long d, long e) {
        return WORD * heads * (m * d + n * d + n * e + d);
    }

    public static long transferOut(int heads, long m, long e) {
        return WORD * heads * m * e;
    }

    public static long softmax(int heads, long m, long n, long d, long e) {
        return WORD * heads * (m * d + n * d + n * e + m * e);
    }

    public static long copy(long length) {
        return 2 * WORD * length;
    }

    public static long triad(long length) {
        return 3 * WORD * length;
    }

    /**
     * The bytes of one stage by its key ({@code projection}, {@code sort}, {@code prefixSum},
     * {@code rank}, {@code combine}, {@code forward}, {@code transferIn}, {@code transferOut},
     * {@code softmax}).
     */
    public static long of(String stage, int heads, long m, long n, long d, long e) {
        return switch (stage) {
            case "projection" -> projection(heads, m, n, d, e);
            case "sort" -> sort(heads, n);
            case "prefixSum" -> prefixSum(heads, n, e);
            case "rank" -> rank(heads, m, n);
            case "combine" -> combine(heads, m, e);
            case "forward", "forwardDevice" -> forward(heads, m, n, d, e);
            case "transferIn" -> transferIn(heads, m, n, d, e);
            case "transferOut" -> transferOut(heads, m, e);
            case "softmax" -> softmax(heads, m, n, d, e);
            default -> throw new IllegalArgumentException("no byte formula for stage '" + stage + "'");
        };
    }
}
