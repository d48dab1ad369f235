// docs/API.md's Java example, verbatim, and the README's excerpt of it: ReadmeExampleTest fails if they drift apart.
package dev.slicedattention.examples;

import dev.slicedattention.Backend;
import dev.slicedattention.ForwardResult;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.Tensor;
import dev.slicedattention.validation.AttentionOptions;
import java.util.Random;

public class UseFromJava {
    public static void main(String[] args) {
        int m = 1024, n = 1024, d = 64, e = 64;
        Random random = new Random(7);
        Tensor q = Tensor.wrap(gaussian(random, m * d), m, d);
        Tensor k = Tensor.wrap(gaussian(random, n * d), n, d);
        Tensor v = Tensor.wrap(gaussian(random, n * e), n, e);
        Tensor theta = Tensor.wrap(gaussian(random, d), d);

        String name = args.length > 0 ? args[0] : "jvm-par";   // or "tornado:0:0", "fastest"
        try (Backend backend = SlicedAttention.open(name)) {
            ForwardResult result = backend.run(q, k, v, theta);
            Tensor out = result.output();                        // [m, e]
            System.out.println(backend.info().name() + " on " + backend.info().deviceName()
                    + ": output " + out.shapeText() + ", O[0][0] = " + out.get(0, 0)
                    + ", " + result.times());

            // The authors' second kernel, sliced ReLU-bump, with bandwidth b = 4 (the options are a parameter of the call).
            Tensor bump = backend.forward(q, k, v, theta, AttentionOptions.bump(4f));
            System.out.println("bump kernel: O[0][0] = " + bump.get(0, 0));
        }
    }

    static float[] gaussian(Random random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
