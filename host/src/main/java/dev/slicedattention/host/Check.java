package dev.slicedattention.host;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.results.RunRecord;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.ErrorMetrics;
import dev.slicedattention.validation.NaiveReference;
import dev.slicedattention.validation.TolerancePolicy;
import dev.slicedattention.validation.sequential.SequentialPipeline64;

/**
 * The float64 ground truth for a batch and the verdict on an output. The naive O(m·n·e) reference
 * where it is affordable, else the float64 sequential pipeline (itself checked against the naive
 * reference to 1e-12 by the validation module's tests).
 */
final class Check {
    /** Above this many multiply-adds (P·m·n·e) the naive reference takes too long for a showcase. */
    static final long NAIVE_LIMIT = 1L << 31;

    final double[] reference;
    final String referenceName;

    private Check(double[] reference, String referenceName) {
        this.reference = reference;
        this.referenceName = referenceName;
    }

    static Check of(AttentionBatch batch) {
        long work = (long) batch.heads() * batch.m() * batch.n() * batch.e();
        if (work <= NAIVE_LIMIT) {
            return new Check(NaiveReference.attend(batch), RunRecord.REFERENCE_NAIVE);
        }
        return new Check(SequentialPipeline64.forward(batch), RunRecord.REFERENCE_SEQUENTIAL);
    }

    /** The JVM backends keep float64 accumulation; device backends sum in float32 blocks. */
    static TolerancePolicy policyFor(BackendInfo backend) {
        // A split that holds a TornadoVM device ("split:tornado:0:0,jvm-par") is judged as the device.
        return backend.family().startsWith("tornado") || backend.name().contains("tornado")
                ? TolerancePolicy.BLOCKED_FLOAT32 : TolerancePolicy.SEQUENTIAL_FLOAT32;
    }

    Verdict judge(float[] output, AttentionBatch batch, BackendInfo backend) {
        ErrorMetrics metrics = ErrorMetrics.compare(output, reference, batch);
        double tolerance = policyFor(backend).tolerance(batch.n());
        // A NaN or ±∞ in the output makes the error infinite (ErrorMetrics), so it fails here too.
        boolean pass = metrics.relativeError() <= tolerance;
        return new Verdict(metrics, tolerance, referenceName, pass);
    }

    record Verdict(ErrorMetrics metrics, double tolerance, String reference, boolean pass) {}
}
