package dev.slicedattention.bench;

import dev.slicedattention.Backend;
import dev.slicedattention.ForwardResult;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.Tensor;
import dev.slicedattention.timing.Stage;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.Bandwidths;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Lesson: benchmark the whole call through the public API, and let the backend's own stage clock
 * split it — the per-stage benchmark and the full-pass benchmark are the same measured calls.
 *
 * <p>Measures {@link Backend#run(AttentionBatch)} — one sliced-attention forward pass, P heads of
 * m = n queries and n keys — on every backend {@code SlicedAttention.backends()} lists
 * ({@link BenchMain} sets {@code backend}). JMH's score is the whole call: for a device backend that
 * includes copying Q, K, V, θ in and O out.
 *
 * <p><b>Why this is also the per-stage benchmark.</b> The public API runs the five stages only
 * together (a device backend keeps the intermediates — s, t, τ, π, A, B, C, r — on the device, where
 * no API can hand them to a single-stage call without a copy that would dwarf the stage), and the
 * benchmarks may not reach past that API into a backend's kernels. So every stage is timed where it
 * really runs: inside the measured call, by the backend's own {@link StageTimes} clock (wall-clock
 * ns per stage; a device backend ends each stage when its kernels have finished). The counters are
 * summed into {@link StageCounters}, an {@code @AuxCounters(EVENTS)} state; JMH reports each summed
 * over the measured iterations, and {@link BenchMain} turns them into ms per call
 * ({@code <stage>Ns ÷ calls ÷ 10⁶}). A stage figure therefore includes everything the backend
 * charges to that stage (its kernels, their launches and the waits between them, thread hand-offs
 * for jvm-par) and nothing outside the pipeline: output wrapping and API checks are in the score
 * only, so score − Σ stages is the API's overhead. What a stage figure cannot show is the stage
 * alone in a cold cache: it runs after the stage before it, as it does in real use.
 *
 * <p><b>Device backends.</b> The setup makes the first call for the shape, untimed: the backend
 * builds its execution plan and JIT-compiles its kernels there ({@link ForwardResult#times()}'s
 * setup time). The score includes the transfers; the device-only time, score − (transferIn +
 * transferOut), is derived by {@link BenchMain} and reported beside it ({@code forwardDevice}).
 *
 * <p><b>Accuracy.</b> The setup checks that first call's output against the float64 sequential
 * pipeline ({@link Validation}). A backend that fails the check still gets timed: the results record
 * the failure next to the time.
 *
 * <p><b>Minimum bytes</b> ({@link MinBytes}), per head, 4 bytes a value:
 * <pre>
 *   projection  4·(m·d + n·d + n·e + d + m + n + e)
 *   sort        4·3n
 *   prefix sum  4·(2n + n·e + e + 2(n+1)·e + (n+1))
 *   rank        4·(2m + n)
 *   combine     4·(3m + 3m·e + 1)
 *   forward     the sum of the five (also the floor of forwardDevice)
 * </pre>
 * times P heads.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ForwardPassBench {
    /** A backend name as {@code SlicedAttention.backends()} lists it. */
    @Param({"jvm-seq"})
    public String backend;

    /** Keys per head (and queries: m = n). */
    @Param({"4096", "16384", "65536", "262144", "1048576", "4194304"})
    public int n;

    @Param({"64"})
    public int d;

    @Param({"64"})
    public int e;

    /** P, heads per call. */
    @Param({"1"})
    public int heads;

    /**
     * The kernel: relu, bump (b = {@link Bandwidths#DEFAULT_FACTOR} × the spread of the projected keys), or
     * either in causal mode ({@link BenchInputs#KERNELS}).
     */
    @Param({"relu"})
    public String kernel;

    private Backend handle;
    private AttentionBatch batch;

    @Setup(Level.Trial)
    public void setUp() {
        batch = BenchInputs.batch(heads, n, d, e, kernel);
        // The benchmark times the operator alone; the per-call spot check's cost is measured on its own (SpotCheckCost).
        handle = SlicedAttention.open(backend).spotCheck(0);
        long start = System.nanoTime();
        ForwardResult first = handle.run(batch);
        double firstCallMillis = (System.nanoTime() - start) / 1e6;
        if (Validation.requested()) {
            java.util.Map<String, Double> parts = new java.util.LinkedHashMap<>();
            first.times().setupParts().forEach((part, nanos) -> parts.put(part, nanos / 1e6));
            Validation.check(handle.info(), batch, first.output().data(), firstCallMillis,
                    first.times().setupNanos() / 1e6, parts).save();
        }
    }

    @Benchmark
    public Tensor forward(StageCounters counters) {
        ForwardResult result = handle.run(batch);
        counters.add(result.times());
        return result.output();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (handle != null) {
            handle.close();
        }
    }

    /**
     * The stage times of the measured calls, summed per iteration (JMH resets public fields before
     * each iteration and sums EVENTS counters over iterations): ns per stage and the number of calls.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class StageCounters {
        public long calls;
        public long projectionNs;
        public long sortNs;
        public long prefixSumNs;
        public long rankNs;
        public long combineNs;
        public long transferInNs;
        public long transferOutNs;

        void add(StageTimes times) {
            calls++;
            projectionNs += times.nanos(Stage.PROJECTION);
            sortNs += times.nanos(Stage.SORT);
            prefixSumNs += times.nanos(Stage.PREFIX_SUM);
            rankNs += times.nanos(Stage.RANK);
            combineNs += times.nanos(Stage.COMBINE);
            transferInNs += times.nanos(Stage.TRANSFER_IN);
            transferOutNs += times.nanos(Stage.TRANSFER_OUT);
        }
    }
}
