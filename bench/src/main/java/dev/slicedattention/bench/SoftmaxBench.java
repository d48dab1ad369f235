package dev.slicedattention.bench;

import dev.slicedattention.Backend;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.Tensor;
import dev.slicedattention.validation.AttentionBatch;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Lesson: the quadratic baseline, measured exactly like the forward pass, so the crossover length
 * (where sliced attention's O(n log n) overtakes softmax's O(m·n·(d+e))) is read off two curves
 * taken the same way on the same backend.
 *
 * <p>Measures {@link Backend#softmax(AttentionBatch)} — naive softmax attention, SPEC §5, on the
 * same inputs as {@link ForwardPassBench} (θ unused) — per backend and n. Its sizes stop far below
 * the forward pass's (at n = 2^14 one call is already ~10¹¹ flops) and start far below too: on a CPU
 * the crossover lies below a few hundred keys, so {@link BenchMain} also runs the forward pass there.
 * The setup makes one untimed call (a device backend builds and compiles its plan there).
 *
 * <p>Minimum bytes ({@link MinBytes#softmax}): read Q, K, V, write O, per head
 * 4·(m·d + n·d + n·e + m·e), times P. Softmax is compute-bound, so its roof fraction is tiny by
 * nature; the figure is there for the throughput, not the efficiency.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class SoftmaxBench {
    /** A backend name as {@code SlicedAttention.backends()} lists it. */
    @Param({"jvm-seq"})
    public String backend;

    /** Keys per head (and queries: m = n). */
    @Param({"64", "256", "1024", "4096"})
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
        handle.softmax(batch);
    }

    @Benchmark
    public Tensor softmax() {
        return handle.softmax(batch);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (handle != null) {
            handle.close();
        }
    }
}
