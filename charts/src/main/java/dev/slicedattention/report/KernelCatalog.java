package dev.slicedattention.report;

import java.util.List;
import java.util.Optional;

/**
 * What the kernel gallery teaches, stage by stage: the sequential twin of each stage, and the task
 * graphs the TornadoVM backend ({@code ForwardPlan}) chains for it, each with the kernels it holds in
 * launch order — the same files, and the same kernels in the same order, as the device-code dumps
 * ({@code kernels/<file>.cl}) a run with a device writes.
 *
 * <p>Where a run dumped a graph's device code, the dump is the truth: the gallery shows its kernels
 * and finds each one's Java by name. This catalogue fills in the rest (runs without a device, the
 * variant that did not run), and {@link KernelGallery} also shows any {@code .task(…)} of
 * {@code ForwardPlan} that is missing here, placed by its kernel class, so a new kernel is never
 * hidden.
 */
public final class KernelCatalog {
    private KernelCatalog() {}

    /** Which attention kernel (or front) a graph file belongs to. */
    public enum Variant {
        RELU("ReLU kernel"), BUMP("bump kernel"), BOTH("both kernels"),
        SCALARS_RELU("given scalars, ReLU kernel"), SCALARS_BUMP("given scalars, bump kernel"),
        CAUSAL("causal mode"), OTHER("outside the five stages");

        private final String label;

        Variant(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** Whether a run of the attention kernel {@code kernel} ("relu" or "bump", from θ) executes this graph file. */
        public boolean ranBy(String kernel) {
            return this == BOTH || (this == RELU && !"bump".equals(kernel)) || (this == BUMP && "bump".equals(kernel));
        }
    }

    /**
     * One task of a graph: {@code .task("task", KernelClass::method, …)}.
     *
     * @param role what it computes, one line
     */
    public record Task(String task, String kernelClass, String method, String role) {}

    /**
     * A task graph as dumped: file {@code kernels/<file>.cl}.
     *
     * @param file    the dump's file stem, e.g. "prefix-sum" or "prefix-sum-bump"
     * @param graph   the graph's name in ForwardPlan (GRAPHS), e.g. "prefixSum"
     * @param variant which runs execute it
     * @param executes how often the host executes the graph per forward call
     * @param tasks   its kernels in launch order
     */
    public record Graph(String file, String graph, Variant variant, String executes, List<Task> tasks) {}

    /** A method of the sequential twin. */
    public record TwinMethod(String className, String method) {}

    /**
     * A pipeline stage.
     *
     * @param key     the stage key of results.json ({@code StageTimes.KEYS})
     * @param anchor  the id of its section in kernels.html
     * @param title   its heading
     * @param summary what it computes
     * @param twin    the sequential twin's methods
     * @param graphs  the task graphs that compute it on the device
     */
    public record Stage(String key, String anchor, String title, String summary, List<TwinMethod> twin, List<Graph> graphs) {}

    private static final String ONCE = "once per call";

