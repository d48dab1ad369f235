package dev.slicedattention.bench;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.bench.roof.RoofProviders;
import dev.slicedattention.spi.MemoryRoofKernel;
import dev.slicedattention.spi.MemoryRoofProvider;
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
 * Lesson: a stage's speed means little until it is set against what the memory can stream; this
 * measures that ceiling per backend, the same way the stages are measured, so that
 * efficiency = (minimum bytes ÷ time) ÷ roof is a like-for-like ratio.
 *
 * <p>STREAM's copy (b ← a) and triad (a ← b + s·c) over float arrays of {@code length} elements
 * that live where the backend keeps its data: heap arrays on jvm-seq's one thread and on jvm-par's
 * workers, device buffers for a TornadoVM device (no transfer timed). The kernels come from the
 * {@link MemoryRoofProvider} on the class path that supports the backend (the JVM one in this module,
 * TornadoVM's in its backend jar). {@link BenchMain} sizes the arrays like the largest V of the run
 * (n·e floats), well beyond the last-level cache; the setup allocates, fills and (on a device)
 * compiles and transfers, untimed.
 *
 * <p>Minimum bytes: copy 8·length ({@link MinBytes#copy}), triad 12·length ({@link MinBytes#triad}).
 * A backend's roof is the faster of the two; no write-allocate traffic is counted, as in STREAM.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class MemoryRoofBench {
    /** A backend name as {@code SlicedAttention.backends()} lists it. */
    @Param({"jvm-seq"})
    public String backend;

    /** Floats per array: 2^26 is V at n = 2^20, e = 64 (256 MB an array). */
    @Param({"67108864"})
    public int length;

    private MemoryRoofKernel kernel;

    @Setup(Level.Trial)
    public void setUp() {
        BackendInfo info = BenchInputs.backend(backend);
        kernel = RoofProviders.require(info).open(info, length);
    }

    @Benchmark
    public void copy() {
        kernel.copy();
    }

    @Benchmark
    public void triad() {
        kernel.triad();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (kernel != null) {
            kernel.close();
        }
    }
}
