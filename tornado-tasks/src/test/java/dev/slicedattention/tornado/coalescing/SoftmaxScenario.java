package dev.slicedattention.tornado.coalescing;

import dev.slicedattention.tornado.kernels.SoftmaxKernels;
import java.util.SplittableRandom;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/** SoftmaxPlan's one launch (the quadratic reference on the device), one head, not causal. */
public final class SoftmaxScenario {
    /** n = m: the kernel is quadratic, and a warp's pattern does not depend on n. */
    public static final int N = 64;

    public void run(Launcher launcher, long seed) {
        int heads = 1, m = N, n = N, d = ForwardScenario.D, e = ForwardScenario.E;
        SplittableRandom random = new SplittableRandom(seed);
        FloatArray q = launcher.name(ForwardScenario.randoms(heads * m * d, random), "q");
        FloatArray k = launcher.name(ForwardScenario.randoms(heads * n * d, random), "k");
        FloatArray v = launcher.name(ForwardScenario.randoms(heads * n * e, random), "v");
        FloatArray out = launcher.name(new FloatArray(heads * m * e), "out");
        IntArray lengths = launcher.name(IntArray.fromElements(n, m, 0), "lengths");
        launcher.parallel("softmax", SoftmaxKernels.class, "attention", q, k, v, lengths, out, m, n, d, e);
    }
}
