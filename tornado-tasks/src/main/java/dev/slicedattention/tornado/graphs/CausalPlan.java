package dev.slicedattention.tornado.graphs;

import dev.slicedattention.timing.Stage;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.tornado.kernels.BitonicSortKernels;
import dev.slicedattention.tornado.kernels.CausalKernels;
import dev.slicedattention.tornado.kernels.ProjectionKernels;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.Shape;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.TornadoProfilerResult;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

/**
 * Causal mode (SPEC §5) for one shape and kernel: divide and conquer over the sequence on the device
 * ({@link CausalKernels} says what each kernel does and why). Six task graphs, built and compiled
 * once, executed call after call:
 *
 * <pre>
 *   projection   s, keys (in sequence order), index, μ̂ as the forward pass; σ from the unsorted
 *                keys; the accumulators started with the pairs inside each tile of T positions
 *   sort-local   }  the forward pass's bitonic kernels, executed stage by stage: after stage k = w
 *   sort-global  }  every aligned block of w keys is sorted, the left halves that level w needs
 *   scan         the left blocks' segmented scan (the ReLU's: chunk-local prefixes and chunk offsets,
 *                2 kernels; the bump's: 3 kernels in float-float)
 *   level        ranks of the right-half queries in their left block, prefix added to the accumulators
 *   combine      the outputs from the accumulators
 * </pre>
 *
 * The host runs: projection (with the tiles); sort stages 2..T in one local launch; level T; then for
 * w = 2T, 4T, …, N/2: sort stage w, scan, level; then combine (T = min(CausalKernels.TILE, N); when
 * T = N the tiles are the whole sequence and neither sort nor levels run). Stage N of the sort is
 * never needed (no block of 2N), so the causal sort does a little less than the forward's, and each
 * level adds one scan and one rank + accumulate: O(n log² n) work
 * in all, one launch per stage covering all P problems (ragged lengths and bandwidths are data, as
 * in {@link ForwardPlan}: {@code lengths} = [L | M], {@code factors} = [ν | 1/ν | b]).
 *
 * <p>As {@link ForwardPlan}: graphs after the first consume and persist everything still in flight
 * (TornadoVM links a consumed array to the graph that ran just before), every device-only array is
 * named in a {@code FIRST_EXECUTION} transfer of the projection graph so that {@link #close} can free
 * it graph by graph, and the bump's float-float graphs are compiled with
 * {@link ForwardPlan#EXACT_OPENCL_FLAGS}. Fronts: {@link ForwardPlan.Source#THETA} and
 * {@link ForwardPlan.Source#SCALARS} (the layer's kernel stage comes through SCALARS).
 */
public final class CausalPlan implements AutoCloseable {
    private static final String[] GRAPHS = {"causalProjection", "causalSortLocal", "causalSortGlobal", "causalScan", "causalLevel",
            "causalCombine"};
    private static final int PROJECTION = 0, SORT_LOCAL = 1, SORT_GLOBAL = 2, SCAN = 3, LEVEL = 4, COMBINE = 5;

    private final Shape shape;
    private final Kernel kernel;
    private final ForwardPlan.Source source;
    private final int paddedN;
    private final int block;
    /** Positions of a tile: the levels start at w = tile. */
    private final int tile;
    private final FloatArray[] inputs;
    private final boolean[] callers;
    private final IntArray lengths;
    private final FloatArray factors;
    private final FloatArray out;
    private final IntArray localParams = new IntArray(BitonicSortKernels.PARAM_COUNT);
    private final IntArray globalParams = new IntArray(BitonicSortKernels.PARAM_COUNT);
    /** [w]: the level, read by the scan and level kernels. */
    private final IntArray levelParams = new IntArray(1);
    private final TornadoExecutionPlan plan;
    private final boolean[] compiled = new boolean[GRAPHS.length];
    /** Where the first execute of each graph writes its device code for the gallery (null: nowhere), and the file names. */
    private final Path kernelDir;
    private final String[] gallery;
    private final KernelLaunches launches = KernelLaunches.create();
    private int[] graphExecutes;
    private final long deviceBytes;
    private long lastKernelNanos;
    private int executes;

