package dev.slicedattention.tornado.graphs;

import dev.slicedattention.tornado.kernels.CompensatedPrefixSumKernels;
import dev.slicedattention.tornado.kernels.PrefixSumKernels;
import dev.slicedattention.tornado.kernels.ProjectionKernels;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The loop order of the 2-D (column, row block) kernels of the projection's column means and of the
 * prefix sums, chosen per device. A GPU coalesces the loads of a warp's neighbouring work-items, and
 * which loop index they differ in is the backend's: TornadoVM's OpenCL C makes the outer
 * {@code @Parallel} loop dimension 0, its PTX makes the inner loop x. With the column outer, the
 * work-items next to each other read neighbouring floats of a row in OpenCL C (5 sectors per warp
 * request; the CPU layout, the one that measured fastest on PoCL) but floats a row apart under PTX (32);
 * with the column inner it is the other way round (the coalescing measure, CoalescingTest).
 */
public enum ColumnLayout {
    /** The column the outer loop: coalesced in OpenCL C, on PoCL and on an OpenCL GPU. */
    COLUMN_OUTER,
    /** The column the inner loop: coalesced under TornadoVM's PTX backend. */
    COLUMN_INNER;

    /** The layout whose neighbouring work-items read neighbouring floats on {@code device}'s backend. */
    public static ColumnLayout of(TornadoDevice device) {
        return device.getTornadoVMBackend() == TornadoVMBackendType.PTX ? COLUMN_INNER : COLUMN_OUTER;
    }

    public TaskGraph columnPartials(TaskGraph graph, String task, FloatArray x, IntArray lengths, FloatArray partials, int rows, int cols,
                             int chunks) {
        return this == COLUMN_INNER
                ? graph.task(task, ProjectionKernels::columnPartialsColumnInner, x, lengths, partials, rows, cols, chunks)
                : graph.task(task, ProjectionKernels::columnPartials, x, lengths, partials, rows, cols, chunks);
    }

    public TaskGraph scaledColumnPartials(TaskGraph graph, String task, FloatArray x, IntArray lengths, FloatArray factors, FloatArray partials,
                                   int rows, int cols, int chunks) {
        return this == COLUMN_INNER
                ? graph.task(task, ProjectionKernels::scaledColumnPartialsColumnInner, x, lengths, factors, partials, rows, cols, chunks)
                : graph.task(task, ProjectionKernels::scaledColumnPartials, x, lengths, factors, partials, rows, cols, chunks);
    }

    public TaskGraph blockTotals(TaskGraph graph, String task, FloatArray table, FloatArray totals, int n, int blocks, int width) {
        return this == COLUMN_INNER
                ? graph.task(task, PrefixSumKernels::blockTotalsColumnInner, table, totals, n, blocks, width)
                : graph.task(task, PrefixSumKernels::blockTotals, table, totals, n, blocks, width);
    }

    public TaskGraph addBack(TaskGraph graph, String task, FloatArray table, FloatArray offsets, int n, int blocks, int width) {
        return this == COLUMN_INNER
                ? graph.task(task, PrefixSumKernels::addBackColumnInner, table, offsets, n, blocks, width)
                : graph.task(task, PrefixSumKernels::addBack, table, offsets, n, blocks, width);
    }

    public TaskGraph compensatedTotals(TaskGraph graph, String task, FloatArray table, FloatArray totals, FloatArray totalsLow, int n, int blocks,
                                int width) {
        return this == COLUMN_INNER
                ? graph.task(task, CompensatedPrefixSumKernels::compensatedTotalsColumnInner, table, totals, totalsLow, n, blocks, width)
                : graph.task(task, CompensatedPrefixSumKernels::compensatedTotals, table, totals, totalsLow, n, blocks, width);
    }

    public TaskGraph compensatedAddBack(TaskGraph graph, String task, FloatArray table, FloatArray offsets, FloatArray offsetsLow,
                                 FloatArray sumsLow, int n, int blocks, int width) {
        return this == COLUMN_INNER
                ? graph.task(task, CompensatedPrefixSumKernels::compensatedAddBackColumnInner, table, offsets, offsetsLow, sumsLow, n,
                        blocks, width)
                : graph.task(task, CompensatedPrefixSumKernels::compensatedAddBack, table, offsets, offsetsLow, sumsLow, n, blocks, width);
    }
}
