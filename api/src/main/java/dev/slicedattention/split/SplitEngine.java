package dev.slicedattention.split;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.DeviceKind;
import dev.slicedattention.calibration.Calibration;
import dev.slicedattention.calibration.CostModel;
import dev.slicedattention.calibration.ProblemWork;
import dev.slicedattention.error.DeviceFailureException;
import dev.slicedattention.error.InvalidInputException;
import dev.slicedattention.error.SlicedAttentionException;
import dev.slicedattention.spi.BackendEngine;
import dev.slicedattention.timing.Stage;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * {@code split:A,B,...} (or {@code split:A+B}): one call's P problems divided among several backends, run at the same time,
 * the outputs gathered into one array. Each backend computes its problems exactly as it would alone
 * (it gets them as a batch of their own, {@link BatchSlice}), so the output is, problem by problem,
 * bit for bit what that backend gives.
 *
 * <p>Division ({@link ProblemShares}): by each backend's predicted time — on the first call from the
 * machine's calibration (equal speeds for a backend it has no model of), then from the time each
 * backend took per unit of work in the calls so far. Which backend computes a problem may therefore
 * change from one call to the next; each problem's output is always its backend's own. A backend
 * failing fails the whole call with its name, after the others have finished; no output is returned.
 *
 * <p>Threads: every backend lives on a thread of its own, which opens it, runs all its calls and closes
 * it (engines are not thread-safe, and a device runtime may tie state to a thread). Like every
 * engine, one call at a time.
 */
public final class SplitEngine implements BackendEngine {
    /** The prefix of a split's name: {@code split:tornado:0:0,jvm-par}. */
    public static final String PREFIX = "split";

    /**
     * The separator of the backends in a split's own name ({@code split:tornado:0:0+jvm-par}); a name
     * given may use ',' too, except inside a comma-separated list of backends (the showcase's --backends).
     */
    public static final String SEPARATOR = "+";

    private final List<Lane> lanes;
    private final BackendInfo info;
    private final Calibration calibration;
    private List<SplitShare> lastShares = List.of();

    private SplitEngine(List<Lane> lanes, Calibration calibration) {
        this.lanes = lanes;
        this.calibration = calibration;
        this.info = combinedInfo(lanes);
    }

