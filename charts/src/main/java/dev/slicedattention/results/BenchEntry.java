package dev.slicedattention.results;

/**
 * One JMH benchmark result, reduced to what the report shows.
 *
 * @param benchmark      the JMH benchmark's name
 * @param backend        the backend measured
 * @param stage          one of {@link #STAGES}: a pipeline stage, "forward" (the whole pass),
 *                       "softmax" (the baseline), or a memory-roof probe ("copyRoof", "triadRoof")
 * @param n              keys per problem
 * @param d              query/key dimension
 * @param e              value dimension
 * @param heads          problems per launch
 * @param millis         the score, ms per operation
 * @param minBytes       the bytes the stage must at least read and write
 * @param bytesPerSecond minBytes / (millis / 1000)
 * @param roofFraction   bytesPerSecond / the memory roof of that backend (its copyRoof or triadRoof); null when unknown
 * @param kernel         the attention kernel measured, {@code relu} or {@code bump}; null for the roof probes and
 *                       softmax (summaries written before the bump existed read as null: they measured relu)
 */
public record BenchEntry(
        String benchmark,
        String backend,
        String stage,
        int n,
        int d,
        int e,
        int heads,
        double millis,
        double minBytes,
        double bytesPerSecond,
        Double roofFraction,
        String kernel) {

    /** An entry without a kernel (a roof probe, softmax). */
    public BenchEntry(String benchmark, String backend, String stage, int n, int d, int e, int heads, double millis,
                      double minBytes, double bytesPerSecond, Double roofFraction) {
        this(benchmark, backend, stage, n, d, e, heads, millis, minBytes, bytesPerSecond, roofFraction, null);
    }

    /** The stage names a bench entry may carry. */
    public static final java.util.List<String> STAGES = java.util.List.of(
            "projection", "sort", "prefixSum", "rank", "combine", "forward", "softmax", "copyRoof", "triadRoof",
            "layer", "layerDense", "layerProjection", "layerKernel");

    /** Whether this entry measures a memory roof rather than a pipeline stage. */
    public boolean roofProbe() {
        return "copyRoof".equals(stage) || "triadRoof".equals(stage);
    }
}
