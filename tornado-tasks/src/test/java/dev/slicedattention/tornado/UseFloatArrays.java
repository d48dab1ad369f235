// docs/API.md's FloatArray example, verbatim: FloatArrayReadmeExampleTest fails if the two drift apart.
package dev.slicedattention.tornado;

import dev.slicedattention.Backend;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.Tensor;
import java.util.Random;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

public class UseFloatArrays {
    public static void main(String[] args) {
        int m = 1024, n = 1024, d = 64, e = 64;
        FloatArray q = new FloatArray(m * d), k = new FloatArray(n * d);
        FloatArray v = new FloatArray(n * e), theta = new FloatArray(d);
        Tensor qt = TornadoTensors.wrap(q, m, d), kt = TornadoTensors.wrap(k, n, d);   // views: no copy
        Tensor vt = TornadoTensors.wrap(v, n, e), thetat = TornadoTensors.wrap(theta, d);

        try (Backend backend = SlicedAttention.open(args.length > 0 ? args[0] : "tornado")) {
            for (int step = 0; step < 3; step++) {
                fill(new Random(step), q, k, v, theta);   // refill the same arrays: the plan is built on them
                Tensor out = backend.forward(qt, kt, vt, thetat);
                System.out.println(backend.info().name() + " step " + step + ": O[0][0] = " + out.get(0, 0));
            }
        }
    }

    static void fill(Random random, FloatArray... arrays) {
        for (FloatArray array : arrays) {
            for (int i = 0; i < array.getSize(); i++) {
                array.set(i, (float) random.nextGaussian());
            }
        }
    }
}
