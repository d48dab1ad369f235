package dev.slicedattention.bench;

import dev.slicedattention.Backend;
import dev.slicedattention.Layer;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.Tensor;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.layer.LayerWeights;
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
 * Lesson: a layer is more than its attention. Measures the authors' whole module ({@link Layer}: q, k,
 * v = X·Wᵀ + b, the learned scalar projection, then the kernel on a backend) at B = 1, and splits the
 * call into its dense part, its projection and its kernel with aux counters, as
 * {@link ForwardPassBench} splits the kernel into stages. The dense part is 3 matrix products of
 * T × hidden by hidden × hidden (compute-bound: {@link BenchMain} reports GFLOP/s); the kernel is the
 * forward pass on the projected scalars.
 *
 * <p>Weights are random (seeded), scaled 1/√hidden as PyTorch initialises nn.Linear.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class LayerBench {
    @Param({"jvm-par"})
    public String backend;

    /** Tokens T (B = 1). */
    @Param({"65536", "1048576"})
    public int tokens;

    @Param({"256"})
    public int hidden;

    @Param({"4"})
    public int heads;

    /** relu (the MLP projection) or bump (the linear projection). */
    @Param({"relu"})
    public String kernel;

    private Backend handle;
    private Layer layer;
    private Tensor x;

    @Setup(Level.Trial)
    public void setUp() {
        LayerWeights weights = BenchInputs.layerWeights(Kernel.parse(kernel), heads, hidden);
        layer = Layer.of(weights);
        x = Tensor.wrap(BenchInputs.gaussian(tokens * hidden, 1.0, BenchInputs.SEED), 1, tokens, hidden);
        // The benchmark times the operator alone; the per-call spot check's cost is measured on its own (SpotCheckCost).
        handle = SlicedAttention.open(backend).spotCheck(0);
        layer.forward(handle, x, null); // the first call: JIT, and a device's plan
    }

    @Benchmark
    public Tensor layer(LayerCounters counters) {
        Layer.Result result = layer.forward(handle, x, null);
        counters.add(result);
        return result.output();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (handle != null) {
            handle.close();
        }
    }

    /** ns of the dense part, the projection and the kernel, summed per iteration, and the calls. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class LayerCounters {
        public long calls;
        public long denseNs;
        public long projectionNs;
        public long kernelNs;

        void add(Layer.Result result) {
            StageTimes kernelTimes = result.kernel();
            calls++;
            denseNs += result.denseNanos();
            projectionNs += result.projectionNanos();
            kernelNs += kernelTimes.totalNanos();
        }
    }
}