    public static final List<Stage> STAGES = List.of(
            new Stage("projection", "projection", "1. Projection",
                    "Every query and key row becomes one number: s = (Q − c)·θ and t = (K − c)·θ, after subtracting the "
                            + "key centre c (column means of K) so that float32 keeps the digits that tell keys apart; for "
                            + "the ReLU kernel also the value mean μ. The keys go into padded slots for the sort.",
                    List.of(new TwinMethod("Projection", "centre"), new TwinMethod("Projection", "valueMean"),
                            new TwinMethod("Projection", "project"), new TwinMethod("Projection", "projectRow")),
                    List.of(
                            new Graph("projection", "projection", Variant.RELU, ONCE, List.of(
                                    new Task("centrePartials", "ProjectionKernels", "columnPartials",
                                            "key centre, first level: a partial column sum per chunk of 256 rows"),
                                    new Task("centre", "ProjectionKernels", "meansOfPartials",
                                            "key centre, second level: the partials summed (compensated) and divided by L"),
                                    new Task("valuePartials", "ProjectionKernels", "scaledColumnPartials",
                                            "value mean, first level, over V/ν"),
                                    new Task("valueMean", "ProjectionKernels", "meansOfPartials",
                                            "value mean, second level (the same kernel as the centre's)"),
                                    new Task("queries", "ProjectionKernels", "projectQueries", "s = (Q − c)·θ, one work-item per query"),
                                    new Task("keys", "ProjectionKernels", "projectKeys",
                                            "t = (K − c)·θ into padded key slots, with each key's index"))),
                            new Graph("projection-bump", "projection", Variant.BUMP, ONCE, List.of(
                                    new Task("centrePartials", "ProjectionKernels", "columnPartials", "key centre, first level"),
                                    new Task("centre", "ProjectionKernels", "meansOfPartials", "key centre, second level"),
                                    new Task("queries", "ProjectionKernels", "projectQueriesCompensated",
                                            "s = (Q − c)·θ with a float-float running sum"),
                                    new Task("keys", "ProjectionKernels", "projectKeysCompensated",
                                            "t = (K − c)·θ with a float-float running sum, into padded key slots"))),
                            new Graph("projection-scalars", "projection", Variant.SCALARS_RELU, ONCE, List.of(
                                    new Task("valuePartials", "ProjectionKernels", "scaledColumnPartials", "value mean, first level"),
                                    new Task("valueMean", "ProjectionKernels", "meansOfPartials", "value mean, second level"),
                                    new Task("keys", "ProjectionKernels", "givenKeys", "the given t into padded key slots"))),
                            new Graph("projection-scalars-bump", "projection", Variant.SCALARS_BUMP, ONCE, List.of(
                                    new Task("keys", "ProjectionKernels", "givenKeys", "the given t into padded key slots"))))),
            new Stage("sort", "sort", "2. Sort",
                    "The keys t in ascending order with the permutation π that sorts them (ties by index). The twin "
                            + "packs (key, index) into longs and calls Arrays.sort; the device runs a bitonic sorting "
                            + "network: passes with small distances in local memory, the others three per launch in private memory.",
                    List.of(new TwinMethod("KeySort", "sort"), new TwinMethod("KeySort", "pack"),
                            new TwinMethod("KeySort", "sortableBits")),
                    List.of(
                            new Graph("sort-local", "sortLocal", Variant.BOTH,
                                    "1 + log2(N/512) times per call (N = n rounded up to a power of two)", List.of(
                                    new Task("local", "BitonicSortKernels", "localPasses",
                                            "the passes with distance ≤ 256 of a block of 512 keys, in local memory (KernelContext)"))),
                            new Graph("sort-global", "sortGlobal", Variant.BOTH,
                                    "once per three passes with distance ≥ 512: Σ over the stages k = 1024..N of ⌈log2(k/512) / 3⌉", List.of(
                                    new Task("global", "BitonicSortKernels", "globalPasses",
                                            "three compare-exchange passes, 8 slots per work-item in private memory"))))),
            new Stage("prefixSum", "prefix-sum", "3. Prefix sum",
                    "The value rows gathered in sorted-key order, then exclusive prefix sums over that order: "
                            + "A = ΣU, B = Στ̂U and C = Στ̂ (U = V/ν − μ̂ for ReLU, V/ν for the bump). The twin is one "
                            + "running sum in float64; the device runs a three-phase blocked scan so that the work "
                            + "splits into many work-items and the float32 error stays small.",
                    List.of(new TwinMethod("PrefixSums", "scaleOf"), new TwinMethod("PrefixSums", "compute"),
                            new TwinMethod("PrefixSums", "unit")),
                    List.of(
                            new Graph("prefix-sum", "prefixSum", Variant.RELU, ONCE, List.of(
                                    new Task("scale", "GatherKernels", "scale", "σ, the power of two that scales the keys"),
                                    new Task("gather", "GatherKernels", "gather",
                                            "rows [U | τ̂·U | τ̂] in sorted-key order (a gather from V)"),
                                    new Task("blockTotals", "PrefixSumKernels", "blockTotals", "scan phase 1: the sum of each block of 256 rows"),
                                    new Task("blockOffsets", "PrefixSumKernels", "blockOffsets",
                                            "scan phase 2: the block totals become exclusive offsets"),
                                    new Task("addBack", "PrefixSumKernels", "addBack",
                                            "scan phase 3: each block re-scans its rows from its offset"),
                                    new Task("residualMeans", "CombineKernels", "residualMeans",
                                            "δ = A_L / L, the rounding left by the centring, for the combine"))),
                            new Graph("prefix-sum-bump", "prefixSum", Variant.BUMP, ONCE, List.of(
                                    new Task("scale", "GatherKernels", "scale", "σ"),
                                    new Task("gather", "GatherKernels", "gatherBump", "rows [U | τ̂·U] in sorted-key order"),
                                    new Task("blockTotals", "CompensatedPrefixSumKernels", "compensatedTotals",
                                            "scan phase 1 in float-float (hi + lo)"),
                                    new Task("blockOffsets", "CompensatedPrefixSumKernels", "compensatedOffsets",
                                            "scan phase 2 in float-float"),
                                    new Task("addBack", "CompensatedPrefixSumKernels", "compensatedAddBack",
                                            "scan phase 3 in float-float"))))),
            new Stage("rank", "rank", "4. Rank",
                    "Where each query stands among the sorted keys: r_i = #{t_j < s_i} for ReLU; for the bump the "
                            + "window l_i, r_i, h_i of the keys within b of s_i. A binary search per query on both sides.",
                    List.of(new TwinMethod("Rank", "ranks"), new TwinMethod("Rank", "windows"),
                            new TwinMethod("Rank", "lowerBound"), new TwinMethod("Rank", "upperBound")),
                    List.of(
                            new Graph("rank", "rank", Variant.RELU, ONCE, List.of(
                                    new Task("rank", "RankKernels", "ranks", "r_i by binary search, one work-item per query"))),
                            new Graph("rank-bump", "rank", Variant.BUMP, ONCE, List.of(
                                    new Task("windows", "RankKernels", "windows", "(l, r, h) of each query, three binary searches"))))),
            new Stage("combine", "combine", "5. Combine",
                    "Each output row from its rank and the prefix sums at that rank: for ReLU "
                            + "O = 2ν·(ŝA_r − B_r)/(ŝ(2r − L) + C_L − 2C_r); for the bump the window differences. "
                            + "One work-item per (query, value column).",
                    List.of(new TwinMethod("Combine", "combine"), new TwinMethod("Combine", "combineRow"),
                            new TwinMethod("Combine", "bump"), new TwinMethod("Combine", "bumpRow")),
                    List.of(
                            new Graph("combine", "combine", Variant.RELU, ONCE, List.of(
                                    new Task("combine", "CombineKernels", "combine", "O from r, A, B, C and δ"))),
                            new Graph("combine-bump", "combine", Variant.BUMP, ONCE, List.of(
                                    new Task("combine", "CombineKernels", "bump", "O from the window (l, r, h) and the float-float sums"))))));

