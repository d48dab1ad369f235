package dev.slicedattention.tornado.graphs;

import dev.slicedattention.timing.Stage;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.tornado.kernels.BitonicSortKernels;
import dev.slicedattention.tornado.kernels.CombineKernels;
import dev.slicedattention.tornado.kernels.CompensatedPrefixSumKernels;
import dev.slicedattention.tornado.kernels.GatherKernels;
import dev.slicedattention.tornado.kernels.PrefixSumKernels;
import dev.slicedattention.tornado.kernels.ProjectionKernels;
import dev.slicedattention.tornado.kernels.RankKernels;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.Shape;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.TornadoProfilerResult;
import uk.ac.manchester.tornado.api.exceptions.TornadoInternalError;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

/**
 * The forward pass for one shape and kernel: one {@link TornadoExecutionPlan} holding a chain of six
 * task graphs, one per stage, built and JIT-compiled once and then executed call after call.
 *
 * <pre>
 *                ReLU                                            bump
 *   projection   Q, K, V, θ, lengths, factors in (every call)    the same, compensated dot
 *                → s, keys, index, μ̂ (6 kernels)                 products, no μ̂ (4 kernels)
 *   sort-local   bitonic passes in local memory (KernelContext): 1 kernel, executed repeatedly (both)
 *   sort-global  3 bitonic passes in private memory: 1 kernel, executed repeatedly (both)
 *   prefix-sum   σ, gather, block totals, offsets, add-back, δ   the same without δ, float-float
 *                (6 kernels)                                     hi + lo tables (5 kernels)
 *   rank         binary search: r                                window: l, r, h
 *   combine      2ν·N/Z, output out (every call)                 ν·(below + above)/L
 * </pre>
 *
 * Why a chain and not one graph: the sort needs many launches (38 at n = 2^20) and a graph
 * runs all its tasks on every execute; putting each pass in a task of its own would mean hundreds of
 * tasks (TornadoVM compiles each separately, silently falls back to Java past ~50 and overflows near
 * 200). So the sort graphs hold one task each, read their pass from a 4-int array that is the only
 * thing copied per execute, and the host executes them once per launch.
 *
 * <p>Per-problem data (SPEC §4, §6): {@code lengths} = [L_0..L_{P−1} | M_0..M_{P−1}] (key and query
 * lengths) and {@code factors} = [ν_p | 1/ν_p | b_p] (value scale, its inverse, the bump's
 * bandwidth) are two small arrays sent with the inputs on every call, so ragged lengths, value
 * scales and bandwidths change from call to call without a new plan; one launch per stage still
 * covers all P problems. ν is capped at 2^126 on the device so that 1/ν stays a normal float (a
 * subnormal might be flushed to 0): |V/ν| is then below 4 rather than 2, which changes nothing.
 *
 * <p>The bump's projection, prefix-sum and combine graphs are compiled with
 * {@link #EXACT_OPENCL_FLAGS} instead of TornadoVM's default
 * {@code -cl-mad-enable -cl-fast-relaxed-math -w}: their float-float arithmetic (compensated dot
 * products, TwoSum scans, (hi − hi) + (lo − lo) window differences) must not be reassociated (see
 * {@link CompensatedPrefixSumKernels}). The ReLU's graphs keep the defaults: nothing in them relies
 * on rounding as written. The flags are per graph: a graph selected with {@code withGraph} takes
 * plan-wide settings for itself alone. TornadoVM's PTX backend emits PTX itself, and PTX's JIT
 * options ({@code CU_JIT_*}) include nothing that reassociates, so PTX keeps its defaults.
 *
 * <p>Residency: every graph after the first takes the device arrays it needs, and those later
 * graphs need, with {@code consumeFromDevice} and hands them on with {@code persistOnDevice}.
 * TornadoVM links a consumed array to the buffer of the graph that ran just before, so each graph
 * names everything still in flight even if its own kernel does not touch it. Inputs cross to the
 * device once per call, only the output comes back.
 *
 * <p>Releasing device memory: TornadoVM 5.2.0 frees only the arrays a graph transfers (in or out)
 * or persists, and a multi-graph plan's {@code freeDeviceMemory} only those of its last graph. So
 * every array that lives on the device only (the intermediates) is also named in a
 * {@code FIRST_EXECUTION} transfer of the graph that first writes it — one copy on the plan's
 * first call — and {@link #close()} frees the graphs one by one. Before this, each closed plan left
 * about 540 MB on the device at n = 2^18, d = e = 64, and an engine that evicted plans ran out of
 * device memory.
 *
 * <p>Fronts ({@link Source}): what the projection graph starts from. THETA, the table above: Q, K,
 * V, θ. SCALARS: s, t and V given (a learned projection computed elsewhere; {@code
 * AttentionBatch.ofScalars}): its projection graph only pads t into the key slots and, for the
 * ReLU, averages V (files {@code projection-scalars.cl}, {@code projection-scalars-bump.cl}). LAYER:
 * the authors' attention layer from X ({@link LayerFront}): a dense graph before the projection
 * graph (q, k, v as tiled matrix products, RoPE, heads, ν; {@code layer-dense.cl}) and the learned
 * projection in the projection graph ({@code layer-projection-mlp.cl} / {@code -linear.cl}), so the
 * whole layer is one resident chain. Every front leaves the same arrays for the sort, and the graphs
 * from the sort on are the same for all three.
 *
 * <p>Inputs: the θ front's projection graph sends four {@link FloatArray}s, Q, K, V and θ. Each is either the
 * plan's own, filled from the host values ({@link HostValues}: a heap array or a mapping) at the start of every call (a host copy, charged to
 * transfer-in), or an array of the caller's that the plan was built on and sends as it is (no host
 * copy). TornadoVM binds a graph to its array objects when the graph is built, which is why a
 * caller's arrays are part of the plan.
 */
