package dev.slicedattention.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.tornado.graphs.ForwardPlan;
import dev.slicedattention.tornado.kernels.LayerKernels;
import dev.slicedattention.validation.projection.MlpProjection;
import java.util.SplittableRandom;
import org.apache.commons.numbers.gamma.Erf;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid2D;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** The layer front's kernels on the device, each in a one-graph plan, against float64. */
@Tag("tornado")
class LayerKernelsTest {
    @BeforeAll
    static void device() {
        TornadoTestDevice.open().close();
    }

    /**
     * The kernels' float32 erf against commons-numbers' Erf: within 2.5e-7 relative (a few float32
     * ulps) over [−6, 6] in steps of 1e-4, at tiny arguments, at the 0.75 seam and far out; and the
     * exact GELU built on it against MlpProjection's float64 GELU, within 3e-7 of max(|x|, 1e-3)... measured
     * relative to the value where it is not tiny.
     */
    @Test
    void erfAndGeluMatchFloat64() throws Exception {
        int steps = 120_001;
        float[] xs = new float[steps + 9];
        for (int i = 0; i < steps; i++) {
            xs[i] = -6.0f + i * 1e-4f;
        }
        float[] extra = {1e-30f, -1e-20f, 1e-7f, 0.74999994f, 0.75f, 3.9f, 9.0f, 25.0f, -1e30f};
        System.arraycopy(extra, 0, xs, steps, extra.length);
        FloatArray x = FloatArray.fromArray(xs), out = new FloatArray(xs.length), gelu = FloatArray.fromArray(xs.clone());
        TaskGraph graph = new TaskGraph("erf")
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, x, gelu)
                .task("erf", LayerKernels::erfValues, x, out)
                .task("gelu", LayerKernels::gelu, gelu)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, out, gelu);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            // As in the layer's MLP graph: without -cl-fast-relaxed-math.
            plan.withCompilerFlags(TornadoVMBackendType.OPENCL, ForwardPlan.EXACT_OPENCL_FLAGS).execute();
        }
        double worstErf = 0, worstGelu = 0;
        float worstAt = 0;
        for (int i = 0; i < xs.length; i++) {
            double exact = Erf.value(xs[i]);
            double relative = exact == 0 ? Math.abs(out.get(i)) : Math.abs(out.get(i) - exact) / Math.abs(exact);
            if (relative > worstErf) {
                worstErf = relative;
                worstAt = xs[i];
            }
            double g = MlpProjection.gelu(xs[i]);
            // GELU's own scale: |x| (it is x·Φ(x), and Φ's absolute error is what erf's gives it).
            worstGelu = Math.max(worstGelu, Math.abs(gelu.get(i) - g) / Math.max(Math.abs(xs[i]), 1e-30));
        }
        System.out.printf("device erf: %.3e relative (worst at %s); GELU: %.3e of |x|%n", worstErf, worstAt, worstGelu);
        assertTrue(worstErf <= 2.5e-7, "erf relative error " + worstErf + " at " + worstAt);
        assertTrue(worstGelu <= 2.5e-7, "GELU error " + worstGelu);
        assertEquals(1.0f, out.get(steps + 7));
        assertEquals(-1.0f, out.get(steps + 8));
    }

    /**
     * The tiled product y = x·Wᵀ + b with sizes that fit no tile (37 rows, 24 inputs, 5 outputs;
     * 19 × 40 → 33): every output within float32 rounding of the float64 product.
     */
    @Test
    void tiledLinearMatchesFloat64() throws Exception {
        int[][] sizes = {{37, 24, 5}, {19, 40, 33}, {16, 16, 16}};
        SplittableRandom random = new SplittableRandom(9);
        for (int[] size : sizes) {
            int rows = size[0], in = size[1], outs = size[2];
            float[] xs = gaussian(random, rows * in), ws = gaussian(random, outs * in), bs = gaussian(random, outs);
            FloatArray x = FloatArray.fromArray(xs), w = FloatArray.fromArray(ws), b = FloatArray.fromArray(bs);
            FloatArray y = new FloatArray(rows * outs);
            KernelContext context = new KernelContext();
            TaskGraph graph = new TaskGraph("tiles")
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, x, w, b)
                    .task("linear", LayerKernels::linear, context, x, w, b, y, rows, in, outs)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, y);
            int tile = LayerKernels.TILE;
            WorkerGrid2D grid = new WorkerGrid2D((outs + tile - 1) / tile * tile, (rows + tile - 1) / tile * tile);
            grid.setLocalWork(tile, tile, 1);
            try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
                plan.withGridScheduler(new GridScheduler("tiles.linear", grid)).execute();
            }
            for (int r = 0; r < rows; r++) {
                for (int o = 0; o < outs; o++) {
                    double exact = bs[o], magnitude = Math.abs(bs[o]);
                    for (int k = 0; k < in; k++) {
                        exact += (double) xs[r * in + k] * ws[o * in + k];
                        magnitude += Math.abs((double) xs[r * in + k] * ws[o * in + k]);
                    }
                    double error = Math.abs(y.get(r * outs + o) - exact);
                    int row = r, col = o;
                    assertTrue(error <= 1e-6 * magnitude, () -> rows + "x" + in + "x" + outs + " at [" + row + ", " + col + "]: " + error);
                }
            }
        }
    }

    private static float[] gaussian(SplittableRandom random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