    /** The stage of a graph file stem ("prefix-sum-bump" → prefix sum), if it is one of the catalogue's or shaped like one. */
    public static Optional<Stage> stageOfFile(String file) {
        for (Stage stage : STAGES) {
            for (Graph graph : stage.graphs()) {
                if (graph.file().equals(file)) {
                    return Optional.of(stage);
                }
            }
        }
        for (Stage stage : STAGES) {
            if (file.startsWith(stage.anchor()) || (stage.key().equals("sort") && file.startsWith("sort"))) {
                return Optional.of(stage);
            }
        }
        return Optional.empty();
    }

    /** The catalogue's graph for a file stem, if any. */
    public static Optional<Graph> graphOfFile(String file) {
        return STAGES.stream().flatMap(s -> s.graphs().stream()).filter(g -> g.file().equals(file)).findFirst();
    }

    /** The stage a kernel class's tasks belong to when the catalogue does not place them. */
    public static Optional<Stage> stageOfClass(String kernelClass) {
        String key = switch (kernelClass) {
            case "ProjectionKernels" -> "projection";
            case "BitonicSortKernels" -> "sort";
            case "GatherKernels", "PrefixSumKernels", "CompensatedPrefixSumKernels" -> "prefixSum";
            case "RankKernels" -> "rank";
            case "CombineKernels" -> "combine";
            default -> null;
        };
        return STAGES.stream().filter(s -> s.key().equals(key)).findFirst();
    }

    /** The variant of a graph file stem not in the catalogue, from its suffix. */
    public static Variant variantOfFile(String file) {
        if (file.contains("-scalars")) {
            return file.endsWith("-bump") ? Variant.SCALARS_BUMP : Variant.SCALARS_RELU;
        }
        if (file.endsWith("-bump")) {
            return Variant.BUMP;
        }
        return file.startsWith("sort") ? Variant.BOTH : Variant.RELU;
    }
}
