package dev.slicedattention.jvm.par;

import dev.slicedattention.Tensor;
import dev.slicedattention.spi.TensorBatch;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.Kernel;

/**
 * What one jvm-par forward call reads: Q, K and V as {@link InputRows} — the heap arrays of an
 * {@link AttentionBatch}, or the tensors of a {@link TensorBatch} wherever they live (a mapped
 * {@code .npy} file is read in place, never copied whole onto the heap) — θ, or the given scalars s
 * and t, and the batch's shape and options. Shapes and values were checked by the batch it came from.
 */
public record ParallelInputs(int heads, int m, int n, int d, int e, InputRows q, InputRows k, InputRows v, float[] theta,
                             /** The heap batch these inputs are (it caches ν per problem), or null for a {@link TensorBatch}. */
                             AttentionBatch heap, AttentionOptions options) {
    /** A heap batch: its arrays read where they are. */
    public static ParallelInputs of(AttentionBatch batch) {
        boolean given = batch.hasScalars();
        return new ParallelInputs(batch.heads(), batch.m(), batch.n(), batch.d(), batch.e(),
                given ? null : InputRows.of(batch.q(), batch.d()), given ? null : InputRows.of(batch.k(), batch.d()),
                InputRows.of(batch.v(), batch.e()), batch.theta(), batch, batch.options());
    }

    /** Tensors on the heap or off it: each read in place. */
    public static ParallelInputs of(TensorBatch batch) {
        return new ParallelInputs(batch.heads(), batch.m(), batch.n(), batch.d(), batch.e(), rows(batch.q(), batch.d()),
                rows(batch.k(), batch.d()), rows(batch.v(), batch.e()), batch.theta().data(), null, batch.options());
    }

    private static InputRows rows(Tensor tensor, int cols) {
        return tensor.offHeap().map(values -> InputRows.of(values, cols)).orElseGet(() -> InputRows.of(tensor.data(), cols));
    }

    public Kernel kernel() { return options.kernel(); }

    /** The batch that was given s and t, or null when they are projected from Q, K and θ. */
    AttentionBatch givenScalars() {
        return heap != null && heap.hasScalars() ? heap : null;
    }

    /**
     * Problem p's value statistics: μ (when {@code withMean}) and ν. A heap batch keeps ν from its
     * first call and sums μ in the vectorised loop; off-heap values may change between calls, so both
     * come from one parallel pass over them every time.
     */
    ParallelProjection.ColumnStatistics valueStatistics(Workers workers, int p, boolean withMean) {
        if (heap != null) {
            double[] mean = withMean ? ParallelProjection.columnMeans(workers, v, p * n, keyLength(p)) : null;
            return new ParallelProjection.ColumnStatistics(mean, heap.valueScale(p));
        }
        return ParallelProjection.columnStatistics(workers, v, p * n, keyLength(p), withMean);
    }

    /** L_p. */
    public int keyLength(int p) {
        return options.keyLengthOf(p, n);
    }

    /** M_p. */
    public int queryLength(int p) {
        return options.queryLengthOf(p, m);
    }

    /** The bump's b of problem p. */
    public float bandwidth(int p) {
        return options.bandwidthOf(p);
    }

    /** P·m·e. */
    public int outputLength() {
        return heads * m * e;
    }
}