    /**
     * A plan for {@code kernel} in causal mode from {@code source}'s inputs (THETA: Q, K, V, θ;
     * SCALARS: s, t, V), which are {@code callerInputs} where given and arrays of its own where null.
     */
    public CausalPlan(Shape shape, Kernel kernel, ForwardPlan.Source source, TornadoDevice device, FloatArray[] callerInputs) {
        this(shape, kernel, source, device, null, callerInputs);
    }

    /**
     * As above; with a {@code kernelDir}, each graph's first execute writes its device code there as
     * {@code causal-<graph>[-scalars][-bump].cl}, and the launches go to its {@code launches.json}, for the gallery.
     */
    public CausalPlan(Shape shape, Kernel kernel, ForwardPlan.Source source, TornadoDevice device, Path kernelDir,
                      FloatArray[] callerInputs) {
        if (source == ForwardPlan.Source.LAYER) {
            throw new IllegalArgumentException("a causal plan starts from θ or from given scalars");
        }
        if (shape.m() != shape.n()) {
            throw new IllegalArgumentException("causal attention needs m = n, got " + shape);
        }
        this.shape = shape;
        this.kernel = kernel;
        this.kernelDir = kernelDir;
        String variant = kernel == Kernel.BUMP ? "-bump" : "";
        this.gallery = new String[] {"causal-projection" + (source == ForwardPlan.Source.SCALARS ? "-scalars" : "") + variant + ".cl",
                "causal-sort-local.cl", "causal-sort-global.cl", "causal-scan" + variant + ".cl", "causal-level" + variant + ".cl",
                "causal-combine" + variant + ".cl"};
        this.source = source;
        boolean bump = kernel == Kernel.BUMP;
        ColumnLayout layout = ColumnLayout.of(device);
        int heads = shape.heads(), n = shape.n(), d = shape.d(), e = shape.e();
        paddedN = Math.max(2, Integer.highestOneBit(n - 1) << 1);
        block = Math.min(BitonicSortKernels.LOCAL_BLOCK, paddedN);
        // The sort stages up to the tile run as one local launch, so a tile fits a local block.
        tile = Math.min(Math.min(CausalKernels.TILE, BitonicSortKernels.LOCAL_BLOCK), paddedN);
        int segmentMask = paddedN - 1;
        int chunk = Math.min(CausalKernels.CHUNK, paddedN);
        int width = bump ? 2 * e : 2 * e + 1;
        int accWidth = bump ? e : CausalKernels.reluWidth(e);
        int meanChunks = (n + ProjectionKernels.MEAN_CHUNK - 1) / ProjectionKernels.MEAN_CHUNK;

        String problem = shape + " causal " + kernel.name().toLowerCase(java.util.Locale.ROOT);
        DeviceLimits.requireArraySize(problem, "the prefix table, P·2^⌈log2 n⌉·(" + (bump ? "2e" : "2e+1") + ")", (long) heads * paddedN * width);
        DeviceLimits.requireArraySize(problem, "the accumulators, P·n·" + accWidth, (long) heads * n * accWidth);
        String[] names = source.inputNames();
        int[] sizes = source.inputSizes(shape);
        inputs = new FloatArray[sizes.length];
        callers = new boolean[sizes.length];
        if (callerInputs.length != inputs.length) {
            throw new IllegalArgumentException(callerInputs.length + " caller inputs for the " + inputs.length + " of a " + source + " plan");
        }
        for (int i = 0; i < inputs.length; i++) {
            callers[i] = callerInputs[i] != null;
            inputs[i] = callers[i] ? callerInputs[i] : HostArrays.floats(sizes[i]);
            if (inputs[i].getSize() != sizes[i]) {
                throw new IllegalArgumentException(names[i] + " holds " + inputs[i].getSize() + " values, the " + shape
                        + " plan needs " + sizes[i]);
            }
        }
        FloatArray v = inputs[2];
        lengths = HostArrays.ints(2 * heads);
        factors = HostArrays.floats(3 * heads);
        FloatArray keys = HostArrays.floats(heads * paddedN);
        IntArray index = HostArrays.ints(heads * paddedN);
        FloatArray sigma = HostArrays.floats(heads);
        FloatArray acc = HostArrays.floats(heads * n * accWidth);
        // The ReLU's left-block totals per level (CausalKernels#blockTotal): (e + 1) floats per tile of positions.
        FloatArray blockTotals = bump ? null : HostArrays.floats(heads * (paddedN / tile) * (e + 1));
        FloatArray table = HostArrays.floats(heads * paddedN * width);
        FloatArray totals = HostArrays.floats(heads * paddedN / chunk * width);
        FloatArray tableLow = bump ? HostArrays.floats(table.getSize()) : null;
        FloatArray totalsLow = bump ? HostArrays.floats(totals.getSize()) : null;
        FloatArray mu = bump ? null : HostArrays.floats(heads * e);
        FloatArray valuePartials = bump ? null : HostArrays.floats(heads * meanChunks * e);
        out = HostArrays.floats(heads * n * e);
        KernelContext context = new KernelContext();

        // Projection: the forward pass's kernels (see ForwardPlan), then σ and the tiles.
        TaskGraph projection = new TaskGraph(GRAPHS[PROJECTION]);
        FloatArray s;
        List<TornadoNativeArray> own = new ArrayList<>();
        if (source == ForwardPlan.Source.THETA) {
            FloatArray q = inputs[0], k = inputs[1], theta = inputs[3];
            FloatArray centre = HostArrays.floats(heads * d);
            FloatArray keyPartials = HostArrays.floats(heads * meanChunks * d);
            s = HostArrays.floats(heads * n);
            own.addAll(List.of(q, k, theta, centre, keyPartials, s));
            projection.transferToDevice(DataTransferMode.EVERY_EXECUTION, q, k, v, theta, lengths, factors)
                    .transferToDevice(DataTransferMode.FIRST_EXECUTION, keyPartials, centre, s);
            if (layout.columnInner()) {
                projection.task("centrePartials", ProjectionKernels::columnPartialsColumnInner, k, lengths, keyPartials, n, d, meanChunks);
            } else {
                projection.task("centrePartials", ProjectionKernels::columnPartials, k, lengths, keyPartials, n, d, meanChunks);
            }
            projection.task("centre", ProjectionKernels::meansOfPartials, keyPartials, lengths, centre, d, meanChunks);
            if (bump) {
                projection.task("queries", ProjectionKernels::projectQueriesCompensated, q, theta, centre, s, n, d)
                        .task("keys", ProjectionKernels::projectKeysCompensated, k, theta, centre, lengths, keys, index, n, paddedN, d);
            } else {
                projection.task("queries", ProjectionKernels::projectQueries, q, theta, centre, s, n, d)
                        .task("keys", ProjectionKernels::projectKeys, k, theta, centre, lengths, keys, index, n, paddedN, d);
            }
        } else {
            s = inputs[0];
            FloatArray t = inputs[1];
            own.addAll(List.of(s, t));
            projection.transferToDevice(DataTransferMode.EVERY_EXECUTION, s, t, v, lengths, factors)
                    .task("keys", ProjectionKernels::givenKeys, t, lengths, keys, index, n, paddedN);
        }
        // In flight from the projection to the combine: every graph between consumes and persists it all.
        List<Object> carry = new ArrayList<>(List.of(keys, index, s, v, lengths, factors, sigma, acc));
        projection.transferToDevice(DataTransferMode.FIRST_EXECUTION, keys, index, sigma, acc);
        if (bump) {
            projection.task("scale", CausalKernels::keyScale, keys, lengths, sigma, paddedN)
                    .task("tiles", CausalKernels::bumpTile, s, keys, v, lengths, factors, acc, n, paddedN, e, tile);
        } else {
            carry.add(mu);
            carry.add(blockTotals);
            projection.transferToDevice(DataTransferMode.FIRST_EXECUTION, valuePartials, mu, blockTotals);
            if (layout.columnInner()) {
                projection.task("valuePartials", ProjectionKernels::scaledColumnPartialsColumnInner, v, lengths, factors,
                        valuePartials, n, e, meanChunks);
            } else {
                projection.task("valuePartials", ProjectionKernels::scaledColumnPartials, v, lengths, factors, valuePartials, n, e,
                        meanChunks);
            }
            projection.task("valueMean", ProjectionKernels::meansOfPartials, valuePartials, lengths, mu, e, meanChunks)
                    .task("scale", CausalKernels::keyScale, keys, lengths, sigma, paddedN)
                    .task("tiles", CausalKernels::reluTile, s, keys, v, mu, sigma, lengths, factors, acc, blockTotals, n, paddedN, e,
                            tile);
        }
        Object[] inFlight = carry.toArray();
        projection.persistOnDevice(inFlight);

        TaskGraph sortLocal = new TaskGraph(GRAPHS[SORT_LOCAL]).consumeFromDevice(inFlight)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, localParams)
                .task("local", BitonicSortKernels::localPasses, context, keys, index, localParams, segmentMask)
                .persistOnDevice(inFlight);
        TaskGraph sortGlobal = new TaskGraph(GRAPHS[SORT_GLOBAL]).consumeFromDevice(inFlight)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, globalParams)
                .task("global", BitonicSortKernels::globalPasses, keys, index, globalParams, segmentMask)
                .persistOnDevice(inFlight);
        // The scan's tables are its own (a FIRST_EXECUTION transfer, so that close frees them) and go to the level
        // graph that runs right after it; the sort graphs need not carry them: every level rewrites them.
        List<Object> scanned = new ArrayList<>(carry);
        scanned.add(table);
        if (!bump) {
            scanned.add(totals);   // the ReLU's accumulation adds the chunk offsets (CausalKernels#reluLevel)
        }
        TaskGraph scan = new TaskGraph(GRAPHS[SCAN]).consumeFromDevice(inFlight)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, levelParams)
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, table, totals);
        if (bump) {
            scanned.add(tableLow);
            scan.transferToDevice(DataTransferMode.FIRST_EXECUTION, tableLow, totalsLow);
        }
        Object[] scanOut = scanned.toArray();
        TaskGraph level = new TaskGraph(GRAPHS[LEVEL]).consumeFromDevice(scanOut)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, levelParams);
        TaskGraph combine = new TaskGraph(GRAPHS[COMBINE]).consumeFromDevice(inFlight);
        if (bump) {
            scan.task("totals", CausalKernels::bumpTotals, keys, index, v, sigma, lengths, factors, levelParams, totals, totalsLow,
                            n, paddedN, e, chunk)
                    .task("offsets", CausalKernels::bumpOffsets, totals, totalsLow, levelParams, paddedN, chunk, width)
                    .task("scan", CausalKernels::bumpScan, keys, index, v, sigma, lengths, factors, levelParams, totals, totalsLow,
                            table, tableLow, n, paddedN, e, chunk);
            level.task("level", CausalKernels::bumpLevel, s, keys, lengths, sigma, table, tableLow, factors, levelParams, acc,
                    n, paddedN, e);
            combine.task("combine", CausalKernels::bumpCombine, acc, lengths, factors, out, n, e);
        } else {
            scan.task("chunkScan", CausalKernels::reluChunkScan, keys, index, v, mu, sigma, lengths, factors, levelParams, totals,
                            table, blockTotals, n, paddedN, e, chunk, tile)
                    .task("offsets", CausalKernels::offsets, totals, levelParams, blockTotals, paddedN, chunk, width, e, tile);
            level.task("level", CausalKernels::reluLevel, s, keys, lengths, levelParams, table, totals, acc, n, paddedN, e, chunk);
            combine.task("combine", CausalKernels::reluCombine, s, sigma, acc, blockTotals, lengths, factors, out, n, paddedN, e, tile);
        }
        scan.persistOnDevice(scanOut);
        level.persistOnDevice(inFlight);
        combine.transferToHost(DataTransferMode.EVERY_EXECUTION, out);

        ImmutableTaskGraph[] graphs = {projection.snapshot(), sortLocal.snapshot(), sortGlobal.snapshot(), scan.snapshot(),
                level.snapshot(), combine.snapshot()};
        WorkerGrid1D localGrid = new WorkerGrid1D(heads * paddedN / 2);
        localGrid.setLocalWork(block / 2, 1, 1);
        GridScheduler grid = new GridScheduler(GRAPHS[SORT_LOCAL] + ".local", localGrid);
        plan = new TornadoExecutionPlan(graphs);
        plan.withDevice(device).withGridScheduler(grid).withProfiler(ProfilerMode.SILENT);
        // Bump: float-float arithmetic, which must not be reassociated (see CompensatedPrefixSumKernels). Both
        // combines: products rounded as written (no mad contraction), so that x·C − y·c is 0 when x = y and C = c
        // (see CausalKernels#reluCombine). Both projections: the column means' scales undone in their order
        // (ProjectionKernels#meansOfPartials). Per graph, as in ForwardPlan.
        for (int graph : bump ? new int[] {PROJECTION, SCAN, LEVEL, COMBINE} : new int[] {PROJECTION, COMBINE}) {
            plan.withGraph(graph).withCompilerFlags(TornadoVMBackendType.OPENCL, ForwardPlan.EXACT_OPENCL_FLAGS);
        }
        plan.withAllGraphs();
        DeviceLimits.capPtxRegisters(plan);
        for (Object array : carry) {
            own.add((TornadoNativeArray) array);
        }
        own.addAll(List.of(table, totals));
        if (bump) {
            own.addAll(List.of(tableLow, totalsLow));
        } else {
            own.add(valuePartials);
        }
        own.addAll(List.of(out, localParams, globalParams, levelParams));
        long bytes = 0;
        for (TornadoNativeArray array : own.stream().distinct().toList()) {
            bytes += array.getNumBytesOfSegmentWithHeader();
        }
        deviceBytes = bytes;
    }

    public Shape shape() {
        return shape;
    }

    public Kernel kernel() {
        return kernel;
    }

    public ForwardPlan.Source source() {
        return source;
    }

    /** Device memory the plan's buffers take once it has run. */
    public long deviceBytes() {
        return deviceBytes;
    }

    /** Device kernel time of the last call, from TornadoVM's profiler. */
    public long lastKernelNanos() {
        return lastKernelNanos;
    }

    /** Graph executes of the last call. */
    public int lastExecutes() {
        return executes;
    }

    /**
     * One causal pass: {@code host[i]} fills input i (null exactly where the plan sends the caller's
     * array); lengths, value scales and bandwidths from {@code problems}. Returns [P, n, e].
     */
    public float[] forward(HostValues[] host, ProblemParameters problems, StageTimes times) {
        lastKernelNanos = 0;
        executes = 0;
        graphExecutes = new int[GRAPHS.length];
        long copyStart = System.nanoTime();
        for (int i = 0; i < inputs.length; i++) {
            if (callers[i] != (host[i] == null)) {
                throw new IllegalArgumentException("input " + i + (callers[i] ? " is the caller's array in this plan"
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

        TornadoProfilerResult profile = run(PROJECTION, Stage.PROJECTION, times);
        times.add(Stage.TRANSFER_IN, profile.getDeviceWriteTime());
        times.add(Stage.PROJECTION, -profile.getDeviceWriteTime());
        if (tile < paddedN) {
            // Stages 2..tile: every block of tile keys sorted, in one launch (tile ≤ block: no global pass).
            sortLaunch(new BitonicSortKernels.Launch(true, new int[] {0, tile / 2, 2, tile, 0}), times);
            level(tile, times);
            for (int w = 2 * tile; w < paddedN; w <<= 1) {
                sortStage(w, times);
                level(w, times);
            }
        }
        profile = run(COMBINE, Stage.COMBINE, times);
        times.add(Stage.TRANSFER_OUT, profile.getDeviceReadTime());
        times.add(Stage.COMBINE, -profile.getDeviceReadTime());
        float[] result = new float[out.getSize()];
        MemorySegment.copy(out.getSegment(), ValueLayout.JAVA_FLOAT, 0, result, 0, result.length);
        launches.write(kernelDir, "tornado", shape.n(), graphExecutes);
        return result;
    }

    /** Level w: the left blocks' scan (charged to the prefix sums), then ranks and accumulation (to the rank stage). */
    private void level(int w, StageTimes times) {
        levelParams.set(0, w);
        run(SCAN, Stage.PREFIX_SUM, times);
        run(LEVEL, Stage.RANK, times);
    }

    /**
     * Stage k of the bitonic network: global passes for the distances j ≥ block, then one local launch
     * for the rest (the forward's sort, one stage at a time, so that each level finds its blocks sorted).
     */
    private void sortStage(int k, StageTimes times) {
        for (BitonicSortKernels.Launch launch : BitonicSortKernels.stage(k, block)) {
            sortLaunch(launch, times);
        }
    }

    /** One launch of the sort: its parameters into the kernel's params array, then its graph. */
    private void sortLaunch(BitonicSortKernels.Launch launch, StageTimes times) {
        IntArray params = launch.local() ? localParams : globalParams;
        for (int i = 0; i < BitonicSortKernels.PARAM_COUNT; i++) {
            params.set(i, launch.params()[i]);
        }
        run(launch.local() ? SORT_LOCAL : SORT_GLOBAL, Stage.SORT, times);
    }

    /** Executes one graph; its wall time goes to {@code stage} except the JIT time of a first execute, which goes to setup. */
    private TornadoProfilerResult run(int graph, Stage stage, StageTimes times) {
        boolean first = !compiled[graph];
        long start = System.nanoTime();
        TornadoExecutionResult result = DriverErrors.watch(stage.key() + " (" + GRAPHS[graph] + ")", () -> first && kernelDir != null
                ? launches.executePrinting(plan, graph, kernelDir, gallery[graph])
                : plan.withGraph(graph).execute());
        long wall = System.nanoTime() - start;
        compiled[graph] = true;
        executes++;
        graphExecutes[graph]++;
        TornadoProfilerResult profile = result.getProfilerResult();
        if (first) {
            ForwardPlan.addFirstExecuteParts(profile, wall, times);
        }
        long compile = Math.max(0, profile.getCompileTime());
        lastKernelNanos += Math.max(0, profile.getDeviceKernelTime());
        long setup = first ? Math.min(wall, compile) : 0;
        times.addSetup(setup);
        times.add(stage, wall - setup);
        return profile;
    }

    /** Releases a plan whose execution failed, as far as TornadoVM allows; never throws. */
    public void abandon() {
        try {
            close();
        } catch (RuntimeException halfAllocated) {
            // A plan whose allocation stopped half way cannot be freed cleanly; drop it.
        }
    }

    /** Frees the device buffers graph by graph (TornadoVM 5.2.0's own close frees only the last graph's: see ForwardPlan#close). */
    @Override
    public void close() {
        ForwardPlan.freeEveryGraph(plan, GRAPHS.length);
    }
}
