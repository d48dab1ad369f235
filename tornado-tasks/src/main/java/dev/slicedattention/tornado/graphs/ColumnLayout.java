package dev.slicedattention.tornado.graphs;

import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;

/**
 * The loop order of the 2-D (column, row block) kernels of the projection's column means and of the
 * prefix sums, chosen per device. A GPU coalesces the loads of a warp's neighbouring work-items, and
 * which loop index they differ in is the backend's: TornadoVM's OpenCL C makes the outer
 * {@code @Parallel} loop dimension 0, its PTX makes the inner loop x. With the column outer, the
 * work-items next to each other read neighbouring floats of a row in OpenCL C (5 sectors per warp
 * request; the CPU layout, the one that measured fastest on PoCL) but floats a row apart under PTX (32);
 * with the column inner it is the other way round (the coalescing measure, CoalescingTest). The plans
 * name both kernels in their task graphs (the gallery finds each task's line there) and pick by
 * {@link #columnInner}.
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

    /** True for the layout whose kernels are the {@code …ColumnInner} twins. */
    public boolean columnInner() {
        return this == COLUMN_INNER;
    }
}
