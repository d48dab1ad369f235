package dev.slicedattention.tornado;

import dev.slicedattention.tornado.kernels.BitonicSortKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The sort stage alone, before and after register blocking (not a test: nothing is asserted beyond the
 * order): 2^20 Gaussian keys (-Dn), the old schedule (one global pass per launch, {@link #onePass}, the
 * kernel as it was) against {@link BitonicSortKernels#schedule}, alternating, median wall time of -Dreps
 * sorts each, in one JVM on the same device.
 *
 * <pre>
 *   scripts/test -pl tornado-tasks -Dtest=MeasureSort -Dtornado.test.groups=measure -Dtornado.test.flags="-Dreps=5" -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@org.junit.jupiter.api.Tag("measure")
class MeasureSort {
    /** The global kernel before this change: one compare-exchange pass (k, j) per launch. */
    public static void onePass(FloatArray keys, IntArray index, IntArray params, int segmentMask) {
        int k = params.get(0);
        int j = params.get(1);
        int pairs = keys.getSize() / 2;
        for (@Parallel int t = 0; t < pairs; t++) {
            int low = t & (j - 1);
            int i = ((t - low) << 1) + low;
            int partner = i + j;
            int ascending = ((i & segmentMask) & k) == 0 ? 1 : 0;
            float keyI = keys.get(i);
            float keyP = keys.get(partner);
            int indexI = index.get(i);
            int indexP = index.get(partner);
            int greater = BitonicSortKernels.order(keyI, keyP, indexI, indexP);
            if (greater == ascending) {
                keys.set(i, keyP);
                keys.set(partner, keyI);
                index.set(i, indexP);
                index.set(partner, indexI);
            }
        }
    }

    /** The local kernel before this change (a branch per compare-exchange). */
    public static void oldLocal(KernelContext context, FloatArray keys, IntArray index, IntArray params, int segmentMask) {
        float[] localKeys = context.allocateFloatLocalArray(BitonicSortKernels.LOCAL_BLOCK);
        int[] localIndex = context.allocateIntLocalArray(BitonicSortKernels.LOCAL_BLOCK);
        int t = context.localIdx;
        int width = context.localGroupSizeX;
        int base = context.groupIdx * (2 * width);
        localKeys[t] = keys.get(base + t);
        localIndex[t] = index.get(base + t);
        localKeys[t + width] = keys.get(base + t + width);
        localIndex[t + width] = index.get(base + t + width);
        // At least 2: a zero stage would never double and the loop would not end.
        int firstStage = Math.max(2, params.get(2));
        int lastStage = params.get(3);
        for (int k = firstStage; k <= lastStage; k <<= 1) {
            int j = Math.min(k >> 1, width);
            while (j > 0) {
                // Every work-item must see the previous pass's swaps before it reads its pair.
                context.localBarrier();
                int low = t & (j - 1);
                int i = ((t - low) << 1) + low;
                int partner = i + j;
                int ascending = (((base + i) & segmentMask) & k) == 0 ? 1 : 0;
                float keyI = localKeys[i];
                float keyP = localKeys[partner];
                int indexI = localIndex[i];
                int indexP = localIndex[partner];
                int greater = BitonicSortKernels.order(keyI, keyP, indexI, indexP);
                if (greater == ascending) {
                    localKeys[i] = keyP;
                    localKeys[partner] = keyI;
                    localIndex[i] = indexP;
                    localIndex[partner] = indexI;
                }
                j >>= 1;
            }
        }
        context.localBarrier();
        keys.set(base + t, localKeys[t]);
        index.set(base + t, localIndex[t]);
        keys.set(base + t + width, localKeys[t + width]);
        index.set(base + t + width, localIndex[t + width]);
    }


    public static void reset(FloatArray source, FloatArray keys, IntArray index) {
        for (@Parallel int i = 0; i < keys.getSize(); i++) {
            keys.set(i, source.get(i));
            index.set(i, i);
        }
    }

    @org.junit.jupiter.api.Test
    void measure() {
        int n = Integer.getInteger("n", 1 << 20);
        int reps = Integer.getInteger("reps", 5);
        SplittableRandom random = new SplittableRandom(3);
        FloatArray source = new FloatArray(n);
        for (int i = 0; i < n; i++) {
            source.set(i, (float) random.nextGaussian());
        }
        FloatArray keys = new FloatArray(n);
        IntArray index = new IntArray(n);
        IntArray localParams = new IntArray(BitonicSortKernels.PARAM_COUNT), globalParams = new IntArray(BitonicSortKernels.PARAM_COUNT);
        IntArray oldParams = new IntArray(BitonicSortKernels.PARAM_COUNT);
        int block = Math.min(BitonicSortKernels.LOCAL_BLOCK, n);
        KernelContext context = new KernelContext();
        TaskGraph init = new TaskGraph("init").transferToDevice(DataTransferMode.FIRST_EXECUTION, source, keys, index)
                .task("reset", MeasureSort::reset, source, keys, index).persistOnDevice(keys, index);
        TaskGraph local = new TaskGraph("local").consumeFromDevice(keys, index)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, localParams)
                .task("local", BitonicSortKernels::localPasses, context, keys, index, localParams, n - 1)
                .persistOnDevice(keys, index);
        TaskGraph global = new TaskGraph("global").consumeFromDevice(keys, index)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, globalParams)
                .task("global", BitonicSortKernels::globalPasses, keys, index, globalParams, n - 1)
                .persistOnDevice(keys, index);
        TaskGraph old = new TaskGraph("old").consumeFromDevice(keys, index)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, oldParams)
                .task("old", MeasureSort::onePass, keys, index, oldParams, n - 1)
                .persistOnDevice(keys, index);
        TaskGraph oldLocal = new TaskGraph("oldLocal").consumeFromDevice(keys, index)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, localParams)
                .task("local", MeasureSort::oldLocal, context, keys, index, localParams, n - 1)
                .persistOnDevice(keys, index);
        TaskGraph back = new TaskGraph("back").consumeFromDevice(keys, index)
                .task("noop", StageKernelsTest::touch, keys, index)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, keys, index);
        WorkerGrid1D grid = new WorkerGrid1D(n / 2);
        grid.setLocalWork(block / 2, 1, 1);
        List<BitonicSortKernels.Launch> blocked = BitonicSortKernels.schedule(n, block);
        List<BitonicSortKernels.Launch> onePass = new ArrayList<>();
        onePass.add(new BitonicSortKernels.Launch(true, new int[] {0, block / 2, 2, block, 0}));
        for (int k = 2 * block; k <= n; k <<= 1) {
            for (int j = k >> 1; j >= block; j >>= 1) {
                onePass.add(new BitonicSortKernels.Launch(false, new int[] {k, j, 0, 0, 0}));
            }
            onePass.add(new BitonicSortKernels.Launch(true, new int[] {0, block / 2, k, k, 0}));
        }
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(init.snapshot(), local.snapshot(), global.snapshot(),
                old.snapshot(), oldLocal.snapshot(), back.snapshot())) {
            GridScheduler scheduler = new GridScheduler("local.local", grid);
            scheduler.addWorkerGrid("oldLocal.local", grid);
            plan.withGridScheduler(scheduler);
            long[][] nanos = new long[2][reps + 1];
            long[][] localNanos = new long[2][reps + 1];
            for (int r = 0; r <= reps; r++) {
                for (int variant = 0; variant < 2; variant++) {
                    plan.withGraph(0).execute();
                    List<BitonicSortKernels.Launch> launches = variant == 0 ? onePass : blocked;
                    long start = System.nanoTime();
                    for (BitonicSortKernels.Launch launch : launches) {
                        IntArray params = launch.local() ? localParams : variant == 0 ? oldParams : globalParams;
                        for (int i = 0; i < BitonicSortKernels.PARAM_COUNT; i++) {
                            params.set(i, launch.params()[i]);
                        }
                        long launchStart = System.nanoTime();
                        plan.withGraph(launch.local() ? (variant == 0 ? 4 : 1) : variant == 0 ? 3 : 2).execute();
                        if (launch.local()) {
                            localNanos[variant][r] += System.nanoTime() - launchStart;
                        }
                    }
                    nanos[variant][r] = System.nanoTime() - start;
                    plan.withGraph(5).execute();
                    for (int i = 1; i < n; i++) {
                        if (keys.get(i - 1) > keys.get(i)) {
                            throw new AssertionError("variant " + variant + " not sorted at " + i);
                        }
                    }
                }
            }
            for (int variant = 0; variant < 2; variant++) {
                long[] steady = Arrays.copyOfRange(nanos[variant], 1, reps + 1);
                Arrays.sort(steady);
                long[] locals = Arrays.copyOfRange(localNanos[variant], 1, reps + 1);
                Arrays.sort(locals);
                System.out.printf("sort n = %d, %s: %d launches, median %.1f ms (min %.1f, max %.1f; local launches %.1f) of %d%n", n,
                        variant == 0 ? "one pass per global launch (before)" : "three passes per global launch (after)",
                        (variant == 0 ? onePass : blocked).size(), steady[reps / 2] / 1e6, steady[0] / 1e6, steady[reps - 1] / 1e6, locals[reps / 2] / 1e6, reps);
            }
        } catch (Exception failed) {
            throw new AssertionError(failed);
        }
    }
}
