package dev.slicedattention.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.tornado.kernels.BitonicSortKernels;
import dev.slicedattention.tornado.kernels.CombineKernels;
import dev.slicedattention.tornado.kernels.GatherKernels;
import dev.slicedattention.tornado.kernels.PrefixSumKernels;
import dev.slicedattention.tornado.kernels.ProjectionKernels;
import dev.slicedattention.tornado.kernels.RankKernels;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Shape;
import dev.slicedattention.validation.sequential.KeySort;
import dev.slicedattention.validation.sequential.Projection;
import dev.slicedattention.validation.sequential.PrefixSums;
import dev.slicedattention.validation.sequential.Rank;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/** Each stage's kernels on the device, in one-graph plans of their own, against the sequential twin. */
@Tag("tornado")
class StageKernelsTest {
    @BeforeAll
    static void device() {
        TornadoTestDevice.open().close();
    }

    /**
     * Problem 0 uses its 7 keys, problem 1 only its first 5 (ragged): centre, μ̂ = μ/ν and the keys'
     * padding follow the key lengths. ν is a power of two, so μ̂ is the twin's mean over ν.
     */
    @Test
    void projectionMatchesTwin() throws Exception {
        Shape shape = new Shape(2, 5, 7, 16, 4);
        AttentionBatch batch = InputGenerator.SHARED_OFFSET.generate(shape, 5);
        int paddedN = 8;
        int[] keyLengths = {7, 5};
        float[] nu = {4.0f, 0.5f};
        FloatArray k = FloatArray.fromArray(batch.k()), q = FloatArray.fromArray(batch.q()), v = FloatArray.fromArray(batch.v());
        FloatArray theta = FloatArray.fromArray(batch.theta());
        IntArray lengths = IntArray.fromArray(new int[] {7, 5, 5, 5});
        FloatArray factors = FloatArray.fromArray(new float[] {nu[0], nu[1], 1 / nu[0], 1 / nu[1], 0, 0});
        FloatArray centre = new FloatArray(2 * 16), mu = new FloatArray(2 * 4), s = new FloatArray(2 * 5), keys = new FloatArray(2 * paddedN);
        FloatArray keyPartials = new FloatArray(2 * 16), valuePartials = new FloatArray(2 * 4);
        IntArray index = new IntArray(2 * paddedN);
        TaskGraph graph = new TaskGraph("projection")
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, q, k, v, theta, lengths, factors)
                .task("centrePartials", ProjectionKernels::columnPartials, k, lengths, keyPartials, 7, 16, 1)
                .task("centre", ProjectionKernels::meansOfPartials, keyPartials, lengths, centre, 16, 1)
                .task("valuePartials", ProjectionKernels::scaledColumnPartials, v, lengths, factors, valuePartials, 7, 4, 1)
                .task("valueMean", ProjectionKernels::meansOfPartials, valuePartials, lengths, mu, 4, 1)
                .task("queries", ProjectionKernels::projectQueries, q, theta, centre, s, 5, 16)
                .task("keys", ProjectionKernels::projectKeys, k, theta, centre, lengths, keys, index, 7, paddedN, 16)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, centre, mu, s, keys, index);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            plan.execute();
        }
        for (int p = 0; p < 2; p++) {
            int length = keyLengths[p];
            float[] c = Projection.centre(batch.k(), p * 7, length, 16);
            double[] m = Projection.valueMean(batch.v(), p * 7, length, 4);
            float[] sTwin = Projection.project(batch.q(), p * 5, 5, 16, batch.theta(), p * 16, c);
            float[] tTwin = Projection.project(batch.k(), p * 7, length, 16, batch.theta(), p * 16, c);
            for (int i = 0; i < 16; i++) {
                assertEquals(c[i], centre.get(p * 16 + i), 1e-3f * Math.abs(c[i]), "centre");
            }
            for (int i = 0; i < 4; i++) {
                assertEquals(m[i] / nu[p], mu.get(p * 4 + i), 1e-5, "mu");
            }
            for (int i = 0; i < 5; i++) {
                assertEquals(sTwin[i], s.get(p * 5 + i), 1e-2, "s");
            }
            for (int j = 0; j < paddedN; j++) {
                assertEquals(j, index.get(p * paddedN + j));
                assertEquals(j < length ? tTwin[j] : Float.MAX_VALUE, keys.get(p * paddedN + j), 1e-2, "t");
            }
        }
    }

    /** Sorts P segments of `n` keys (padded to a power of two) with the same launch sequence as ForwardPlan. */
    static void deviceSort(float[] keysIn, int heads, int paddedN, float[] sortedKeys, int[] sortedIndex) {
        FloatArray keys = FloatArray.fromArray(keysIn);
        IntArray index = new IntArray(heads * paddedN);
        for (int g = 0; g < heads * paddedN; g++) {
            index.set(g, g % paddedN);
        }
        IntArray localParams = new IntArray(BitonicSortKernels.PARAM_COUNT), globalParams = new IntArray(BitonicSortKernels.PARAM_COUNT);
        int block = Math.min(BitonicSortKernels.LOCAL_BLOCK, paddedN);
        KernelContext context = new KernelContext();
        TaskGraph init = new TaskGraph("init").transferToDevice(DataTransferMode.EVERY_EXECUTION, keys, index)
                .task("noop", StageKernelsTest::touch, keys, index).persistOnDevice(keys, index);
        TaskGraph local = new TaskGraph("local").consumeFromDevice(keys, index)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, localParams)
                .task("local", BitonicSortKernels::localPasses, context, keys, index, localParams, paddedN - 1)
                .persistOnDevice(keys, index);
        TaskGraph global = new TaskGraph("global").consumeFromDevice(keys, index)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, globalParams)
                .task("global", BitonicSortKernels::globalPasses, keys, index, globalParams, paddedN - 1)
                .persistOnDevice(keys, index);
        TaskGraph back = new TaskGraph("back").consumeFromDevice(keys, index)
                .task("noop", StageKernelsTest::touch, keys, index)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, keys, index);
        WorkerGrid1D grid = new WorkerGrid1D(heads * paddedN / 2);
        grid.setLocalWork(block / 2, 1, 1);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(init.snapshot(), local.snapshot(), global.snapshot(), back.snapshot())) {
            plan.withGridScheduler(new GridScheduler("local.local", grid));
            plan.withGraph(0).execute();
            for (BitonicSortKernels.Launch launch : BitonicSortKernels.schedule(paddedN, block)) {
                IntArray params = launch.local() ? localParams : globalParams;
                for (int i = 0; i < BitonicSortKernels.PARAM_COUNT; i++) {
                    params.set(i, launch.params()[i]);
                }
                plan.withGraph(launch.local() ? 1 : 2).execute();
            }
            plan.withGraph(3).execute();
        } catch (Exception failed) {
            throw new AssertionError(failed);
        }
        for (int g = 0; g < heads * paddedN; g++) {
            sortedKeys[g] = keys.get(g);
            sortedIndex[g] = index.get(g);
        }
    }

    /** A kernel that changes nothing; it makes a graph own arrays on the device. */
    public static void touch(FloatArray keys, IntArray index) {
        for (@uk.ac.manchester.tornado.api.annotations.Parallel int i = 0; i < 1; i++) {
            index.set(i, index.get(i));
            keys.set(i, keys.get(i));
        }
    }

    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 2, 3, 5, 512, 1000, 4096, 20000})
    void sortReturnsPermutationAndSortedKeysWithTies(int n) {
        int heads = 3;
        int paddedN = Math.max(2, Integer.highestOneBit(Math.max(1, n - 1)) << 1);
        if (n == 1) {
            paddedN = 2;
        }
        SplittableRandom random = new SplittableRandom(n);
        float[] keys = new float[heads * paddedN];
        for (int p = 0; p < heads; p++) {
            for (int j = 0; j < paddedN; j++) {
                // Head 0: many ties; head 1: all keys equal; head 2: distinct.
                float key = p == 0 ? random.nextInt(5) : p == 1 ? 2.5f : (float) random.nextGaussian();
                keys[p * paddedN + j] = j < n ? key : Float.MAX_VALUE;
            }
        }
        float[] sorted = new float[keys.length];
        int[] index = new int[keys.length];
        deviceSort(keys, heads, paddedN, sorted, index);
        if (Boolean.getBoolean("debugSort")) {
            System.err.println("in " + Arrays.toString(keys) + "\nout " + Arrays.toString(sorted) + "\nidx " + Arrays.toString(index));
        }
        for (int p = 0; p < heads; p++) {
            float[] twinKeys = Arrays.copyOfRange(keys, p * paddedN, p * paddedN + n);
            KeySort.SortedKeys twin = KeySort.sort(twinKeys);
            assertArrayEquals(twin.tau(), Arrays.copyOfRange(sorted, p * paddedN, p * paddedN + n), "keys of head " + p);
            assertArrayEquals(twin.perm(), Arrays.copyOfRange(index, p * paddedN, p * paddedN + n), "permutation of head " + p);
        }
    }
}
