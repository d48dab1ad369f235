package dev.slicedattention.tornado;

import dev.slicedattention.Tensor;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * TornadoVM's off-heap {@link FloatArray}s as API {@link Tensor}s, without a copy.
 *
 * <pre>{@code
 * FloatArray q = new FloatArray(m * d), k = ..., v = ..., theta = ...;   // filled by your own code or kernels
 * try (Backend backend = SlicedAttention.open("tornado")) {
 *     Tensor out = backend.forward(TornadoTensors.wrap(q, m, d), TornadoTensors.wrap(k, n, d),
 *                                  TornadoTensors.wrap(v, n, e), TornadoTensors.wrap(theta, d));
 * }
 * }</pre>
 *
 * <p>A TornadoVM backend builds its execution plan on these very arrays: the plan's first task
 * graph sends them to the device as they are, with no copy on the host. The plan is kept for the
 * shape and the set of arrays, so <em>keep the arrays and refill them between calls</em>: a call
 * with a new set of arrays builds and compiles a new plan (its time is reported as setup), and the
 * backend holds on to the arrays of its most recent plans until it is closed. The JVM backends
 * accept these tensors too and copy them to the heap once per call. Softmax copies them as well.
 */
public final class TornadoTensors {
    private TornadoTensors() {}

    /**
     * A tensor of the given shape over {@code array}, which must hold exactly as many values
     * (row-major). The values are read when a backend runs; change them between calls, not during one.
     */
    public static Tensor wrap(FloatArray array, int... shape) {
        return Tensor.view(new FloatArrayValues(array), shape);
    }
}