public final class ForwardPlan implements AutoCloseable {
    /**
     * OpenCL build options of the graphs that compute in float-float: TornadoVM's defaults without
     * {@code -cl-mad-enable -cl-fast-relaxed-math}, which let the OpenCL compiler reassociate and
     * cancel the compensation terms (measured: see {@link CompensatedPrefixSumKernels}).
     */
    public static final String EXACT_OPENCL_FLAGS = "-w";

    /**
     * The measured parts of a first call ({@link StageTimes#addSetupPart}): building the plan (host
     * arrays and task graphs; the engine adds it); over the first execute of each graph, TornadoVM's
     * compilation to OpenCL C (its profiler's Graal compile time), the device driver's build of that
     * source (its driver compile time), the copies to and from the device, the kernels; and the rest
     * of those first executes' wall time (buffer allocation, TornadoVM's bytecode and dispatch,
     * the gallery dump when enabled), measured as the wall time less the four profiled parts.
     */
    public static final String PART_PLAN_BUILD = "planBuild", PART_TORNADO_COMPILE = "tornadoCompile",
            PART_DEVICE_BUILD = "deviceBuild", PART_FIRST_TRANSFERS = "firstTransfers", PART_FIRST_KERNELS = "firstKernels",
            PART_ALLOCATION_AND_DISPATCH = "allocationAndDispatch";

    /**
     * What the projection stage starts from: the front of the chain. Everything from the sort on is
     * the same for every front; the front only has to leave s, the padded keys, their indices, V (and
     * for the ReLU μ̂) on the device.
     */
    public enum Source {
        /** Q [P, m, d], K [P, n, d], V [P, n, e], θ [P, d]: s = (Q − c)θ, t = (K − c)θ on the device. */
        THETA("Q", "K", "V", "theta"),
        /**
         * s [P, m], t [P, n], V [P, n, e]: the scalars are given ({@link AttentionBatch#ofScalars}, a
         * learned projection); the front only pads t into the sort's key slots (and averages V).
         * The plan's shape has d = 1, as such a batch has.
         */
        SCALARS("s", "t", "V"),
        /**
         * X [B·T, hidden] of the authors' attention layer ({@link LayerFront}): q, k, v, RoPE, the learned
         * projection and the mask order all on the device, in two graphs ahead of the sort. The plan's
         * shape is P = B·H problems of T queries and keys, d = e = hidden/H.
         */
        LAYER("X");

        private final String[] inputNames;

        Source(String... inputNames) {
            this.inputNames = inputNames;
        }

        /** The names of the front's inputs, in the order the plan takes them. */
        public String[] inputNames() {
            return inputNames.clone();
        }

        /** The sizes of the front's inputs for {@code shape}. */
        int[] inputSizes(Shape shape) {
            int heads = shape.heads(), m = shape.m(), n = shape.n(), d = shape.d(), e = shape.e();
            return switch (this) {
                case THETA -> new int[] {heads * m * d, heads * n * d, heads * n * e, heads * d};
                case SCALARS -> new int[] {heads * m, heads * n, heads * n * e};
                case LAYER -> new int[] {heads * m * d};
            };
        }
    }
    private static final String[] GRAPHS = {"projection", "sortLocal", "sortGlobal", "prefixSum", "rank", "combine"};
    /** File names of the kernel gallery, per graph; the bump's differ where its kernels do. */
    private static final String[] RELU_GALLERY = {"projection.cl", "sort-local.cl", "sort-global.cl", "prefix-sum.cl", "rank.cl", "combine.cl"};
    private static final String[] BUMP_GALLERY = {"projection-bump.cl", "sort-local.cl", "sort-global.cl", "prefix-sum-bump.cl",
            "rank-bump.cl", "combine-bump.cl"};
    /** The given-scalars front's gallery files (the stages after it are the same as the θ front's). */
    private static final String RELU_SCALARS_GALLERY = "projection-scalars.cl", BUMP_SCALARS_GALLERY = "projection-scalars-bump.cl";
    /** The stages' graphs, numbered from the projection; a LAYER plan has its dense graph before it (DENSE). */
    private static final int DENSE = -1, PROJECTION = 0, SORT_LOCAL = 1, SORT_GLOBAL = 2, PREFIX = 3, RANK = 4, COMBINE = 5;
    /** The layer front's gallery files. */
    private static final String LAYER_DENSE_GALLERY = "layer-dense.cl", LAYER_MLP_GALLERY = "layer-projection-mlp.cl",
            LAYER_LINEAR_GALLERY = "layer-projection-linear.cl";

