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
 * kernels whose figures are known by hand, and on every kernel of the forward pass.
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
    private static final String LOOP_ORDER = "the outer @Parallel loop is the column and the inner the row (the order that"
            + " measured fastest on PoCL): under PTX the inner loop is x, so a warp's neighbours are rows apart";
    private static final String ROW_PER_ITEM = "one work-item per row, the row's d or e floats in a sequential loop: a warp"
            + " reads 32 rows at once, one sector each (needs a work-group per row, KernelContext)";
    private static final String BINARY_SEARCH = "a binary search per query: the probes of a warp's 32 queries land wherever"
            + " the keys lie (data-dependent, bounded by log2 n requests per query)";
    private static final String WINDOW_TRIPLES = "the bump's windows are three ints per query (12 bytes apart)";

    /** The most sectors per request a kernel of the GPU layout may take: 32 floats at any alignment take 5. */
    static final double MOST_SECTORS = 8.0;

    /** Kernels over {@link #MOST_SECTORS} when the inner @Parallel loop is the warp's dimension (TornadoVM's PTX). */
    static final Map<String, String> PTX_EXCEPTIONS = Map.ofEntries(
            Map.entry("ProjectionKernels.columnPartials", LOOP_ORDER),
            Map.entry("ProjectionKernels.scaledColumnPartials", LOOP_ORDER),
            Map.entry("ProjectionKernels.projectQueries", ROW_PER_ITEM),
            Map.entry("ProjectionKernels.projectKeys", ROW_PER_ITEM),
            Map.entry("ProjectionKernels.projectQueriesCompensated", ROW_PER_ITEM),
            Map.entry("ProjectionKernels.projectKeysCompensated", ROW_PER_ITEM),
            Map.entry("GatherKernels.gather", ROW_PER_ITEM),
            Map.entry("GatherKernels.gatherBump", ROW_PER_ITEM),
            Map.entry("PrefixSumKernels.blockTotals", LOOP_ORDER),
            Map.entry("PrefixSumKernels.addBack", LOOP_ORDER),
            Map.entry("CompensatedPrefixSumKernels.compensatedTotals", LOOP_ORDER),
            Map.entry("CompensatedPrefixSumKernels.compensatedAddBack", LOOP_ORDER),
            Map.entry("RankKernels.ranks", BINARY_SEARCH),
            Map.entry("RankKernels.windows", BINARY_SEARCH + "; " + WINDOW_TRIPLES),
            Map.entry("CombineKernels.combine", LOOP_ORDER),
            Map.entry("CombineKernels.bump", LOOP_ORDER + "; " + WINDOW_TRIPLES));

    /** Kernels over {@link #MOST_SECTORS} when the outer @Parallel loop is the warp's dimension (OpenCL C). */
    static final Map<String, String> OPENCL_EXCEPTIONS = Map.ofEntries(
            Map.entry("ProjectionKernels.projectQueries", ROW_PER_ITEM),
            Map.entry("ProjectionKernels.projectKeys", ROW_PER_ITEM),
            Map.entry("ProjectionKernels.projectQueriesCompensated", ROW_PER_ITEM),
            Map.entry("ProjectionKernels.projectKeysCompensated", ROW_PER_ITEM),
            Map.entry("GatherKernels.gather", ROW_PER_ITEM),
            Map.entry("GatherKernels.gatherBump", ROW_PER_ITEM),
            Map.entry("RankKernels.ranks", BINARY_SEARCH),
            Map.entry("RankKernels.windows", BINARY_SEARCH + "; " + WINDOW_TRIPLES));

    private static List<AccessFigure> forward;
    private static ForwardScenario reluScenario;

    private static synchronized List<AccessFigure> forward() {
        if (forward == null) {
            reluScenario = new ForwardScenario();
            forward = CoalescingReport.measure(reluScenario, new ForwardScenario());
        }
        return forward;
    }

    private static void assertWithinOrExcepted(java.util.function.ToDoubleFunction<AccessFigure> mapping, Map<String, String> exceptions,
                                               String backend) {
        List<AccessFigure> figures = forward();
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
    void everyForwardKernelUnderPtxIsCoalescedOrExcepted() {
        assertWithinOrExcepted(AccessFigure::ptx, PTX_EXCEPTIONS, "PTX");
    }

    @Test
    void everyForwardKernelUnderOpenClIsCoalescedOrExcepted() {
        assertWithinOrExcepted(AccessFigure::openCl, OPENCL_EXCEPTIONS, "OpenCL C");
    }

    /** The simulated launches compute what the device does: the sort's local (work-group) and global launches sort. */
    @Test
    void simulatedSortSorts() {
        forward();
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
        List<AccessFigure> figures = forward();
        Path dir = Path.of("target", "coalescing");
        CoalescingReport.writeJson(figures, dir.resolve("coalescing.json"));
        Files.writeString(dir.resolve("coalescing.md"), CoalescingReport.markdown(figures));
        assertTrue(Files.readString(dir.resolve("coalescing.json")).contains("\"kernel\" : \"PrefixSumKernels.blockTotals\""));
    }
}
