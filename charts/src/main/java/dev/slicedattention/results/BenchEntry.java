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
        Double roofFraction) {

    /** The stage names a bench entry may carry. */
    public static final java.util.List<String> STAGES = java.util.List.of(
            "projection", "sort", "prefixSum", "rank", "combine", "forward", "softmax", "copyRoof", "triadRoof");

    /** Whether this entry measures a memory roof rather than a pipeline stage. */
    public boolean roofProbe() {
        return "copyRoof".equals(stage) || "triadRoof".equals(stage);
    }
}
