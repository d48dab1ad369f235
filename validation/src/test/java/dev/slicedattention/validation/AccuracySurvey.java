package dev.slicedattention.validation;

import dev.slicedattention.validation.sequential.SequentialPipeline;
import dev.slicedattention.validation.sequential.SequentialPipeline64;

/** Not a test: prints the error of each path per generator, to calibrate the tolerance policy. */
public final class AccuracySurvey {
    public static void main(String[] args) {
        int[] sizes = {1, 2, 3, 17, 1000, 4096};
        for (InputGenerator g : InputGenerator.values()) {
            double worst32 = 0, worst64 = 0;
            for (int n : sizes) {
                for (int heads : new int[] {1, 3}) {
                    AttentionBatch b = g.generate(new Shape(heads, n, n, 16, 8), 42 + n);
                    double[] ref = NaiveReference.attend(b);
                    ErrorMetrics e32 = ErrorMetrics.compare(SequentialPipeline.forward(b), ref, b);
                    ErrorMetrics e64 = ErrorMetrics.compare(SequentialPipeline64.forward(b), ref, b);
                    worst32 = Math.max(worst32, e32.relativeError());
                    worst64 = Math.max(worst64, e64.relativeError());
                    if (n == 4096 && heads == 1) {
                        System.out.printf("  %s n=%d spec32=%.3g rel32=%.3g refMax=%.3g floor=%.3g%n", g, n,
                                e32.specRelativeError(), e32.relativeError(), e32.referenceMax(), e32.valueScale());
                    }
                }
            }
            System.out.printf("%-16s worst32=%.3g worst64=%.3g%n", g, worst32, worst64);
        }
    }
}
