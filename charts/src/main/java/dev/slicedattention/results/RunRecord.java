package dev.slicedattention.results;

/**
 * One measured (backend, size) point: timings, the speedup over jvm-seq and the accuracy check.
 *
 * @param backend         backend id ("jvm-seq", "jvm-par", "tornado:0:0")
 * @param device          the device's name (as in {@link DeviceInfo#deviceName()})
 * @param heads           problems per launch (batch × heads)
 * @param m               queries per problem
 * @param n               keys per problem (the sequence length the charts plot against)
 * @param d               query/key dimension
 * @param e               value dimension
 * @param stages          median ms per stage
 * @param totalMillis     median ms of the whole forward pass (transfers included)
 * @param firstCallMillis ms of the first, untimed call (device JIT compilation included); null when not measured
 * @param softmaxMillis   median ms of softmax attention on the same backend and shapes; null when not measured
 * @param speedupOverSeq  jvm-seq's totalMillis at the same size divided by this totalMillis (1 for jvm-seq)
 * @param relError        max_i ‖O_i − R_i‖∞ / max_i ‖R_i‖∞ against the float64 reference
 * @param maxAbsError     max_i ‖O_i − R_i‖∞
 * @param tolerance       the relError bound this record was checked against
 * @param reference       "float64-naive" or "float64-sequential"
 * @param pass            relError ≤ tolerance (and the output was finite)
 * @param timing          the spread of the timed calls' totals; null when not recorded (older results, JMH runs)
 */
public record RunRecord(
        String backend,
        String device,
        int heads,
        int m,
        int n,
        int d,
        int e,
        StageTimes stages,
        double totalMillis,
        Double firstCallMillis,
        Double softmaxMillis,
        double speedupOverSeq,
        double relError,
        double maxAbsError,
        double tolerance,
        String reference,
        boolean pass,
        TimingSpread timing) {

    public static final String REFERENCE_NAIVE = "float64-naive";
    public static final String REFERENCE_SEQUENTIAL = "float64-sequential";

    public RunRecord {
        if (stages == null) {
            stages = StageTimes.ZERO;
        }
    }

    /** A record without a timing spread. */
    public RunRecord(String backend, String device, int heads, int m, int n, int d, int e, StageTimes stages,
                     double totalMillis, Double firstCallMillis, Double softmaxMillis, double speedupOverSeq,
                     double relError, double maxAbsError, double tolerance, String reference, boolean pass) {
        this(backend, device, heads, m, n, d, e, stages, totalMillis, firstCallMillis, softmaxMillis, speedupOverSeq,
                relError, maxAbsError, tolerance, reference, pass, null);
    }

    /**
     * The speedup's interval from the two spreads: jvm-seq's quartiles over this record's, the widest
     * combination ({low, high}); null when either spread is unknown.
     */
    public double[] speedupInterval(RunRecord seq) {
        if (timing == null || seq == null || seq.timing() == null || timing.p25Millis() <= 0 || timing.p75Millis() <= 0) {
            return null;
        }
        return new double[] {seq.timing().p25Millis() / timing.p75Millis(), seq.timing().p75Millis() / timing.p25Millis()};
    }

    /** Queries processed per second: heads·m / (totalMillis / 1000); 0 when totalMillis ≤ 0. */
    public double tokensPerSecond() {
        return throughput(totalMillis);
    }

    /**
     * Queries per second if only the given stage ran: heads·m / (stage ms / 1000); NaN when that
     * stage took no measurable time.
     */
    public double stageTokensPerSecond(String stageKey) {
        double millis = stages.millis(stageKey);
        return millis > 0 ? (double) heads * m / (millis / 1000.0) : Double.NaN;
    }

    /** Softmax attention's queries per second on the same shapes, NaN when not measured. */
    public double softmaxTokensPerSecond() {
        return softmaxMillis != null && softmaxMillis > 0 ? throughput(softmaxMillis) : Double.NaN;
    }

    private double throughput(double millis) {
        return millis > 0 ? (double) heads * m / (millis / 1000.0) : 0.0;
    }
}