    /**
     * Opens {@code names} (at least two, each opened by {@code opener} on its own thread). {@code calibration}
     * may be null: the division then follows measured times.
     */
    public static SplitEngine open(List<String> names, Function<String, BackendEngine> opener, Calibration calibration) {
        if (names.size() < 2) {
            throw new InvalidInputException("a split needs at least two backends, got " + names
                    + ": name them as split:tornado:0:0,jvm-par, or use 'split' alone for every available backend");
        }
        List<Lane> lanes = new ArrayList<>();
        List<Future<BackendEngine>> opening = new ArrayList<>();
        for (String name : names) {
            ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
                Thread worker = new Thread(runnable, "split-" + name);
                worker.setDaemon(true);
                return worker;
            });
            opening.add(thread.submit(() -> opener.apply(name)));
            lanes.add(new Lane(name, thread));
        }
        RuntimeException failure = null;
        for (int i = 0; i < lanes.size(); i++) {
            try {
                lanes.get(i).engine = await(opening.get(i));
            } catch (ExecutionException opened) {
                if (failure == null) {
                    failure = opened.getCause() instanceof RuntimeException runtime ? runtime
                            : new DeviceFailureException("backend '" + names.get(i) + "' failed to open: " + opened.getCause(), opened.getCause());
                }
            }
        }
        if (failure != null) {
            closeAll(lanes);
            throw failure;
        }
        return new SplitEngine(lanes, calibration);
    }

    @Override
    public BackendInfo info() {
        return info;
    }

    /** The names of the backends, in their order of division. */
    public List<String> backends() {
        return lanes.stream().map(lane -> lane.name).toList();
    }

    /** How the last call's problems were divided and how long each backend took (empty before the first call). */
    public List<SplitShare> lastShares() {
        return lastShares;
    }

    @Override
    public float[] forward(AttentionBatch batch, StageTimes times) {
        return divide(batch, times, false);
    }

    @Override
    public float[] softmax(AttentionBatch batch) {
        return divide(batch, new StageTimes(), true);
    }

    private float[] divide(AttentionBatch batch, StageTimes times, boolean softmax) {
        ProblemWork[] work = ProblemWork.perProblem(batch);
        int[] cuts = ProblemShares.cut(work, costs(batch));
        long start = System.nanoTime();
        List<Future<LaneRun>> running = new ArrayList<>();
        for (int i = 0; i < lanes.size(); i++) {
            int from = cuts[i], to = cuts[i + 1];
            if (from == to) {
                running.add(null);
                continue;
            }
            AttentionBatch slice = BatchSlice.of(batch, from, to);
            Lane lane = lanes.get(i);
            running.add(lane.thread.submit(() -> {
                StageTimes own = new StageTimes();
                long t0 = System.nanoTime();
                float[] out = softmax ? lane.engine.softmax(slice) : lane.engine.forward(slice, own);
                return new LaneRun(out, own, System.nanoTime() - t0);
            }));
        }
        long sliced0 = System.nanoTime();
        // Every lane finishes before anything is returned or thrown: an engine is never left running
        // under a caller that has moved on, and a failed call hands out no partial array.
        LaneRun[] runs = new LaneRun[lanes.size()];
        SlicedAttentionException failure = null;
        for (int i = 0; i < lanes.size(); i++) {
            if (running.get(i) == null) {
                continue;
            }
            try {
                runs[i] = await(running.get(i));
            } catch (ExecutionException failed) {
                if (failure == null) {
                    failure = laneFailure(lanes.get(i).name, cuts[i], cuts[i + 1], batch.heads(), failed.getCause());
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        long ran = System.nanoTime();
        // One backend with every problem: its own array is the output, with no copy.
        LaneRun whole = null;
        for (int i = 0; i < lanes.size(); i++) {
            if (cuts[i] == 0 && cuts[i + 1] == batch.heads()) {
                whole = runs[i];
            }
        }
        float[] out = whole != null ? whole.output : new float[batch.outputLength()];
        int rowFloats = batch.m() * batch.e();
        int slowest = -1;
        double total = ProblemWork.sum(work, 0, work.length).elements() + ProblemWork.sum(work, 0, work.length).sortUnits();
        List<SplitShare> shares = new ArrayList<>();
        for (int i = 0; i < lanes.size(); i++) {
            LaneRun run = runs[i];
            ProblemWork part = ProblemWork.sum(work, cuts[i], cuts[i + 1]);
            shares.add(new SplitShare(lanes.get(i).name, cuts[i], cuts[i + 1], (part.elements() + part.sortUnits()) / total,
                    run == null ? 0 : run.nanos));
            if (run == null) {
                continue;
            }
            if (run != whole) {
                System.arraycopy(run.output, 0, out, cuts[i] * rowFloats, run.output.length);
            }
            lanes.get(i).learn(part, run.nanos);
            if (slowest < 0 || run.nanos > runs[slowest].nanos) {
                slowest = i;
            }
        }
        // The call's stages are those of the backend that finished last (the others ran beside it);
        // cutting the inputs into slices and gathering the outputs are host copies, charged as transfers.
        for (Stage stage : Stage.values()) {
            times.add(stage, runs[slowest].times.nanos(stage));
        }
        for (LaneRun run : runs) {
            if (run != null) {
                times.addSetup(run.times.setupNanos());
            }
        }
        times.add(Stage.TRANSFER_IN, sliced0 - start);
        times.add(Stage.TRANSFER_OUT, System.nanoTime() - ran);
        lastShares = List.copyOf(shares);
        return out;
    }

    /**
     * Each lane's predicted time for this call's problems: from the time it took per unit of work in the
     * calls so far (above the calibration's fixed cost, when there is one); before its first call, the
     * calibration's model for this kind of call; without either, 1 ns per unit (every lane alike, and a
     * lane the calibration does not know is tried).
     */
    private List<ProblemShares.LaneCost> costs(AttentionBatch batch) {
        List<ProblemShares.LaneCost> costs = new ArrayList<>();
        for (Lane lane : lanes) {
            Optional<CostModel> model = calibration == null ? Optional.empty()
                    : calibration.model(lane.name, batch.kernel(), batch.isCausal());
            costs.add(lane.cost(model.orElse(null)));
        }
        return costs;
    }

    private static SlicedAttentionException laneFailure(String backend, int from, int to, int heads, Throwable cause) {
        String where = "backend '" + backend + "' (problems " + from + ".." + (to - 1) + " of the " + heads
                + " in this split call; its problem numbers count from " + from + ")";
        if (cause instanceof InvalidInputException invalid) {
            return new InvalidInputException(where + ": " + invalid.getMessage(), invalid);
        }
        String message = cause instanceof SlicedAttentionException known ? known.getMessage()
                : cause instanceof OutOfMemoryError ? "out of memory (" + cause.getMessage() + ")"
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        return new DeviceFailureException(where + " failed, so the call failed: " + message, cause);
    }

    @Override
    public void close() {
        closeAll(lanes);
    }

    private static void closeAll(List<Lane> lanes) {
        RuntimeException failure = null;
        for (Lane lane : lanes) {
            if (lane.engine != null) {
                BackendEngine engine = lane.engine;
                lane.engine = null;
                try {
                    await(lane.thread.submit(engine::close));
                } catch (ExecutionException closing) {
                    if (failure == null && closing.getCause() instanceof RuntimeException runtime) {
                        failure = runtime;
                    }
                }
            }
            lane.thread.shutdown();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The future's value, waiting through interrupts (the interrupt is kept for the caller). */
    private static <T> T await(Future<T> future) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static BackendInfo combinedInfo(List<Lane> lanes) {
        List<BackendInfo> infos = lanes.stream().map(lane -> lane.engine.info()).toList();
        StringBuilder name = new StringBuilder(PREFIX + ":"), device = new StringBuilder(), runtime = new StringBuilder();
        DeviceKind kind = DeviceKind.CPU;
        long memory = Long.MAX_VALUE;
        int threads = 0;
        for (BackendInfo part : infos) {
            String separator = name.length() == PREFIX.length() + 1 ? "" : SEPARATOR;
            name.append(separator).append(part.name());
            device.append(device.isEmpty() ? "" : " + ").append(part.deviceName());
            runtime.append(runtime.isEmpty() ? "" : " + ").append(part.runtime());
            if (part.kind() != DeviceKind.CPU) {
                kind = part.kind();
            }
            memory = Math.min(memory, part.memoryBytes());
            threads += part.threads();
        }
        return new BackendInfo(name.toString(), PREFIX, device.toString(), kind, memory, runtime.toString(), threads);
    }

    private record LaneRun(float[] output, StageTimes times, long nanos) {}

    /** A lane's predicted time: a fixed cost and a cost per unit of work (elements + sort units), or a calibrated model. */
    private record LaneTime(double fixedNanos, double nanosPerUnit, CostModel model) implements ProblemShares.LaneCost {
        @Override
        public double nanos(ProblemWork problem) {
            return model != null ? model.variableNanos(problem) : nanosPerUnit * (problem.elements() + problem.sortUnits());
        }
    }

    /**
     * A backend, its thread, and its measured time per unit of work (elements + sort units) above the
     * calibration's fixed cost, from the calls so far (half the last estimate, half the new: one noisy
     * call does not swing it).
     */
    private static final class Lane {
        final String name;
        final ExecutorService thread;
        BackendEngine engine;
        double nanosPerUnit;
        boolean measured;
        double fixedNanos;

        Lane(String name, ExecutorService thread) {
            this.name = name;
            this.thread = thread;
        }

        /** This lane's time model for a call whose calibrated model is {@code model} (null: none). */
        ProblemShares.LaneCost cost(CostModel model) {
            fixedNanos = model == null ? 0 : model.fixedNanos();
            if (measured) {
                return new LaneTime(fixedNanos, nanosPerUnit, null);
            }
            return model != null ? new LaneTime(model.fixedNanos(), 0, model) : new LaneTime(0, 1, null);
        }

        void learn(ProblemWork part, long nanos) {
            double units = part.elements() + part.sortUnits();
            if (units > 0 && nanos > 0) {
                double rate = Math.max(0, nanos - fixedNanos) / units;
                nanosPerUnit = measured ? (nanosPerUnit + rate) / 2 : rate;
                measured = true;
            }
        }
    }
}
