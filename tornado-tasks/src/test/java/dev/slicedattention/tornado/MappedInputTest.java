package dev.slicedattention.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.Tensor;
import dev.slicedattention.spi.TensorBatch;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.tornado.graphs.ForwardPlan;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Shape;
import dev.slicedattention.validation.npy.Npy;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs mapped from {@code .npy} files ({@link Tensor#mapNpy}, what {@code attend} passes): the plan
 * copies them into its own arrays, giving the file's pages back as it goes, and gives its own copies
 * back once the projection graph has sent them (see {@code ForwardPlan.giveBackFileCopies}). The
 * results must stay the heap path's, bit for bit, on the first call and on later calls, whose
 * copies land on given-back (zero) pages.
 */
@Tag("tornado")
class MappedInputTest {
    @RegisterExtension
    static final EngineForClass tornado = new EngineForClass();

    @Test
    void mappedInputsGiveTheHeapPathsResultOnEveryCallAndThePlansCopiesGoBack(@TempDir Path dir) {
        // 2^16 rows of 64: 16 MiB per tensor, thousands of pages each.
        Shape shape = new Shape(1, 1 << 16, 1 << 16, 64, 64);
        for (int round = 0; round < 3; round++) {
            AttentionBatch heap = InputGenerator.GAUSSIAN.generate(shape, 40 + round)
                    .withOptions(round == 1 ? AttentionOptions.bump(0.7f) : AttentionOptions.relu());
            TensorBatch mapped = TensorBatch.of(map(dir, "q" + round, heap.q(), 1, shape.m(), shape.d()),
                    map(dir, "k" + round, heap.k(), 1, shape.n(), shape.d()), map(dir, "v" + round, heap.v(), 1, shape.n(), shape.e()),
                    map(dir, "theta" + round, heap.theta(), 1, shape.d()), heap.options());
            float[] fromFiles = tornado.engine().forward(mapped, new StageTimes());
            ForwardPlan plan = tornado.engine().lastPlan();
            assertArrayEquals(tornado.engine().forward(heap, new StageTimes()), fromFiles, "round " + round + ": " + heap);

            // The heap call refilled the same plan's arrays; run the files again on them: its copies are
            // given back once sent, so a value of Q in a middle page reads 0 on the host afterwards (it is not 0 in the file).
            float[] again = tornado.engine().forward(mapped, new StageTimes());
            assertEquals(plan, tornado.engine().lastPlan(), "the mapped inputs got a plan of their own");
            assertArrayEquals(fromFiles, again, "round " + round + ", the same files again");
            int middle = shape.m() * shape.d() / 2;
            assertNotEquals(0f, heap.q()[middle]);
            assertEquals(0f, plan.input(0).get(middle), "the plan's copy of Q was not given back after it was sent");
        }
    }

    @Test
    void heapInputsKeepThePlansCopies() {
        Shape shape = new Shape(1, 1 << 14, 1 << 14, 64, 64);
        AttentionBatch heap = InputGenerator.GAUSSIAN.generate(shape, 50);
        tornado.engine().forward(heap, new StageTimes());
        int middle = shape.m() * shape.d() / 2;
        assertEquals(heap.q()[middle], tornado.engine().lastPlan().input(0).get(middle));
    }

    private static Tensor map(Path dir, String name, float[] values, int... shape) {
        Path file = dir.resolve(name + ".npy");
        Npy.write(file, shape, values);
        Tensor tensor = Tensor.mapNpy(file);
        assertTrue(tensor.offHeap().isPresent(), name + " was not mapped");
        return tensor;
    }
}
