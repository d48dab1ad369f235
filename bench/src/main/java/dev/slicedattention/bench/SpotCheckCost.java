package dev.slicedattention.bench;

import dev.slicedattention.Backend;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.SpotCheck;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What the per-call spot check costs ({@link Backend#spotCheck}): for one backend and n = 2^from ..
 * 2^to (one ReLU problem, m = n, d = e = 64, {@link BenchInputs#batch}), the median wall time of a
 * call with the check off and on — alternating, after one warm-up call of each — and of the check's
 * float64 expectation alone on one thread ({@link SpotCheck#expect}, 3 queries). Prints one line per n:
 * the overhead of a checked call over an unchecked one, and the expectation's time as a share of
 * the unchecked call (what the check costs where nothing overlaps it).
 *
 * <pre>java -cp bench/target/benchmarks.jar[:tornado jar] dev.slicedattention.bench.SpotCheckCost BACKEND FROM TO [REPEATS [STEP]]</pre>
 * (STEP: log2 n advances by it; a device compiles a plan per size.)
 */
public final class SpotCheckCost {
    private SpotCheckCost() {}

    public static void main(String[] args) {
        String name = args[0];
        int from = Integer.parseInt(args[1]), to = Integer.parseInt(args[2]);
        int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int step = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        System.out.println("backend,n,off_ms,on_ms,overhead_pct,expect_ms,expect_share_pct");
        try (Backend backend = SlicedAttention.open(name)) {
            for (int k = from; k <= to; k += step) {
                int n = 1 << k;
                AttentionBatch batch = BenchInputs.batch(1, n, 64, 64);
                long[] off = new long[repeats], on = new long[repeats], expect = new long[repeats];
                backend.spotCheck(0).run(batch);
                backend.spotCheck(SpotCheck.DEFAULT_QUERIES).run(batch);
                SplittableRandom random = new SplittableRandom(k);
                for (int r = 0; r < repeats; r++) {
                    off[r] = time(() -> backend.spotCheck(0).run(batch));
                    on[r] = time(() -> backend.spotCheck(SpotCheck.DEFAULT_QUERIES).run(batch));
                    expect[r] = time(() -> SpotCheck.expect(SpotCheck.Inputs.of(batch), SpotCheck.DEFAULT_QUERIES, random));
                }
                double offMs = median(off), onMs = median(on), expectMs = median(expect);
                System.out.printf(Locale.ROOT, "%s,%d,%.3f,%.3f,%.1f,%.3f,%.1f%n", backend.info().name(), n, offMs, onMs,
                        100 * (onMs - offMs) / offMs, expectMs, 100 * expectMs / offMs);
            }
        }
    }

    private static long time(Runnable call) {
        long start = System.nanoTime();
        call.run();
        return System.nanoTime() - start;
    }

    private static double median(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int half = sorted.length / 2;
        return (sorted.length % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2.0) / 1e6;
    }
}
