package dev.slicedattention.tornado;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.error.DeviceFailureException;
import dev.slicedattention.error.InvalidInputException;
import dev.slicedattention.Tensor;
import dev.slicedattention.spi.BackendEngine;
import dev.slicedattention.spi.OffHeapFloats;
import dev.slicedattention.spi.TensorBatch;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.timing.Stage;
import dev.slicedattention.tornado.graphs.CausalPlan;
import dev.slicedattention.tornado.graphs.DriverErrors;
import dev.slicedattention.tornado.graphs.ForwardPlan;
import dev.slicedattention.tornado.graphs.HostValues;
import dev.slicedattention.tornado.graphs.LayerFront;
import dev.slicedattention.tornado.graphs.ProblemParameters;
import dev.slicedattention.tornado.graphs.SoftmaxPlan;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.Shape;
import dev.slicedattention.validation.FiniteCheck;
import dev.slicedattention.validation.sequential.PrefixSums;
import dev.slicedattention.validation.sequential.Projection;
import dev.slicedattention.validation.sequential.ProjectionRange;
import dev.slicedattention.validation.layer.LayerWeights;
import dev.slicedattention.validation.layer.TokenOrder;
import dev.slicedattention.validation.projection.HeadLayout;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.exceptions.TornadoBailoutRuntimeException;
import uk.ac.manchester.tornado.api.exceptions.TornadoMemoryException;
import uk.ac.manchester.tornado.api.exceptions.TornadoOutOfMemoryException;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * An opened TornadoVM device. Execution plans are built and compiled once per shape and kernel and cached
 * (the {@value #CACHED_SHAPES} most recently used; an evicted plan frees its device buffers), so a
 * second call on a shape neither rebuilds nor recompiles. Inputs that are TornadoVM
 * {@link FloatArray}s ({@link TornadoTensors#wrap}) are sent to the device as they are: the plan is
 * built on those arrays, so its cache key is the shape plus the arrays' identities.
 *
 * <p>Kernel gallery: when the system property {@value #KERNEL_DIR_PROPERTY} names a folder, the
 * OpenCL C (or PTX) that TornadoVM generates for each stage is saved there on the stage's first
 * compilation, one file per stage ({@code projection.cl}, {@code sort-local.cl}, ...).
 */
public final class TornadoEngine implements BackendEngine {
    public static final String KERNEL_DIR_PROPERTY = "sliced.attention.kernelDir";
    /**
     * {@code host} makes {@link #layer} decline, so that the layer runs its dense stages and projection
     * on the JVM and only the kernel stage here (given scalars): the twin of the device front, for
     * tests and comparisons. Read when the engine opens; anything else (the default) is the device path.
     */
    public static final String LAYER_PATH_PROPERTY = "sliced.attention.tornado.layer";
    static final int CACHED_SHAPES = 2;

    private final TornadoDevice device;
    private final BackendInfo info;
    /** Device bytes this engine's plans may hold together: TornadoVM's limit for the process, or the device's memory if less. */
    private final long memoryBudget;
    private final boolean deviceLayer = !"host".equals(System.getProperty(LAYER_PATH_PROPERTY));
    private final Map<PlanKey, ForwardPlan> plans = new LinkedHashMap<>(4, 0.75f, true);
    private SoftmaxPlan softmax;
    /** The causal plan of the last causal call and its key (one cached: see {@link #causal}). */
    private CausalPlan causalPlan;
    private PlanKey causalKey;
    private CausalPlan lastCausalPlan;
    private ForwardPlan lastPlan;
    private int plansBuilt;
    private boolean closed;

    /** The device this engine's plans run on. */
    TornadoDevice device() {
        return device;
    }

    TornadoEngine(TornadoDevice device, BackendInfo info) {
        this.device = device;
        this.info = info;
        this.memoryBudget = Math.min(DeviceMemory.tornadoLimit(), device.getMaxGlobalMemory());
    }

    @Override
    public BackendInfo info() {
        return info;
    }

    @Override
    public float[] forward(AttentionBatch batch, StageTimes times) {
        Shape shape = new Shape(batch.heads(), batch.m(), batch.n(), batch.d(), batch.e());
        // A batch with given scalars (a learned projection, the layer) starts at the SCALARS front.
        ForwardPlan.Source source = batch.hasScalars() ? ForwardPlan.Source.SCALARS : ForwardPlan.Source.THETA;
        HostValues[] host = batch.hasScalars() ? HostValues.ofArrays(batch.s(), batch.t(), batch.v())
                : HostValues.ofArrays(batch.q(), batch.k(), batch.v(), batch.theta());
        long start = System.nanoTime();
        if (!batch.hasScalars()) {
            refuseOverflowingProjections(batch.heads(), batch.d(), batch::queryLength, batch::keyLength, batch.m(), batch.n(),
                    host[0]::read, host[1]::read, batch.theta(), batch.largestQueryMagnitude(), batch.largestKeyMagnitude(), () -> batch);
        }
        ProblemParameters problems = ProblemParameters.of(batch);
        times.add(Stage.PROJECTION, System.nanoTime() - start);
        return forward(shape, batch.kernel(), batch.isCausal(), source, new FloatArray[host.length], host, problems, times,
                batch.toString());
    }

    /**
     * FloatArray inputs are used in place; any other input is copied into the plan's own array, from
     * the heap or from where it lies off the heap (a mapped {@code .npy}, read in blocks, never copied
     * onto the heap first). The value scales ν_p are computed here on the host, from V as it is.
     */
    @Override
    public float[] forward(TensorBatch batch, StageTimes times) {
        Shape shape = new Shape(batch.heads(), batch.m(), batch.n(), batch.d(), batch.e());
        Tensor[] tensors = {batch.q(), batch.k(), batch.v(), batch.theta()};
        FloatArray[] callers = new FloatArray[tensors.length];
        HostValues[] host = new HostValues[tensors.length];
        FiniteCheck.BlockReader[] readers = new FiniteCheck.BlockReader[tensors.length];   // every input, read in place
        for (int i = 0; i < tensors.length; i++) {
            OffHeapFloats offHeap = tensors[i].offHeap().orElse(null);
            if (offHeap != null && offHeap.array() instanceof FloatArray floats) {
                callers[i] = floats;
            } else {
                host[i] = offHeap != null ? HostValues.of(offHeap) : HostValues.of(tensors[i].data());
            }
            readers[i] = offHeap != null ? offHeap.blocks() : host[i]::read;
        }
        long start = System.nanoTime();
        int[] keyLengths = ProblemParameters.keyLengths(batch.options(), batch.heads(), batch.n());
        float[] scales = new float[batch.heads()];
        for (int p = 0; p < scales.length; p++) {
            int from = p * batch.n() * batch.e(), count = keyLengths[p] * batch.e();
            scales[p] = PrefixSums.powerOfTwoAbove(FiniteCheck.largestMagnitude(from, count, readers[2]));
        }
        ProblemParameters problems = ProblemParameters.of(batch.options(), batch.heads(), batch.m(), batch.n(), scales);
        refuseOverflowingProjections(batch.heads(), batch.d(), p -> problems.queryLengths()[p], p -> keyLengths[p], batch.m(), batch.n(),
                readers[0], readers[1], values(readers[3], batch.heads() * batch.d()), batch.largestQueryMagnitude(),
                batch.largestKeyMagnitude(), batch::toHeap);
        times.add(Stage.PROJECTION, System.nanoTime() - start);
        return forward(shape, batch.options().kernel(), batch.options().isCausal(), ForwardPlan.Source.THETA, callers, host, problems,
                times, batch.toString());
    }

    /** Causal: no causal LAYER front; declined, the layer's kernel stage comes here with given scalars. */
    @Override
    public boolean hasLayerPath(AttentionOptions options) {
        return deviceLayer && !options.isCausal();
    }

    /**
     * The attention layer on the device from end to end: one LAYER plan ({@link LayerFront}) per weights,
     * rope, head layout and shape, X and the mask order sent on every call, and only the kernel stage's
     * output [B·H, T, d] back; the last step — heads concatenated into [B, T, hidden] and the mask
     * order undone, padded rows 0 — is a host copy, like the JVM path's.
     */
    @Override
    public Optional<LayerRun> layer(LayerWeights weights, boolean rope, HeadLayout layout, float[] x, int items, int tokens,
                                    TokenOrder order, AttentionOptions options, StageTimes times) {
        if (!hasLayerPath(options)) {
            return Optional.empty();
        }
        requireOpen();
        int heads = weights.heads(), d = weights.headDim(), hidden = weights.hidden(), problems = items * heads;
        LayerFront.Config config = new LayerFront.Config(weights, rope, layout);
        Shape shape = new Shape(problems, tokens, tokens, d, d);
        PlanKey key = new PlanKey(shape, weights.kernel(), ForwardPlan.Source.LAYER, new FloatArray[0], config);
        ForwardPlan plan = plans.get(key);
        String problem = "the " + weights.kernel() + " layer on X [" + items + ", " + tokens + ", " + hidden + "]";
        float[] attended;
        long[] front = new long[2];
        try {
            if (plan == null) {
                long start = System.nanoTime();
                plan = new ForwardPlan(new LayerFront(config, items, tokens), device, kernelDir());
                plansBuilt++;
                makeRoom(plan.deviceBytes(), true);
                plans.put(key, plan);
                times.addSetup(System.nanoTime() - start);
            }
            lastPlan = plan;
            int[] positions = new int[items * tokens];
            for (int b = 0; b < items; b++) {
                for (int r = 0; r < tokens; r++) {
                    positions[b * tokens + r] = order.token(b, r);
                }
            }
            float[] ones = new float[problems];
            java.util.Arrays.fill(ones, 1.0f);   // ν is computed on the device from V
            attended = plan.forwardLayer(x, positions, ProblemParameters.of(options, problems, tokens, tokens, ones), times, front);
        } catch (RuntimeException failed) {
            if (plan != null) {
                plans.remove(key);
                plan.abandon();
            }
            throw translate(failed, problem);
        }
        long start = System.nanoTime();
        float[] out = new float[items * tokens * hidden];
        // [B·H, T, d] in mask order back to [B, T, H·d]; padded tokens' rows stay 0.
        for (int p = 0; p < problems; p++) {
            int item = p / heads, h = p - item * heads;
            for (int r = 0; r < order.length(item); r++) {
                System.arraycopy(attended, (p * tokens + r) * d, out, (item * tokens + order.token(item, r)) * hidden + h * d, d);
            }
        }
        times.add(Stage.TRANSFER_OUT, System.nanoTime() - start);
        return Optional.of(new LayerRun(out, front[0], front[1]));
    }

    /**
     * The device projects s and t where the host cannot see them: refuse here the inputs whose float32
     * projections would overflow ({@link ProjectionRange}), by a bound from one pass over Q and K and,
     * only where the bound cannot rule it out, by the exact projections of a heap copy.
     */
    private static void refuseOverflowingProjections(int heads, int d, java.util.function.IntUnaryOperator queryLength,
                                                     java.util.function.IntUnaryOperator keyLength, int m, int n,
                                                     FiniteCheck.BlockReader q, FiniteCheck.BlockReader k, float[] theta,
                                                     float largestQuery, float largestKey,
                                                     java.util.function.Supplier<AttentionBatch> heap) {
        AttentionBatch exact = null;
        for (int p = 0; p < heads; p++) {
            int thetaOffset = theta.length == d ? 0 : p * d;
            // First the whole batch's max|Q| and max|K|, which the inputs' finite check found without a
            // second read; only where that bound fails, the problem's own rows, then the exact projections.
            if (!ProjectionRange.cannotOverflow(largestQuery, largestKey, d, theta, thetaOffset)
                    && !ProjectionRange.cannotOverflow(q, p * m, queryLength.applyAsInt(p), k, p * n, keyLength.applyAsInt(p), d, theta, thetaOffset)) {
                exact = exact != null ? exact : heap.get();
                Projection.scalars(exact, p);                    // refuses an overflow by row
            }
        }
    }

    /** The first {@code size} values of a reader, in a new array (θ: P·d values). */
    private static float[] values(FiniteCheck.BlockReader reader, int size) {
        float[] values = new float[size];
        reader.read(0, values, size);
        return values;
    }

    private float[] forward(Shape shape, Kernel kernel, boolean causal, ForwardPlan.Source source, FloatArray[] callers,
                            HostValues[] host, ProblemParameters problems, StageTimes times, String problem) {
        requireOpen();
        if (causal) {
            return causal(shape, kernel, source, callers, host, problems, times, problem);
        }
        PlanKey key = new PlanKey(shape, kernel, source, callers, null);
        ForwardPlan plan = plans.get(key);
        try {
            if (plan == null) {
                long start = System.nanoTime();
                plan = new ForwardPlan(shape, kernel, source, device, kernelDir(), callers);
                plansBuilt++;
                makeRoom(plan.deviceBytes(), true);
                plans.put(key, plan);
                times.addSetup(System.nanoTime() - start);
                times.addSetupPart(ForwardPlan.PART_PLAN_BUILD, System.nanoTime() - start);
            }
            lastPlan = plan;
            return plan.forward(host, problems, times);
        } catch (RuntimeException failed) {
            if (plan != null) {
                plans.remove(key);
                plan.abandon();
            }
            throw translate(failed, problem);
        }
    }

    /**
     * Causal mode (SPEC §5) on its own plan ({@link CausalPlan}), cached beside the forward plans:
     * the last one only (a benchmark alternating causal and plain shapes keeps one of each).
     */
    private float[] causal(Shape shape, Kernel kernel, ForwardPlan.Source source, FloatArray[] callers, HostValues[] host,
                           ProblemParameters problems, StageTimes times, String problem) {
        PlanKey key = new PlanKey(shape, kernel, source, callers, null);
        CausalPlan plan = causalKey != null && causalKey.equals(key) ? causalPlan : null;
        try {
            if (plan == null) {
                if (causalPlan != null) {
                    causalPlan.close();
                    causalPlan = null;
                    causalKey = null;
                }
                long start = System.nanoTime();
                plan = new CausalPlan(shape, kernel, source, device, kernelDir(), callers);
                plansBuilt++;
                makeRoom(plan.deviceBytes(), false);
                causalPlan = plan;
                causalKey = key;
                times.addSetup(System.nanoTime() - start);
                times.addSetupPart(ForwardPlan.PART_PLAN_BUILD, System.nanoTime() - start);
            }
            lastCausalPlan = plan;
            return plan.forward(host, problems, times);
        } catch (RuntimeException failed) {
            if (plan != null) {
                plan.abandon();
                causalPlan = null;
                causalKey = null;
            }
            throw translate(failed, problem);
        }
    }

    /**
     * Frees cached plans, least recently used first, until a new plan of {@code bytes} fits the
     * device memory TornadoVM lets this process use and, for a forward plan, fewer than
     * {@value #CACHED_SHAPES} remain. The cache is there for speed: it must never be the reason a
     * call runs out of device memory.
     */
    private void makeRoom(long bytes, boolean forwardPlan) {
        long used = bytes + (softmax == null ? 0 : softmax.deviceBytes()) + (causalPlan == null ? 0 : causalPlan.deviceBytes());
        for (ForwardPlan plan : plans.values()) {
            used += plan.deviceBytes();
        }
        Iterator<Map.Entry<PlanKey, ForwardPlan>> oldest = plans.entrySet().iterator();
        while (oldest.hasNext() && (used > memoryBudget || (forwardPlan && plans.size() >= CACHED_SHAPES))) {
            ForwardPlan evicted = oldest.next().getValue();
            used -= evicted.deviceBytes();
            evicted.close();
            oldest.remove();
        }
        if (used > memoryBudget && softmax != null) {
            used -= softmax.deviceBytes();
            softmax.close();
            softmax = null;
        }
        if (used > memoryBudget && causalPlan != null) {
            causalPlan.close();
            causalPlan = null;
            causalKey = null;
        }
    }

    /**
     * A plan's cache key: the shape, the kernel, the front (a given-scalars batch has d = 1, like a
     * θ batch of d = 1), and the caller's arrays the plan sends (null where it uses its own), compared
     * by identity — the plan is bound to those objects, whatever they hold. Lengths, value scales and
     * bandwidths are not in it: they are data the plan sends on every call.
     */
    private record PlanKey(Shape shape, Kernel kernel, ForwardPlan.Source source, FloatArray[] callers, LayerFront.Config layer) {
        @Override
        public boolean equals(Object other) {
            if (!(other instanceof PlanKey key) || !shape.equals(key.shape) || kernel != key.kernel || source != key.source
                    || !java.util.Objects.equals(layer, key.layer)) {
                return false;
            }
            for (int i = 0; i < callers.length; i++) {
                if (callers[i] != key.callers[i]) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            int hash = 31 * (31 * (31 * shape.hashCode() + kernel.hashCode()) + source.hashCode()) + java.util.Objects.hashCode(layer);
            for (FloatArray array : callers) {
                hash = 31 * hash + System.identityHashCode(array);
            }
            return hash;
        }
    }

    @Override
    public float[] softmax(AttentionBatch batch) {
        requireOpen();
        Shape shape = new Shape(batch.heads(), batch.m(), batch.n(), batch.d(), batch.e());
        try {
            if (softmax == null || !softmax.shape().equals(shape)) {
                if (softmax != null) {
                    softmax.close();
                    softmax = null;
                }
                SoftmaxPlan built = new SoftmaxPlan(shape, device);
                makeRoom(built.deviceBytes(), false);
                softmax = built;
            }
            return softmax.run(batch);
        } catch (RuntimeException failed) {
            throw translate(failed, batch.toString());
        }
    }

    /** Execution plans built so far by this engine (for tests: a cached shape adds none). */
    public int plansBuilt() {
        return plansBuilt;
    }

    /** The plan of the last causal call, for its profiler figures (null before one). */
    public CausalPlan lastCausalPlan() {
        return lastCausalPlan;
    }

    /** The plan of the last forward call, for its profiler figures. */
    public ForwardPlan lastPlan() {
        return lastPlan;
    }

    private static Path kernelDir() {
        String dir = System.getProperty(KERNEL_DIR_PROPERTY);
        return dir == null || dir.isBlank() ? null : Path.of(dir);
    }

    private RuntimeException translate(RuntimeException failed, String batch) {
        if (failed instanceof DeviceFailureException || failed instanceof InvalidInputException) {
            return failed;   // already says what to do (InvalidInputException: a plan too large, DeviceLimits)
        }
        String device = info.name() + " (" + info.deviceName() + ")";
        if (failed instanceof DriverErrors.LaunchFailure launch) {
            return new DeviceFailureException(device + " failed in the " + launch.getMessage() + " (printed by TornadoVM above), and"
                    + " TornadoVM went on without that kernel's results, so the output of " + batch + " is unusable and was"
                    + " not returned: check the device's limits and driver, or run on another backend", failed);
        }
        if (failed instanceof TornadoOutOfMemoryException || failed instanceof TornadoMemoryException) {
            return new DeviceFailureException(device + " ran out of memory for " + batch
                    + ": use fewer heads or shorter sequences, or raise -Dtornado.device.memory", failed);
        }
        if (failed instanceof TornadoBailoutRuntimeException) {
            return new DeviceFailureException("a kernel did not compile for " + device
                    + " and TornadoVM would have run it as Java on the host: run with -Dtornado.printKernel=True to see it", failed);
        }
        return new DeviceFailureException(device + " failed on " + batch + " (" + failed + "); check the device with `tornado --devices`", failed);
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this tornado backend is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ForwardPlan plan : plans.values()) {
            plan.close();
        }
        plans.clear();
        if (causalPlan != null) {
            causalPlan.close();
            causalPlan = null;
        }
        if (softmax != null) {
            softmax.close();
        }
    }
}