    private final Shape shape;
    private final Kernel kernel;
    private final Source source;
    private final String[] inputNames;
    private final String[] gallery;
    private final int paddedN;
    private final int block;
    /** The sort's launches for this plan's padded length and block. */
    private final List<BitonicSortKernels.Launch> sortSchedule;
    /** The front's inputs (Q, K, V, θ or s, t, V): the arrays the projection graph sends to the device on every call. */
    private final FloatArray[] inputs;
    /** Which of the inputs are the caller's arrays, sent as they are; the rest are filled from host values. */
    private final boolean[] callers;
    /** [L_p | M_p] and [ν_p | 1/ν_p | b_p], sent on every call (see the class comment). */
    private final IntArray lengths;
    private final FloatArray factors;
    private final FloatArray out;
    private final IntArray localParams = new IntArray(BitonicSortKernels.PARAM_COUNT);
    private final IntArray globalParams = new IntArray(BitonicSortKernels.PARAM_COUNT);
    /** The ReLU's μ̂ and its partial sums (null for the bump); set while the projection graph is built. */
    private FloatArray valueMean, valuePartialSums;
    private final TornadoExecutionPlan plan;
    /** Index in the execution plan of the projection graph: 1 after a LAYER plan's dense graph, else 0. */
    private final int base;
    /** The layer front (null unless the source is LAYER). */
    private final LayerFront layer;
    private final TornadoExecutionResult[] lastResults;
    private final boolean[] compiled;
    private final Path kernelDir;
    /** Device memory the plan's buffers take, every array of every graph with TornadoVM's header. */
    private final long deviceBytes;
    private long lastCompileNanos;
    private long lastKernelNanos;
    private int executes;
    /** Executes of each graph in the current call (the gallery's launches per call). */
    private int[] graphExecutes;
    /** The launch geometry captured with the gallery on each graph's first execute. */
    private final KernelLaunches launches = KernelLaunches.create();
    /** The loop order of the 2-D projection and prefix-sum kernels on this plan's device. */
    private final ColumnLayout layout;

    /** A ReLU plan on its own input arrays, filled from host values on each call. */
    public ForwardPlan(Shape shape, TornadoDevice device, Path kernelDir) {
        this(shape, Kernel.RELU, device, kernelDir, new FloatArray[4]);
    }

    /**
     * A plan for {@code kernel} whose inputs Q, K, V, θ are {@code callerInputs} where given (each of
     * exactly its tensor's size) and arrays of its own where null.
     */
    public ForwardPlan(Shape shape, Kernel kernel, TornadoDevice device, Path kernelDir, FloatArray[] callerInputs) {
        this(shape, kernel, Source.THETA, device, kernelDir, callerInputs);
    }

    /**
     * A plan for {@code kernel} starting from {@code source}'s inputs ({@link Source#inputNames}), which
     * are {@code callerInputs} where given (each of exactly its tensor's size) and arrays of its own
     * where null.
     */
    public ForwardPlan(Shape shape, Kernel kernel, Source source, TornadoDevice device, Path kernelDir, FloatArray[] callerInputs) {
        this(shape, kernel, source, device, kernelDir, callerInputs, ColumnLayout.of(device));
    }

    /**
     * As above with the 2-D kernels' loop order given rather than chosen for the device (so that a CPU
     * device can run the GPU layout in tests).
     */
    public ForwardPlan(Shape shape, Kernel kernel, Source source, TornadoDevice device, Path kernelDir, FloatArray[] callerInputs,
                       ColumnLayout layout) {
        this(shape, kernel, source, null, device, kernelDir, callerInputs, layout);
    }

    /** A plan for the attention layer that {@code front} describes, from X to the kernel stage's output. */
    public ForwardPlan(LayerFront front, TornadoDevice device, Path kernelDir) {
        this(front.shape(), front.config().weights().kernel(), Source.LAYER, front, device, kernelDir, new FloatArray[] {front.x()},
                ColumnLayout.of(device));
    }

