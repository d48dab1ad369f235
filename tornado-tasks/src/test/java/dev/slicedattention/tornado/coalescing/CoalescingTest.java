package dev.slicedattention.tornado.coalescing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.tornado.coalescing.fixtures.LayoutFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The coalescing measure (no device needed: the kernels' Java runs instrumented on the host) on
 * kernels whose figures are known by hand, and on every kernel the plans launch (CoalescingReport).
 */
@Tag("tornado")
class CoalescingTest {

    private static AccessFigure only(List<AccessFigure> figures, String kernel, String array, boolean store) {
        List<AccessFigure> matches = figures.stream()
                .filter(f -> f.kernel().equals(kernel) && f.array().equals(array) && f.store() == store).toList();
        assertEquals(1, matches.size(), kernel + " " + array + ": " + figures);
        return matches.getFirst();
    }

    @Test
    void fixturesGiveTheSectorsCountedByHand() {
        Launcher launcher = new Launcher();
        int rows = 256, cols = 64;
        FloatArray in = launcher.name(ForwardScenario.randoms(rows * cols, new java.util.SplittableRandom(3)), "in");
        FloatArray out = launcher.name(new FloatArray(rows * cols), "out");
        FloatArray sums = launcher.name(new FloatArray(rows), "sums");
        FloatArray scale = launcher.name(FloatArray.fromElements(2.0f), "scale");
        launcher.parallel("fixtures", LayoutFixtures.class, "copy", in, out);
        launcher.parallel("fixtures", LayoutFixtures.class, "rowSums", in, sums, cols);
        launcher.parallel("fixtures", LayoutFixtures.class, "columnOuter", in, scale, out, rows, cols);
        launcher.parallel("fixtures", LayoutFixtures.class, "rowOuter", in, scale, out, rows, cols);
        launcher.context("fixtures", LayoutFixtures.class, "reverseInGroups", rows * cols, 1, 256, 1, Launcher.anyContext(), in, out);
        List<AccessFigure> figures = launcher.figures();

        // 32 neighbouring floats: 128 bytes from byte 16 + 128·w, five sectors.
        assertEquals(5.0, only(figures, "LayoutFixtures.copy", "in", false).ptx());
        assertEquals(5.0, only(figures, "LayoutFixtures.copy", "out", true).openCl());
        // A 256-byte row per work-item: every work-item its own sector, on every request.
        assertEquals(32.0, only(figures, "LayoutFixtures.rowSums", "in", false).ptx());
        assertEquals(5.0, only(figures, "LayoutFixtures.rowSums", "sums", true).ptx());
        // Two loops: the loop order decides, and the backends disagree.
        AccessFigure columnOuter = only(figures, "LayoutFixtures.columnOuter", "in", false);
        assertEquals(32.0, columnOuter.ptx());
        assertEquals(5.0, columnOuter.openCl());
        AccessFigure rowOuter = only(figures, "LayoutFixtures.rowOuter", "out", true);
        assertEquals(5.0, rowOuter.ptx());
        assertEquals(32.0, rowOuter.openCl());
        // The same address in every work-item: one sector.
        assertEquals(1.0, only(figures, "LayoutFixtures.rowOuter", "scale", false).ptx());
        // KernelContext: consecutive local ids, and the reversal done through local memory is not a global access.
        assertEquals(5.0, only(figures, "LayoutFixtures.reverseInGroups", "in", false).ptx());
        assertEquals(5.0, only(figures, "LayoutFixtures.reverseInGroups", "out", true).ptx());
        for (int i = 0; i < rows * cols; i++) {
            int base = i / 256 * 256;
            assertEquals(in.get(base + 255 - (i - base)), out.get(i), "the work-group simulation reversed slot " + i);
        }
    }

    /** Why a kernel may exceed {@link #MOST_SECTORS} under a mapping: the reasons, named once. */
    private static final String COLUMN_OUTER = "the outer @Parallel loop is the column and the inner the row (the order that"
            + " measured fastest on PoCL): under PTX the inner loop is x, so a warp's neighbours are rows apart";
    private static final String ROW_OUTER = "the outer @Parallel loop is the row and the inner the column: in OpenCL C the"
            + " outer loop is dimension 0, so a warp's neighbours are rows apart";
    private static final String ROW_PER_ITEM = "one work-item per row, the row's d or e floats in a sequential loop: a warp"
            + " reads 32 rows at once, one sector each (needs a work-group per row, KernelContext)";
    private static final String CAUSAL_ROWS = ROW_PER_ITEM + "; chosen for the causal kernels because it measured 2 to 4"
            + " times faster on PoCL than a work-item per (column, row) (CausalKernels#reluLevel)";
    private static final String CHUNK_PER_ITEM = "one work-item per chunk of 256 slots, the chunk's rows and columns in"
            + " sequential loops: a warp's neighbours are 256 rows apart";
    private static final String BINARY_SEARCH = "a binary search per query: the probes of a warp's 32 queries land wherever"
            + " the keys lie (data-dependent, bounded by log2 n requests per query)";
    private static final String WINDOW_TRIPLES = "the bump's windows are three ints per query (12 bytes apart)";
    private static final String MASK_ORDER = "reads the scalars in the mask's order, a permutation of the tokens (data-dependent)";
    private static final String CPU_LAYOUT = "the CPU layout of a 2-D kernel (column outer): a plan on the PTX backend runs its"
            + " ColumnInner twin instead (ColumnLayout.of)";
    private static final String GPU_LAYOUT = "the PTX backend's layout of a 2-D kernel (column inner): a plan on OpenCL runs its"
            + " column-outer twin instead (ColumnLayout.of)";
    private static final String ROPE_PAIRS = "RoPE reads the pair x[2i], x[2i+1] of each output: two loads of stride 2 floats"
            + " (9 sectors each, 64 floats for 32 work-items)";

    /** The most sectors per request a kernel of the GPU layout may take: 32 floats at any alignment take 5. */
    static final double MOST_SECTORS = 8.0;

    /** Kernels over {@link #MOST_SECTORS} under both mappings: their layout does not depend on the loop order. */
    private static final Map<String, String> BOTH_EXCEPTIONS = Map.ofEntries(
            Map.entry("ProjectionKernels.projectQueries", ROW_PER_ITEM),
            Map.entry("ProjectionKernels.projectKeys", ROW_PER_ITEM),
            Map.entry("ProjectionKernels.projectQueriesCompensated", ROW_PER_ITEM),
            Map.entry("ProjectionKernels.projectKeysCompensated", ROW_PER_ITEM),
            Map.entry("GatherKernels.gather", ROW_PER_ITEM),
            Map.entry("GatherKernels.gatherBump", ROW_PER_ITEM),
            Map.entry("RankKernels.ranks", BINARY_SEARCH),
            Map.entry("RankKernels.windows", BINARY_SEARCH + "; " + WINDOW_TRIPLES),
            Map.entry("CausalKernels.reluTile", CAUSAL_ROWS),
            Map.entry("CausalKernels.bumpTile", CAUSAL_ROWS),
            Map.entry("CausalKernels.reluChunkScan", CHUNK_PER_ITEM),
            Map.entry("CausalKernels.bumpScan", CHUNK_PER_ITEM),
            Map.entry("CausalKernels.reluLevel", CAUSAL_ROWS + "; " + BINARY_SEARCH),
            Map.entry("CausalKernels.bumpLevel", CAUSAL_ROWS + "; " + BINARY_SEARCH),
            Map.entry("CausalKernels.reluCombine", CAUSAL_ROWS),
            Map.entry("LayerKernels.problemScalars", MASK_ORDER),
            Map.entry("LayerKernels.problemKeys", MASK_ORDER),
            Map.entry("SoftmaxKernels.attention", ROW_PER_ITEM + "; the quadratic reference, not tuned"));

    /** Kernels over {@link #MOST_SECTORS} when the inner @Parallel loop is the warp's dimension (TornadoVM's PTX). */
    static final Map<String, String> PTX_EXCEPTIONS = with(BOTH_EXCEPTIONS, Map.ofEntries(
            Map.entry("ProjectionKernels.columnPartials", CPU_LAYOUT),
            Map.entry("ProjectionKernels.scaledColumnPartials", CPU_LAYOUT),
            Map.entry("PrefixSumKernels.blockTotals", CPU_LAYOUT),
            Map.entry("PrefixSumKernels.addBack", CPU_LAYOUT),
            Map.entry("CompensatedPrefixSumKernels.compensatedTotals", CPU_LAYOUT),
            Map.entry("CompensatedPrefixSumKernels.compensatedAddBack", CPU_LAYOUT),
            Map.entry("CombineKernels.combine", COLUMN_OUTER),
            Map.entry("CombineKernels.bump", COLUMN_OUTER + "; " + WINDOW_TRIPLES),
            Map.entry("CausalKernels.bumpCombine", COLUMN_OUTER),
            Map.entry("LayerKernels.rotaryLayout", ROPE_PAIRS)));

    /** Kernels over {@link #MOST_SECTORS} when the outer @Parallel loop is the warp's dimension (OpenCL C). */
    static final Map<String, String> OPENCL_EXCEPTIONS = with(BOTH_EXCEPTIONS, Map.ofEntries(
            Map.entry("ProjectionKernels.columnPartialsColumnInner", GPU_LAYOUT),
            Map.entry("ProjectionKernels.scaledColumnPartialsColumnInner", GPU_LAYOUT),
            Map.entry("PrefixSumKernels.blockTotalsColumnInner", GPU_LAYOUT),
            Map.entry("PrefixSumKernels.addBackColumnInner", GPU_LAYOUT),
            Map.entry("CompensatedPrefixSumKernels.compensatedTotalsColumnInner", GPU_LAYOUT),
            Map.entry("CompensatedPrefixSumKernels.compensatedAddBackColumnInner", GPU_LAYOUT),
            Map.entry("LayerKernels.rotaryLayout", ROW_OUTER),
            Map.entry("LayerKernels.splitHeads", ROW_OUTER)));

    private static Map<String, String> with(Map<String, String> common, Map<String, String> own) {
        Map<String, String> all = new java.util.HashMap<>(common);
        all.putAll(own);
        return Map.copyOf(all);
    }

    private static List<AccessFigure> measured;
    private static ForwardScenario reluScenario;

    private static synchronized List<AccessFigure> measured() {
        if (measured == null) {
            reluScenario = new ForwardScenario();
            measured = CoalescingReport.measure(reluScenario);
        }
        return measured;
    }

    private static void assertWithinOrExcepted(java.util.function.ToDoubleFunction<AccessFigure> mapping, Map<String, String> exceptions,
                                               String backend) {
        List<AccessFigure> figures = measured();
        List<String> over = figures.stream().filter(f -> mapping.applyAsDouble(f) > MOST_SECTORS && !exceptions.containsKey(f.kernel()))
                .map(f -> f.kernel() + " " + f.access() + ": " + mapping.applyAsDouble(f)).toList();
        assertTrue(over.isEmpty(), backend + ": over " + MOST_SECTORS + " sectors per request without a reason: " + over);
        // An exception that no access needs any more is stale: the list stays the kernels that need it.
        for (String kernel : exceptions.keySet()) {
            assertTrue(figures.stream().anyMatch(f -> f.kernel().equals(kernel) && mapping.applyAsDouble(f) > MOST_SECTORS),
                    backend + ": " + kernel + " is within " + MOST_SECTORS + " sectors per request now; drop its exception");
        }
    }

    @Test
    void everyKernelUnderPtxIsCoalescedOrExcepted() {
        assertWithinOrExcepted(AccessFigure::ptx, PTX_EXCEPTIONS, "PTX");
    }

    @Test
    void everyKernelUnderOpenClIsCoalescedOrExcepted() {
        assertWithinOrExcepted(AccessFigure::openCl, OPENCL_EXCEPTIONS, "OpenCL C");
    }

    /** The simulated launches compute what the device does: the sort's local (work-group) and global launches sort. */
    @Test
    void simulatedSortSorts() {
        measured();
        FloatArray keys = reluScenario.sortedKeys();
        int[] index = reluScenario.sortedIndex().toHeapArray();
        for (int i = 1; i < keys.getSize(); i++) {
            assertTrue(keys.get(i - 1) <= keys.get(i), "keys out of order at " + i);
        }
        assertEquals(keys.getSize(), java.util.Arrays.stream(index).distinct().count(), "the indices are a permutation");
    }

    /** Writes the figures for the gallery and the docs (target/coalescing/coalescing.json and .md). */
    @Test
    void writesTheFigures() throws IOException {
        List<AccessFigure> figures = measured();
        Path dir = Path.of("target", "coalescing");
        CoalescingReport.writeJson(figures, dir.resolve("coalescing.json"));
        Files.writeString(dir.resolve("coalescing.md"), CoalescingReport.markdown(figures));
        assertTrue(Files.readString(dir.resolve("coalescing.json")).contains("\"kernel\" : \"PrefixSumKernels.blockTotals\""));
    }
}
