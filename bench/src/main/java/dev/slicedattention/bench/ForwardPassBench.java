package dev.slicedattention.bench;

import dev.slicedattention.Backend;
import dev.slicedattention.ForwardResult;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.Tensor;
import dev.slicedattention.timing.Stage;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
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
 * split it.
 *
 * <p>Measures {@link Backend#run(AttentionBatch)} — one sliced-attention forward pass, P heads of
 * m = n queries and n keys — on every backend {@code SlicedAttention.backends()} lists (BenchMain
 * sets {@code backend}). JMH's score is the whole call: for a device backend that includes copying
 * Q, K, V, θ in and O out.
 *
 * <p>The per-stage figures are the backend's {@link StageTimes}, which every backend fills for
 * every call (the wall-clock time of each stage as the backend sees it). They are summed into
 * {@link StageCounters}, an {@code @AuxCounters(EVENTS)} state: JMH reports each counter summed over
 * the measured iterations, so stage ms per call = {@code <stage>Ns ÷ calls ÷ 10⁶} — computed by
 * {@link BenchMain}, which also derives the device-only time (score − transfers). This keeps the
 * stages honest: they come from the same calls JMH timed, with no reaching into backend internals,
 * and nothing outside the pipeline (output wrapping, API checks) is charged to a stage: the
 * difference between the score and the sum of the stages is that overhead.
 *
 * <p>Setup makes one untimed call per shape, so a device backend builds its execution plan and
 * JIT-compiles its kernels there, and checks that call's output against the float64 sequential
 * pipeline ({@link Validation}). A backend that fails the check still gets timed: the results
 * record the failure next to the time.
 *
 * <p>Minimum bytes ({@link MinBytes#forward}): the sum of the five stages' floors,
 * 4·P·(m·d + n·d + n·e + d + m + n + e) + 4·P·3n + 4·P·(2n + n·e + e + 2(n+1)e + n+1)
 * + 4·P·(2m + n) + 4·P·(3m + 3m·e + 1).
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
    @Param({"4096", "65536", "1048576"})
    public int n;

    @Param({"64"})
    public int d;

    @Param({"64"})
    public int e;

    /** P, heads per call. */
    @Param({"1"})
    public int heads;

    private Backend handle;
    private AttentionBatch batch;

    @Setup(Level.Trial)
    public void setUp() {
        batch = BenchInputs.batch(heads, n, d, e);
        handle = SlicedAttention.open(backend);
        long start = System.nanoTime();
        ForwardResult first = handle.run(batch);
        double firstCallMillis = (System.nanoTime() - start) / 1e6;
        if (Validation.requested()) {
            Validation.check(handle.info(), batch, first.output().data(), firstCallMillis,
                    first.times().setupNanos() / 1e6).save();
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
