package dev.slicedattention.bench;

import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.sequential.KeySort;
import dev.slicedattention.validation.sequential.PrefixSums;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Lesson: isolate a suspected cause with a variant benchmark that changes one thing.
 *
 * <p>The sequential prefix-sum stage ({@link PrefixSums#compute}) reads value rows in sorted-key
 * order: V[π(k)] for k = 0..n−1, a random row per step. This benchmark runs the very same method
 * with the real permutation π ({@code order = sorted}) and with the identity ({@code order = identity},
 * rows read in memory order). Everything else — arithmetic, float64 running sums, the 2(n+1)·e
 * floats written — is identical, so the difference is what the random gather costs. The README's
 * performance notes quote it to explain why jvm-seq's prefix sum sits far below the memory roof.
 *
 * <p>Run it on its own (it is not part of scripts/bench's suites):
 * {@code java -cp bench/target/benchmarks.jar org.openjdk.jmh.Main PrefixSumGatherBench}.
 * Minimum bytes as {@link MinBytes#prefixSum}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class PrefixSumGatherBench {
    @Param({"1048576"})
    public int n;

    @Param({"64"})
    public int e;

    @Param({"sorted", "identity"})
    public String order;

    private AttentionBatch batch;
    private KeySort.SortedKeys sorted;
    private int[] rows;
    private float sigma;
    private double[] mu;

    @Setup(Level.Trial)
    public void setUp() {
        batch = BenchInputs.batch(1, n, 1, e);
        float[] keys = batch.k().clone();
        sorted = KeySort.sort(keys);
        rows = sorted.perm();
        if (order.equals("identity")) {
            rows = new int[n];
            for (int k = 0; k < n; k++) {
                rows[k] = k;
            }
        } else if (!order.equals("sorted")) {
            throw new IllegalArgumentException("order must be sorted or identity, got " + order);
        }
        sigma = PrefixSums.scaleOf(sorted.tau(), n);
        mu = new double[e];
    }

    @Benchmark
    public PrefixSums.Sums prefixSums() {
        return PrefixSums.compute(sorted.tau(), rows, sigma, batch.v(), 0, n, e, mu, 1f, false);
    }
}
