package dev.slicedattention.results;

import java.util.List;

/**
 * The end-to-end comparison of {@code scripts/bench --peers}: whole processes on the same files,
 * written as {@code peers.json} beside a run's results and shown in its report.
 *
 * @param n         keys = queries
 * @param d         key dimension
 * @param e         value dimension
 * @param rounds    paired rounds behind each median
 * @param contenders each contender, run or skipped
 */
public record PeerResults(int n, int d, int e, int rounds, List<Contender> contenders) {
    public static final String FILE = "peers.json";

    public PeerResults {
        contenders = contenders == null ? List.of() : List.copyOf(contenders);
    }

    /**
     * One contender.
     *
     * @param name        what ran
     * @param command     its command line (without the output path)
     * @param walls       every timed round's wall time, seconds
     * @param wallSeconds their median
     * @param maxRssMb    the largest peak resident set over the rounds (GNU time), or null
     * @param relError    its output against the float64 reference
     * @param skipReason  why it did not run (null when it ran)
     */
    public record Contender(String name, String command, List<Double> walls, double wallSeconds, Double maxRssMb,
                            double relError, String skipReason) {}
}