    private ForwardPlan(Shape shape, Kernel kernel, Source source, LayerFront front, TornadoDevice device, Path kernelDir,
                        FloatArray[] callerInputs, ColumnLayout layout) {
        this.shape = shape;
        this.kernel = kernel;
        this.source = source;
        this.inputNames = source.inputNames();
        this.kernelDir = kernelDir;
        this.layer = front;
        this.layout = layout;
        boolean bump = kernel == Kernel.BUMP;
        base = source == Source.LAYER ? 1 : 0;
        lastResults = new TornadoExecutionResult[base + GRAPHS.length];
        compiled = new boolean[base + GRAPHS.length];
        gallery = new String[base + GRAPHS.length];
        System.arraycopy(bump ? BUMP_GALLERY : RELU_GALLERY, 0, gallery, base, GRAPHS.length);
        if (source == Source.SCALARS) {
            gallery[PROJECTION] = bump ? BUMP_SCALARS_GALLERY : RELU_SCALARS_GALLERY;
        } else if (source == Source.LAYER) {
            gallery[0] = LAYER_DENSE_GALLERY;
            gallery[base + PROJECTION] = front.mlp() ? LAYER_MLP_GALLERY : LAYER_LINEAR_GALLERY;
        }
        int heads = shape.heads(), m = shape.m(), n = shape.n(), d = shape.d(), e = shape.e();
        // At least 2 slots per head so that every work-group has a pair to compare.
        paddedN = Math.max(2, Integer.highestOneBit(n - 1) << 1);
        block = Math.min(BitonicSortKernels.LOCAL_BLOCK, paddedN);
        sortSchedule = BitonicSortKernels.schedule(paddedN, block);
        int segmentMask = paddedN - 1;
        int width = bump ? 2 * e : 2 * e + 1;
        int blocks = (n + PrefixSumKernels.BLOCK - 1) / PrefixSumKernels.BLOCK;

        String problem = shape + " " + kernel.name().toLowerCase(java.util.Locale.ROOT);
        DeviceLimits.requireArraySize(problem, "the prefix table, P·(n+1)·(" + (bump ? "2e" : "2e+1") + ")", (long) heads * (n + 1) * width);
        DeviceLimits.requireArraySize(problem, "the padded keys, P·2^⌈log2 n⌉", (long) heads * paddedN);
        DeviceLimits.requireArraySize(problem, "the output, P·m·e", (long) heads * m * e);
        int[] inputSizes = source.inputSizes(shape);
        inputs = new FloatArray[inputSizes.length];
        callers = new boolean[inputSizes.length];
        if (callerInputs.length != inputs.length) {
            throw new IllegalArgumentException(callerInputs.length + " caller inputs for the " + inputs.length + " of a " + source + " plan");
        }
        for (int i = 0; i < inputs.length; i++) {
            // A layer plan's X is the front's array, filled from the heap like a plan's own.
            callers[i] = callerInputs[i] != null && source != Source.LAYER;
            inputs[i] = callerInputs[i] != null ? callerInputs[i] : HostArrays.floats(inputSizes[i]);
            if (inputs[i].getSize() != inputSizes[i]) {
                throw new IllegalArgumentException(inputNames[i] + " holds " + inputs[i].getSize()
                        + " values, the " + shape + " plan needs " + inputSizes[i]);
            }
        }
        FloatArray v = source == Source.LAYER ? front.values() : inputs[2];
        lengths = HostArrays.ints(2 * heads);
        factors = HostArrays.floats(3 * heads);
        int chunks = (n + ProjectionKernels.MEAN_CHUNK - 1) / ProjectionKernels.MEAN_CHUNK;
        FloatArray keys = HostArrays.floats(heads * paddedN);
        IntArray index = HostArrays.ints(heads * paddedN);
        FloatArray sigma = HostArrays.floats(heads);
        FloatArray totals = HostArrays.floats(heads * blocks * width);
        // The prefix table: the gather writes the sorted rows into it, the scan turns them into sums in place.
        FloatArray sums = HostArrays.floats(heads * (n + 1) * width);
        out = HostArrays.floats(heads * m * e);
        KernelContext context = new KernelContext();

        // Projection: the scalars s and t (t as padded keys) and for the ReLU the scaled value mean μ̂.
        TaskGraph projection = new TaskGraph(GRAPHS[PROJECTION]);
        TaskGraph dense = null;
        FloatArray s;
        long frontBytes;   // the arrays only this front has
        if (source == Source.THETA) {
            // From Q, K, θ: the key centre first (see ProjectionKernels), then s = (Q − c)θ and t = (K − c)θ.
            FloatArray q = inputs[0], k = inputs[1], theta = inputs[3];
            FloatArray centre = HostArrays.floats(heads * d);
            FloatArray keyPartials = HostArrays.floats(heads * chunks * d);
            s = HostArrays.floats(heads * m);
            frontBytes = bytesWithHeaders(q, k, theta, centre, keyPartials, s);
            projection.transferToDevice(DataTransferMode.EVERY_EXECUTION, q, k, v, theta, lengths, factors)
                    .transferToDevice(DataTransferMode.FIRST_EXECUTION, keyPartials, centre, s, keys, index);
            if (layout.columnInner()) {
                projection.task("centrePartials", ProjectionKernels::columnPartialsColumnInner, k, lengths, keyPartials, n, d, chunks);
            } else {
                projection.task("centrePartials", ProjectionKernels::columnPartials, k, lengths, keyPartials, n, d, chunks);
            }
            projection.task("centre", ProjectionKernels::meansOfPartials, keyPartials, lengths, centre, d, chunks);
            addValueMean(projection, bump, v, chunks, layout);
            if (bump) {
                projection.task("queries", ProjectionKernels::projectQueriesCompensated, q, theta, centre, s, m, d)
                        .task("keys", ProjectionKernels::projectKeysCompensated, k, theta, centre, lengths, keys, index, n, paddedN, d);
            } else {
                projection.task("queries", ProjectionKernels::projectQueries, q, theta, centre, s, m, d)
                        .task("keys", ProjectionKernels::projectKeys, k, theta, centre, lengths, keys, index, n, paddedN, d);
            }
        } else if (source == Source.LAYER) {
            // The layer: X → q, k, v (dense graph) → s, t and keys in mask order (here); see LayerFront.
            dense = front.dense("dense", lengths, factors);
            front.projection(projection, lengths, factors, keys, index, paddedN);
            s = front.scalars();
            frontBytes = front.deviceBytes();
            addValueMean(projection, bump, v, chunks, layout);
        } else {
            // Given scalars: s is the input itself (no kernel writes it); t only has to be padded into key slots.
            s = inputs[0];
            FloatArray t = inputs[1];
            frontBytes = bytesWithHeaders(s, t);
            projection.transferToDevice(DataTransferMode.EVERY_EXECUTION, s, t, v, lengths, factors)
                    .transferToDevice(DataTransferMode.FIRST_EXECUTION, keys, index);
            addValueMean(projection, bump, v, chunks, layout);
            projection.task("keys", ProjectionKernels::givenKeys, t, lengths, keys, index, n, paddedN);
        }
        FloatArray mu = valueMean;
        FloatArray valuePartials = valuePartialSums;
        // What the sort graphs carry through unchanged for the stages after them.
        Object[] sortCarry = bump ? new Object[] {keys, index, s, v, lengths, factors}
                : new Object[] {keys, index, s, v, mu, lengths, factors};
        projection.persistOnDevice(sortCarry);
        TaskGraph sortLocal = new TaskGraph(GRAPHS[SORT_LOCAL])
                .consumeFromDevice(sortCarry)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, localParams)
                .task("local", BitonicSortKernels::localPasses, context, keys, index, localParams, segmentMask)
                .persistOnDevice(sortCarry);
        TaskGraph sortGlobal = new TaskGraph(GRAPHS[SORT_GLOBAL])
                .consumeFromDevice(sortCarry)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, globalParams)
                .task("global", BitonicSortKernels::globalPasses, keys, index, globalParams, segmentMask)
                .persistOnDevice(sortCarry);

        TaskGraph prefix = new TaskGraph(GRAPHS[PREFIX]).consumeFromDevice(sortCarry);
        TaskGraph ranking = new TaskGraph(GRAPHS[RANK]);
        TaskGraph combine = new TaskGraph(GRAPHS[COMBINE]);
        long kernelBytes;   // the arrays only one kernel's graphs have
        if (bump) {
            // Float-float prefix sums: hi in totals and sums, lo in the *Low arrays.
            FloatArray totalsLow = HostArrays.floats(heads * blocks * width);
            FloatArray sumsLow = HostArrays.floats(heads * (n + 1) * width);
            IntArray windows = HostArrays.ints(3 * heads * m);
            kernelBytes = bytesWithHeaders(totalsLow, sumsLow, windows);
            prefix.transferToDevice(DataTransferMode.FIRST_EXECUTION, sigma, totals, totalsLow, sums, sumsLow)
                    .task("scale", GatherKernels::scale, keys, lengths, sigma, paddedN)
                    .task("gather", GatherKernels::gatherBump, v, keys, index, sigma, lengths, factors, sums, n, paddedN, e);
            if (layout.columnInner()) {
                prefix.task("blockTotals", CompensatedPrefixSumKernels::compensatedTotalsColumnInner, sums, totals, totalsLow, n,
                        blocks, width);
            } else {
                prefix.task("blockTotals", CompensatedPrefixSumKernels::compensatedTotals, sums, totals, totalsLow, n, blocks, width);
            }
            prefix.task("blockOffsets", CompensatedPrefixSumKernels::compensatedOffsets, totals, totalsLow, heads, blocks, width);
            if (layout.columnInner()) {
                prefix.task("addBack", CompensatedPrefixSumKernels::compensatedAddBackColumnInner, sums, totals, totalsLow, sumsLow, n,
                        blocks, width);
            } else {
                prefix.task("addBack", CompensatedPrefixSumKernels::compensatedAddBack, sums, totals, totalsLow, sumsLow, n, blocks, width);
            }
            prefix.persistOnDevice(keys, s, sigma, sums, sumsLow, lengths, factors);
            ranking.consumeFromDevice(keys, s, sigma, sums, sumsLow, lengths, factors)
                    .transferToDevice(DataTransferMode.FIRST_EXECUTION, windows)
                    .task("windows", RankKernels::windows, s, keys, lengths, factors, windows, m, paddedN)
                    .persistOnDevice(s, windows, sigma, sums, sumsLow, lengths, factors);
            combine.consumeFromDevice(s, windows, sigma, sums, sumsLow, lengths, factors)
                    .task("combine", CombineKernels::bump, s, windows, sigma, sums, sumsLow, lengths, factors, out, m, n, e)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        } else {
            IntArray rank = HostArrays.ints(heads * m);
            FloatArray shift = HostArrays.floats(heads * e);
            kernelBytes = bytesWithHeaders(rank, mu, valuePartials, shift);
            prefix.transferToDevice(DataTransferMode.FIRST_EXECUTION, sigma, totals, sums, shift)
                    .task("scale", GatherKernels::scale, keys, lengths, sigma, paddedN)
                    .task("gather", GatherKernels::gather, v, mu, keys, index, sigma, lengths, factors, sums, n, paddedN, e);
            if (layout.columnInner()) {
                prefix.task("blockTotals", PrefixSumKernels::blockTotalsColumnInner, sums, totals, n, blocks, width);
            } else {
                prefix.task("blockTotals", PrefixSumKernels::blockTotals, sums, totals, n, blocks, width);
            }
            prefix.task("blockOffsets", PrefixSumKernels::blockOffsets, totals, heads, blocks, width);
            if (layout.columnInner()) {
                prefix.task("addBack", PrefixSumKernels::addBackColumnInner, sums, totals, n, blocks, width);
            } else {
                prefix.task("addBack", PrefixSumKernels::addBack, sums, totals, n, blocks, width);
            }
            prefix.task("residualMeans", CombineKernels::residualMeans, sums, lengths, shift, n, e)
                    .persistOnDevice(keys, s, sigma, sums, shift, lengths, factors);
            ranking.consumeFromDevice(keys, s, sigma, sums, shift, lengths, factors)
                    .transferToDevice(DataTransferMode.FIRST_EXECUTION, rank)
                    .task("rank", RankKernels::ranks, s, keys, lengths, rank, m, TestFaults.rankStride(paddedN))
                    .persistOnDevice(s, rank, sigma, sums, shift, lengths, factors);
            combine.consumeFromDevice(s, rank, sigma, sums, shift, lengths, factors)
                    .task("combine", CombineKernels::combine, s, rank, sigma, sums, shift, lengths, factors, out, m, n, e)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        }
        deviceBytes = kernelBytes + frontBytes + bytesWithHeaders(v, lengths, factors, keys, index,
                sigma, totals, sums, out, localParams, globalParams);

        ImmutableTaskGraph[] stages = {projection.snapshot(), sortLocal.snapshot(), sortGlobal.snapshot(),
                prefix.snapshot(), ranking.snapshot(), combine.snapshot()};
        ImmutableTaskGraph[] graphs = new ImmutableTaskGraph[base + stages.length];
        if (dense != null) {
            graphs[0] = dense.snapshot();
        }
        System.arraycopy(stages, 0, graphs, base, stages.length);
        // The local kernel works on blocks of `block` slots, two per work-item.
        WorkerGrid1D localGrid = new WorkerGrid1D(heads * paddedN / 2);
        localGrid.setLocalWork(TestFaults.localSortWorkGroup(block / 2), 1, 1);
        GridScheduler grid = new GridScheduler(GRAPHS[SORT_LOCAL] + ".local", localGrid);
        if (front != null) {
            front.grids(grid, "dense", GRAPHS[PROJECTION]);
        }
        plan = new TornadoExecutionPlan(graphs);
        plan.withDevice(device).withGridScheduler(grid).withProfiler(ProfilerMode.SILENT);
        // Per graph: while a graph is selected, plan-wide settings apply to it alone (TornadoExecutor.selectGraph).
        // The projection always: its column means scale their partial sums so that keys near float32's limit
        // do not overflow, and undo the scales in an order that reassociation could turn into an overflow
        // (ProjectionKernels#meansOfPartials); the bump's compensated projection, and the layer's GELU (its
        // erf calls exp, which -cl-fast-relaxed-math may evaluate to lower accuracy), need it as well.
        plan.withGraph(base + PROJECTION).withCompilerFlags(TornadoVMBackendType.OPENCL, EXACT_OPENCL_FLAGS);
        if (bump) {
            plan.withGraph(base + PREFIX).withCompilerFlags(TornadoVMBackendType.OPENCL, EXACT_OPENCL_FLAGS);
            plan.withGraph(base + COMBINE).withCompilerFlags(TornadoVMBackendType.OPENCL, EXACT_OPENCL_FLAGS);
        }
        plan.withAllGraphs();
        DeviceLimits.capPtxRegisters(plan);
    }

    /**
     * For the ReLU: μ̂ = μ/ν, the scaled mean of each problem's first L_p value rows, in two levels
     * (see {@link ProjectionKernels#scaledColumnPartials}); the bump needs none.
     */
    private void addValueMean(TaskGraph projection, boolean bump, FloatArray v, int chunks, ColumnLayout layout) {
        if (bump) {
            return;
        }
        int heads = shape.heads(), n = shape.n(), e = shape.e();
        valueMean = HostArrays.floats(heads * e);
        valuePartialSums = HostArrays.floats(heads * chunks * e);
        projection.transferToDevice(DataTransferMode.FIRST_EXECUTION, valuePartialSums, valueMean);
        if (layout.columnInner()) {
            projection.task("valuePartials", ProjectionKernels::scaledColumnPartialsColumnInner, v, lengths, factors, valuePartialSums,
                    n, e, chunks);
        } else {
            projection.task("valuePartials", ProjectionKernels::scaledColumnPartials, v, lengths, factors, valuePartialSums, n, e, chunks);
        }
        projection.task("valueMean", ProjectionKernels::meansOfPartials, valuePartialSums, lengths, valueMean, e, chunks);
    }

    public Shape shape() {
        return shape;
    }

    /** The loop order of the plan's 2-D projection and prefix-sum kernels. */
    public ColumnLayout layout() {
        return layout;
    }

    /** The front this plan starts from. */
    public Source source() {
        return source;
    }

    /** JIT time (TornadoVM + driver) reported by the profiler for the executes of the last call; 0 once compiled. */
    public long lastCompileNanos() {
        return lastCompileNanos;
    }

    /** Device kernel time of the last call, from TornadoVM's profiler. */
    public long lastKernelNanos() {
        return lastKernelNanos;
    }

    /** Graph executes of the last call (≈ number of sort passes + 5). */
    public int lastExecutes() {
        return executes;
    }

    /** The kernel this plan computes. */
    public Kernel kernel() {
        return kernel;
    }

    /**
     * One forward pass on heap inputs (for a plan on its own arrays), with the batch's lengths, value
     * scales and bandwidths; see {@link #forward(HostValues[], ProblemParameters, StageTimes)}.
     */
    public float[] forward(AttentionBatch batch, StageTimes times) {
        HostValues[] host = source == Source.SCALARS ? HostValues.ofArrays(batch.s(), batch.t(), batch.v())
                : HostValues.ofArrays(batch.q(), batch.k(), batch.v(), batch.theta());
        return forward(host, ProblemParameters.of(batch), times);
    }

    /**
     * One forward pass; stage times to {@code times}, first-call JIT to its setup. {@code host[i]}
     * fills input i ({@link Source#inputNames}: Q, K, V, θ or s, t, V) and must be null exactly where
     * the plan sends the caller's array;
     * {@code problems} are sent with the inputs.
     */
    public float[] forward(HostValues[] host, ProblemParameters problems, StageTimes times) {
        if (source == Source.LAYER) {
            throw new IllegalStateException("a layer plan runs through forwardLayer");
        }
        prepare(host, problems, times);
        TornadoProfilerResult profile = run(PROJECTION, Stage.PROJECTION, times);
        times.add(Stage.TRANSFER_IN, profile.getDeviceWriteTime());
        times.add(Stage.PROJECTION, -profile.getDeviceWriteTime());
        giveBackFileCopies(host, times);
        return stagesAfterProjection(times);
    }

    /**
     * The plan's copies of inputs that came from mapped files go back to the OS once the projection
     * graph has sent them to the device ({@link HostArrays#giveBack}); the next call fills them again.
     * Why: on a device whose buffers are host memory (PoCL) the values would otherwise be resident three
     * times until the process ends — the mapping, this copy, the device buffer — 0.77 GB each time for
     * Q, K and V at n = 2^20, d = e = 64, most of what kept {@code attend} above 3 GB. Why only for files: a
     * caller that maps its inputs reads them once per call anyway (attend makes one call), while one
     * that passes heap arrays may call again and again, and a given-back page costs a fault when it is
     * written again (about 180 ms per 256 MiB on the 2-core VM).
     */
    private void giveBackFileCopies(HostValues[] host, StageTimes times) {
        long start = System.nanoTime();
        for (int i = 0; i < inputs.length; i++) {
            if (!callers[i] && host[i].isMappedFile()) {
                HostArrays.giveBack(inputs[i]);
            }
        }
        times.add(Stage.TRANSFER_IN, System.nanoTime() - start);
    }

    /**
     * One pass of the attention layer (a LAYER plan): X [B·T, hidden] and the mask order ({@code
     * order[b·T + r]}: the token at position r of item b, real tokens first) in; the kernel stage's
     * output [B·H, T, d] out, its rows in mask order. {@code problems} gives the lengths and the bump's
     * bandwidths (its value scales are ignored: ν is computed on the device from V). The dense graph's
     * time goes to {@code frontNanos[0]}, the learned projection's to {@code frontNanos[1]} (both
     * without their transfers, which go to {@code times}' transfer-in), the kernel stage's to {@code times}.
     */
    public float[] forwardLayer(float[] x, int[] order, ProblemParameters problems, StageTimes times, long[] frontNanos) {
        if (source != Source.LAYER) {
            throw new IllegalStateException("a " + source + " plan has no layer front");
        }
        long copyStart = System.nanoTime();
        layer.setOrder(order);
        times.add(Stage.TRANSFER_IN, System.nanoTime() - copyStart);
        prepare(HostValues.ofArrays(x), problems, times);
        for (int part = 0; part < 2; part++) {
            StageTimes front = new StageTimes();
            TornadoProfilerResult profile = run(part == 0 ? DENSE : PROJECTION, Stage.PROJECTION, front);
            times.add(Stage.TRANSFER_IN, profile.getDeviceWriteTime());
            times.addSetup(front.setupNanos());
            frontNanos[part] = front.nanos(Stage.PROJECTION) - profile.getDeviceWriteTime();
        }
        return stagesAfterProjection(times);
    }

    /** Checks and copies the inputs and the problem parameters into the plan's arrays. */
    private void prepare(HostValues[] host, ProblemParameters problems, StageTimes times) {
        lastCompileNanos = 0;
        lastKernelNanos = 0;
        executes = 0;
        graphExecutes = new int[compiled.length];
        long copyStart = System.nanoTime();
        for (int i = 0; i < inputs.length; i++) {
            if (callers[i] != (host[i] == null)) {
                throw new IllegalArgumentException(inputNames[i] + (callers[i]
                        ? " is the caller's array in this plan: pass no host values for it"
                        : " needs host values in this plan"));
            }
        }
        problems.writeTo(lengths, factors, shape, kernel);
        for (int i = 0; i < inputs.length; i++) {
            if (!callers[i]) {
                host[i].copyInto(inputs[i]);
            }
        }
        times.add(Stage.TRANSFER_IN, System.nanoTime() - copyStart);
    }

    /** Sort, prefix sums, ranks and combine, then the output back to the host. */
    private float[] stagesAfterProjection(StageTimes times) {
        sort(times);

        run(PREFIX, Stage.PREFIX_SUM, times);
        run(RANK, Stage.RANK, times);
        TornadoProfilerResult profile = run(COMBINE, Stage.COMBINE, times);
        times.add(Stage.TRANSFER_OUT, profile.getDeviceReadTime());
        times.add(Stage.COMBINE, -profile.getDeviceReadTime());

        float[] result = new float[out.getSize()];
        MemorySegment.copy(out.getSegment(), ValueLayout.JAVA_FLOAT, 0, result, 0, result.length);
        if (graphExecutes != null) {
            launches.write(kernelDir, "tornado", shape == null ? 0 : shape.n(), graphExecutes);
        }
        return result;
    }

    /** Fills {@code lengths} and {@code factors} (see the class comment), after checking them against the shape. */

    /**
     * The bitonic network ({@link BitonicSortKernels#schedule}): one local launch sorts every block of
     * {@code block} slots; then each larger stage k is global launches of up to
     * {@link BitonicSortKernels#GLOBAL_PASSES} passes each for the distances j ≥ block and one local
     * launch for the rest.
     */
    private void sort(StageTimes times) {
        for (BitonicSortKernels.Launch launch : sortSchedule) {
            IntArray params = launch.local() ? localParams : globalParams;
            for (int i = 0; i < BitonicSortKernels.PARAM_COUNT; i++) {
                params.set(i, launch.params()[i]);
            }
            run(launch.local() ? SORT_LOCAL : SORT_GLOBAL, Stage.SORT, times);
        }
    }

    /** Executes one graph; its wall time goes to {@code stage} except the JIT time of a first execute, which goes to setup. */
    private TornadoProfilerResult run(int graph, Stage stage, StageTimes times) {
        graph += base;
        boolean first = !compiled[graph];
        long start = System.nanoTime();
        int selected = graph;
        TornadoExecutionResult result = DriverErrors.watch(stageName(graph, stage), () -> first && kernelDir != null
                ? launches.executePrinting(plan, selected, kernelDir, gallery[selected])
                : plan.withGraph(selected).execute());
        long wall = System.nanoTime() - start;
        compiled[graph] = true;
        lastResults[graph] = result;
        executes++;
        if (graphExecutes != null) {
            graphExecutes[graph]++;
        }
        TornadoProfilerResult profile = result.getProfilerResult();
        if (first) {
            addFirstExecuteParts(profile, wall, times);
        }
        long compile = Math.max(0, profile.getCompileTime());
        lastCompileNanos += compile;
        lastKernelNanos += Math.max(0, profile.getDeviceKernelTime());
        long setup = first ? Math.min(wall, compile) : 0;
        times.addSetup(setup);
        times.add(stage, wall - setup);
        return profile;
    }

    /** How a failure names graph {@code graph} (an index into the plan): its stage, and the graph when the stage has several. */
    private String stageName(int graph, Stage stage) {
        String name = graph < base ? "dense" : GRAPHS[graph - base];
        return name.equals(stage.key()) ? name : stage.key() + " (" + name + ")";
    }

    /**
     * The parts of a graph's first execute ({@code wall} nanoseconds), from TornadoVM's profiler, to
     * the call's setup parts: TornadoVM's compile, the driver's build, the transfers, the kernels,
     * and the rest (allocation and dispatch). Shared with {@link CausalPlan}.
     */
    static void addFirstExecuteParts(TornadoProfilerResult profile, long wall, StageTimes times) {
        long tornadoCompile = Math.max(0, profile.getTornadoCompilerTime());
        long deviceBuild = Math.max(0, profile.getDriverInstallTime());
        long transfers = Math.max(0, profile.getDeviceWriteTime()) + Math.max(0, profile.getDeviceReadTime());
        long kernels = Math.max(0, profile.getDeviceKernelTime());
        times.addSetupPart(PART_TORNADO_COMPILE, tornadoCompile);
        times.addSetupPart(PART_DEVICE_BUILD, deviceBuild);
        times.addSetupPart(PART_FIRST_TRANSFERS, transfers);
        times.addSetupPart(PART_FIRST_KERNELS, kernels);
        times.addSetupPart(PART_ALLOCATION_AND_DISPATCH, Math.max(0, wall - tornadoCompile - deviceBuild - transfers - kernels));
    }

    /** The array the projection graph sends for input {@code i} (THETA: 0 Q, 1 K, 2 V, 3 θ; SCALARS: 0 s, 1 t, 2 V). */
    public FloatArray input(int i) {
        return inputs[i];
    }

    /** Slots per head in the sort: the smallest power of two ≥ max(n, 2). */
    public int paddedN() {
        return paddedN;
    }

    /** Device memory the plan's buffers take once it has run. */
    public long deviceBytes() {
        return deviceBytes;
    }

    static long bytesWithHeaders(TornadoNativeArray... arrays) {
        long bytes = 0;
        for (TornadoNativeArray array : arrays) {
            bytes += array.getNumBytesOfSegmentWithHeader();
        }
        return bytes;
    }

    /** Releases a plan whose execution failed, as far as TornadoVM allows; never throws. */
    public void abandon() {
        try {
            close();
        } catch (RuntimeException halfAllocated) {
            // A plan whose allocation stopped half way cannot be freed cleanly; drop it.
        }
    }

    /**
     * Frees the plan's device buffers, graph by graph. TornadoVM 5.2.0's own
     * {@code freeDeviceMemory} / {@code close} on a multi-graph plan frees only the arrays of the
     * last graph. Freeing graph i frees its transfers, then the arrays it persists; from graph 1 on,
     * the first persisted array was already freed by an earlier graph, and TornadoVM fails a
     * guarantee ("trying to deallocate an invalid buffer") at that point — after the graph's own
     * transfers are freed, which is all that is left to do. Measured: this returns every byte.
     */
    @Override
    public void close() {
        freeEveryGraph(plan, base + GRAPHS.length);
    }

    /** The release of {@link #close}, for every multi-graph plan of this package. */
    static void freeEveryGraph(TornadoExecutionPlan plan, int graphs) {
        for (int graph = 0; graph < graphs; graph++) {
            try {
                plan.withGraph(graph).freeDeviceMemory();
            } catch (TornadoInternalError persistedArrayAlreadyFreed) {
                // Expected from graph 1 on (see close).
            }
        }
    }
}
