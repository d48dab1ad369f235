package dev.slicedattention.validation;

import dev.slicedattention.error.ResultMismatchException;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * The check every forward call gets unless it is turned off: a few queries per problem, chosen at
 * random per call, recomputed in float64 by the literal sums of SPEC §1 ({@link NaiveReference}'s
 * formula, O(n·(d + e)) per problem) and compared with the backend's rows within the backend's
 * {@link TolerancePolicy}. {@link #expect} computes the expected rows (a caller starts it on another
 * thread while the device works); {@link #judge} compares them with the output.
 *
 * <p>The error is judged as {@link ErrorMetrics} judges a whole output: the largest error over the
 * checked entries divided by max(max‖R_i‖∞, rms(V − μ)/(4√n)). Only the checked rows of R are known,
 * so max‖R_i‖∞ is taken as the larger of the checked rows' maximum and the output's own largest
 * magnitude, the latter capped by what any correct output can reach (|O| ≤ 2·range(V) for the ReLU,
 * ≤ max|V| for the bump): a right result is held to the tolerance a full validation applies, and a
 * wrong one cannot widen it beyond that bound.
 *
 * <p>Rows of a ragged problem from M_p on must be exactly 0; one of them is checked when there are any.
 * With m ≤ the queries per problem, every row is checked.
 */
public final class SpotCheck {
    /** Queries checked per problem by default. */
    public static final int DEFAULT_QUERIES = 3;
    /** Keys read per block (off-heap values are copied a block at a time). */
    private static final int BLOCK = 512;

    /** Copies {@code length} floats from flat index {@code from} into {@code target[0, length)}. */
    @FunctionalInterface
    public interface Source {
        void copy(int from, float[] target, int length);

        static Source of(float[] values) {
            return (from, target, length) -> System.arraycopy(values, from, target, 0, length);
        }
    }

    /**
     * The inputs of one call as the check reads them: Q [P, m, d], K [P, n, d], V [P, n, e], θ [P, d];
     * or, with {@code scalars}, s [P, m] in {@code q} and t [P, n] in {@code k} (d = 1, θ unused).
     */
    public record Inputs(int heads, int m, int n, int d, int e, AttentionOptions options, boolean scalars,
                         Source q, Source k, Source v, Source theta) {
        public static Inputs of(AttentionBatch batch) {
            if (batch.hasScalars()) {
                return new Inputs(batch.heads(), batch.m(), batch.n(), 1, batch.e(), batch.options(), true,
                        Source.of(batch.s()), Source.of(batch.t()), Source.of(batch.v()), null);
            }
            return new Inputs(batch.heads(), batch.m(), batch.n(), batch.d(), batch.e(), batch.options(), false,
                    Source.of(batch.q()), Source.of(batch.k()), Source.of(batch.v()), Source.of(batch.theta()));
        }

        int keyLength(int p) {
            return options.keyLengthOf(p, n);
        }

        int queryLength(int p) {
            return options.queryLengthOf(p, m);
        }
    }

    private final Inputs inputs;
    /** Per problem, the checked queries, and their expected rows [queries × e] in float64. */
    private final int[][] queries;
    private final double[][] expected;
    /** rms(V − μ)/(4√n) over every problem's real keys, as {@link ErrorMetrics#centredValueRms}. */
    private final double valueScale;
    /** An upper bound of |O| for any correct output: 2·range(V) and max|V| over every problem's real keys. */
    private final double bound;

    private SpotCheck(Inputs inputs, int[][] queries, double[][] expected, double valueScale, double bound) {
        this.inputs = inputs;
        this.queries = queries;
        this.expected = expected;
        this.valueScale = valueScale;
        this.bound = bound;
    }

    /** Picks {@code perProblem} queries per problem with {@code random} and computes their rows in float64. */
    public static SpotCheck expect(Inputs inputs, int perProblem, RandomGenerator random) {
        int heads = inputs.heads(), e = inputs.e();
        int[][] queries = new int[heads][];
        double[][] expected = new double[heads][];
        double squares = 0.0, bound = 0.0;
        long count = 0;
        Problem problem = new Problem(inputs);
        for (int p = 0; p < heads; p++) {
            queries[p] = pick(inputs.queryLength(p), inputs.m(), perProblem, random);
            expected[p] = problem.rows(p, queries[p]);
            squares += problem.centredSquares;
            bound = Math.max(bound, problem.bound);
            count += (long) inputs.keyLength(p) * e;
        }
        double valueScale = Math.sqrt(squares / count) / (4.0 * Math.sqrt(inputs.n()));
        return new SpotCheck(inputs, queries, expected, valueScale, bound);
    }

    /**
     * Fails with a {@link ResultMismatchException} naming the worst checked entry when the checked rows
     * of {@code output} [P, m, e] are further from the reference than {@code tolerance} allows.
     *
     * @param largestOutput max|output| over every entry (the scan that refuses non-finite outputs finds it)
     * @param device        the backend and device, as the message names them
     */
    public void judge(float[] output, float largestOutput, TolerancePolicy tolerance, String device) {
        int m = inputs.m(), e = inputs.e();
        double worst = 0.0, referenceMax = 0.0;
        int worstProblem = -1, worstQuery = -1, worstColumn = -1;
        for (int p = 0; p < queries.length; p++) {
            for (int a = 0; a < queries[p].length; a++) {
                for (int c = 0; c < e; c++) {
                    double reference = expected[p][a * e + c];
                    double error = Math.abs(output[(p * m + queries[p][a]) * e + c] - reference);
                    referenceMax = Math.max(referenceMax, Math.abs(reference));
                    if (!(error <= worst)) {   // NaN counts as the worst
                        worst = Double.isNaN(error) ? Double.POSITIVE_INFINITY : error;
                        worstProblem = p;
                        worstQuery = a;
                        worstColumn = c;
                    }
                }
            }
        }
        // A non-finite output maximum (a NaN anywhere) says nothing about the scale: the bound stands in.
        double outputScale = Float.isFinite(largestOutput) ? Math.min(largestOutput, bound) : bound;
        double scale = Math.max(Math.max(referenceMax, outputScale), valueScale);
        double relative = scale == 0.0 ? (worst == 0.0 ? 0.0 : Double.POSITIVE_INFINITY) : worst / scale;
        double allowed = tolerance.tolerance(inputs.n());
        if (!(relative <= allowed)) {
            int query = queries[worstProblem][worstQuery];
            throw new ResultMismatchException(String.format(java.util.Locale.ROOT,
                    "the spot check of %s's result failed: problem %d, query %d, column %d: expected %.9g (float64 reference), "
                            + "found %.9g; relative error %.2e > tolerance %.2e. The result was not used; run 'sliced-attention "
                            + "validate --backends %s' to see which inputs fail, or use another backend",
                    device, worstProblem, query, worstColumn, expected[worstProblem][worstQuery * e + worstColumn],
                    output[(worstProblem * m + query) * e + worstColumn], relative, allowed, device.split(" ")[0]));
        }
    }

    /** The checked queries of problem {@code p} (for tests and messages). */
    int[] queries(int p) {
        return queries[p].clone();
    }

    /** The expected rows of problem {@code p}'s checked queries, [queries × e] (for tests). */
    double[] expected(int p) {
        return expected[p].clone();
    }

    /**
     * {@code count} distinct queries in [0, real) at random (all of them when there are no more), and
     * one padding row in [real, m) when there is one.
     */
    public static int[] pick(int real, int m, int count, RandomGenerator random) {
        int chosen = Math.min(count, real);
        int[] out = new int[chosen + (real < m ? 1 : 0)];
        if (chosen == real) {
            for (int i = 0; i < real; i++) {
                out[i] = i;
            }
        } else {
            // Floyd's sampling: distinct values without a set of size `real`.
            int filled = 0;
            for (int j = real - chosen; j < real; j++) {
                int candidate = random.nextInt(j + 1);
                boolean taken = false;
                for (int i = 0; i < filled; i++) {
                    taken |= out[i] == candidate;
                }
                out[filled++] = taken ? j : candidate;
            }
        }
        if (real < m) {
            out[chosen] = real + random.nextInt(m - real);
        }
        Arrays.sort(out);
        return out;
    }

    /**
     * One problem's checked rows in one pass over its keys: s_i − t_j formed as NaiveReference forms
     * them (relative to K_0), the kernel's weights, and per query Σ w·V, Σ w and Σ|s − t| in float64,
     * so that Σ w·(V − μ) = Σ w·V − μ·Σ w with μ over the keys the query sees (SPEC §5 when causal).
     * The same pass gathers V's column sums, squares and extremes for the error scale and the bound.
     * The keys are split into chunks summed in parallel (on a device's host the cores are idle while
     * it works) and the chunks' sums added in order.
     */
    private static final class Problem {
        /** Keys per parallel chunk. */
        private static final int CHUNK = 1 << 14;
        private final Inputs in;
        private final float[] queryRow, theta, origin;
        double centredSquares, bound;

        Problem(Inputs in) {
            this.in = in;
            queryRow = new float[in.d()];
            theta = new float[in.d()];
            origin = new float[in.d()];
        }

        /** The sums of one chunk of keys; {@code seen} holds, for each query whose last key is in the chunk, V's column sums up to it. */
        private final class Chunk {
            final double[] weighted, weightSums, absolute, sums, squares, low, high, seen;
            final float[] keyBlock, valueBlock;

            Chunk(int count, int e, int d) {
                weighted = new double[count * e];
                weightSums = new double[count];
                absolute = new double[count];
                sums = new double[e];
                squares = new double[e];
                low = new double[e];
                high = new double[e];
                seen = new double[count * e];
                keyBlock = new float[BLOCK * d];
                valueBlock = new float[BLOCK * e];
                Arrays.fill(low, Double.POSITIVE_INFINITY);
                Arrays.fill(high, Double.NEGATIVE_INFINITY);
            }
        }

        double[] rows(int p, int[] queries) {
            int n = in.n(), m = in.m(), d = in.d(), e = in.e();
            int keys = in.keyLength(p), real = in.queryLength(p);
            boolean bump = in.options().kernel() == Kernel.BUMP, causal = in.options().isCausal();
            double width = bump ? in.options().bandwidthOf(p) : 0.0;
            int count = queries.length;
            double[] s = new double[count];
            int[] last = new int[count];   // the last key each query sees
            if (!in.scalars()) {
                in.theta().copy(p * d, theta, d);
                in.k().copy(p * n * d, origin, d);
            }
            for (int a = 0; a < count; a++) {
                int i = queries[a];
                last[a] = i >= real ? -1 : causal ? Math.min(i, keys - 1) : keys - 1;
                if (in.scalars()) {
                    in.q().copy(p * m + i, queryRow, 1);
                    s[a] = queryRow[0];
                } else {
                    in.q().copy((p * m + i) * d, queryRow, d);
                    s[a] = projected(queryRow, 0);
                }
            }
            int chunks = (keys + CHUNK - 1) / CHUNK;
            Chunk[] parts = new Chunk[chunks];
            java.util.stream.IntStream range = java.util.stream.IntStream.range(0, chunks);
            (chunks > 1 ? range.parallel() : range).forEach(c -> {
                Chunk part = new Chunk(count, e, d);
                sum(part, p, c * CHUNK, Math.min(keys, (c + 1) * CHUNK), s, last, bump, width);
                parts[c] = part;
            });
            double[] weighted = new double[count * e], weightSums = new double[count], absolute = new double[count];
            double[] sums = new double[e], squares = new double[e], low = new double[e], high = new double[e];
            double[] seenSums = new double[count * e];
            Arrays.fill(low, Double.POSITIVE_INFINITY);
            Arrays.fill(high, Double.NEGATIVE_INFINITY);
            for (int c = 0; c < chunks; c++) {
                Chunk part = parts[c];
                for (int a = 0; a < count; a++) {
                    if (last[a] >= c * CHUNK && last[a] < (c + 1) * CHUNK) {
                        for (int col = 0; col < e; col++) {
                            seenSums[a * e + col] = sums[col] + part.seen[a * e + col];
                        }
                    }
                    weightSums[a] += part.weightSums[a];
                    absolute[a] += part.absolute[a];
                }
                for (int i = 0; i < count * e; i++) {
                    weighted[i] += part.weighted[i];
                }
                for (int col = 0; col < e; col++) {
                    sums[col] += part.sums[col];
                    squares[col] += part.squares[col];
                    low[col] = Math.min(low[col], part.low[col]);
                    high[col] = Math.max(high[col], part.high[col]);
                }
            }
            centredSquares = 0.0;
            bound = 0.0;
            for (int c = 0; c < e; c++) {
                centredSquares += Math.max(0.0, squares[c] - sums[c] * sums[c] / keys);
                bound = Math.max(bound, Math.max(2.0 * (high[c] - low[c]), Math.max(Math.abs(low[c]), Math.abs(high[c]))));
            }
            double[] out = new double[count * e];
            for (int a = 0; a < count; a++) {
                if (last[a] < 0) {
                    continue;   // a padding row: 0
                }
                int seen = last[a] + 1;
                for (int c = 0; c < e; c++) {
                    int at = a * e + c;
                    if (bump) {
                        out[at] = weighted[at] / seen;
                    } else {
                        double mean = seenSums[at] / seen;
                        out[at] = absolute[a] == 0.0 ? 0.0 : 2.0 * (weighted[at] - mean * weightSums[a]) / absolute[a];
                    }
                }
            }
            return out;
        }

        /** Keys [from, to) of problem p into {@code part}, a block at a time. */
        private void sum(Chunk part, int p, int from, int to, double[] s, int[] last, boolean bump, double width) {
            int n = in.n(), d = in.d(), e = in.e(), count = s.length;
            for (int start = from; start < to; start += BLOCK) {
                int rows = Math.min(BLOCK, to - start);
                in.k().copy(in.scalars() ? p * n + start : (p * n + start) * d, part.keyBlock, rows * d);
                in.v().copy((p * n + start) * e, part.valueBlock, rows * e);
                float[] valueBlock = part.valueBlock;
                for (int r = 0; r < rows; r++) {
                    int j = start + r;
                    double t = in.scalars() ? part.keyBlock[r] : projected(part.keyBlock, r * d);
                    int row = r * e;
                    for (int c = 0; c < e; c++) {
                        double value = valueBlock[row + c];
                        part.sums[c] += value;
                        part.squares[c] += value * value;
                        part.low[c] = Math.min(part.low[c], value);
                        part.high[c] = Math.max(part.high[c], value);
                    }
                    for (int a = 0; a < count; a++) {
                        if (j > last[a]) {
                            continue;
                        }
                        double diff = s[a] - t;
                        double weight = bump ? Math.max(0.0, 1.0 - Math.abs(diff) / width) : Math.max(diff, 0.0);
                        part.absolute[a] += Math.abs(diff);
                        if (weight > 0) {
                            part.weightSums[a] += weight;
                            for (int c = 0; c < e; c++) {
                                part.weighted[a * e + c] += weight * valueBlock[row + c];
                            }
                        }
                        if (j == last[a]) {
                            System.arraycopy(part.sums, 0, part.seen, a * e, e);
                        }
                    }
                }
            }
        }

        /** <θ, X − K_0> in float64 for the row of {@code values} at {@code offset} (NaiveReference's form). */
        private double projected(float[] values, int offset) {
            double sum = 0.0;
            for (int k = 0; k < theta.length; k++) {
                sum += (double) theta[k] * ((double) values[offset + k] - origin[k]);
            }
            return sum;
        }
    }
}
