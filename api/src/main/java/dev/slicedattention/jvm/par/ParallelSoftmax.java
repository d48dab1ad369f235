package dev.slicedattention.jvm.par;

import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.sequential.SequentialSoftmax;

/** Softmax attention (SPEC §5) on all cores: the sequential path's query row, rows split between threads. */
public final class ParallelSoftmax {
    private ParallelSoftmax() {}

    public static float[] forward(Workers workers, AttentionBatch batch) {
        float[] out = new float[batch.outputLength()];
        int m = batch.m();
        workers.forRange(batch.heads() * m, 16, (from, to) -> {
            float[] logits = new float[batch.n()];
            for (int row = from; row < to; row++) {
                SequentialSoftmax.queryRow(batch, row / m, row % m, logits, out);
            }
        });
        return out;
    }
}
