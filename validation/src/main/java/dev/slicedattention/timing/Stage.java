package dev.slicedattention.timing;

/** The five stages of the pipeline (SPEC §2), plus the host↔device copies of device backends. */
public enum Stage {
    PROJECTION("projection"),
    SORT("sort"),
    PREFIX_SUM("prefixSum"),
    RANK("rank"),
    COMBINE("combine"),
    TRANSFER_IN("transferIn"),
    TRANSFER_OUT("transferOut");

    private final String key;

    Stage(String key) {
        this.key = key;
    }

    /** The stage's name in results files and tables. */
    public String key() {
        return key;
    }

    /** The five compute stages, in pipeline order. */
    public static Stage[] compute() {
        return new Stage[] {PROJECTION, SORT, PREFIX_SUM, RANK, COMBINE};
    }
}
