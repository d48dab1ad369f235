package dev.slicedattention.tornado.graphs;

/**
 * Two faults that only the tests switch on, to show that what they break is caught: system
 * properties that no user has a reason to set, read when a plan is built. Off (the default), each
 * returns its argument unchanged.
 *
 * <ul>
 *   <li>{@value #LAUNCH} = true: the local sort's work-group is one item larger than its size, so it
 *       no longer divides the global size and an OpenCL driver refuses the launch
 *       ({@code CL_INVALID_WORK_GROUP_SIZE}), which TornadoVM 5.2 only prints ({@link DriverErrors}).</li>
 *   <li>{@value #WRONG_INDEX} = true: the ReLU rank kernel is given half the stride between problems'
 *       keys, so from problem 1 on it searches another problem's keys: a wrong index, as a
 *       miscompiled kernel might have one; the result is finite and wrong (the spot check's case).</li>
 * </ul>
 */
final class TestFaults {
    static final String LAUNCH = "sliced.attention.test.fault.launch";
    static final String WRONG_INDEX = "sliced.attention.test.fault.index";

    private TestFaults() {}

    static int localSortWorkGroup(int items) {
        return Boolean.getBoolean(LAUNCH) ? items + 1 : items;
    }

    static int rankStride(int paddedN) {
        return Boolean.getBoolean(WRONG_INDEX) ? paddedN / 2 : paddedN;
    }
}
