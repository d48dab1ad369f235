package dev.slicedattention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.error.InvalidInputException;
import dev.slicedattention.spi.BackendEngine;
import dev.slicedattention.spi.TensorBatch;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.npy.Npy;
import java.nio.file.Path;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Shape;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tensors over off-heap memory: read in place, checked in place, handed to the engine as they are. */
class OffHeapTensorTest {

    @Test
    void aViewReadsTheMemoryInPlace() {
        DirectBufferFloats values = new DirectBufferFloats(new float[] {1, 2, 3, 4, 5, 6});
        Tensor tensor = Tensor.view(values, 2, 3);
        assertTrue(tensor.isOffHeap());
        assertEquals(6f, tensor.get(1, 2));
        values.buffer.put(5, 60f);
        assertEquals(60f, tensor.get(1, 2), "a view must not have copied the values");
        assertEquals(0, values.bulkCopies);
        assertSame(values, tensor.offHeap().orElseThrow());
        assertEquals("Tensor(off-heap)(2, 3)", tensor.toString());
    }

    @Test
    void dataOfAViewIsAFreshHeapCopy() {
        DirectBufferFloats values = new DirectBufferFloats(new float[] {1, 2, 3, 4});
        Tensor tensor = Tensor.view(values, 4);
        float[] first = tensor.data();
        assertArrayEquals(new float[] {1, 2, 3, 4}, first);
        first[0] = 99;
        assertEquals(1f, tensor.get(0), "changing the copy changed the view");
        assertNotSame(first, tensor.data());
        assertFalse(Tensor.wrap(new float[1], 1).isOffHeap());
        assertTrue(Tensor.wrap(new float[1], 1).offHeap().isEmpty());
    }

    @Test
    void aViewOfTheWrongSizeIsRefused() {
        InvalidInputException error = assertThrows(InvalidInputException.class,
                () -> Tensor.view(new DirectBufferFloats(new float[5]), 2, 3));
        assertEquals("shape (2, 3) needs 6 values, the array holds 5", error.getMessage());
    }

    @Test
    void nonFiniteOffHeapValuesAreRefusedBeforeTheEngineRuns() {
        float[] v = new float[4 * 2];
        v[7] = Float.NaN;
        RecordingEngine engine = new RecordingEngine();
        try (Backend backend = new Backend(engine)) {
            InvalidInputException error = assertThrows(InvalidInputException.class, () -> backend.run(
                    Tensor.wrap(new float[3 * 2], 3, 2), Tensor.wrap(new float[4 * 2], 4, 2),
                    Tensor.view(new DirectBufferFloats(v), 4, 2), Tensor.wrap(new float[2], 2)));
            assertEquals("V contains NaN at index [3, 1]: inputs must be finite", error.getMessage());
        }
        assertEquals(0, engine.calls);
    }

    @Test
    void shapeErrorsReadTheSameForViews() {
        try (Backend backend = SlicedAttention.open("jvm-seq")) {
            InvalidInputException error = assertThrows(InvalidInputException.class, () -> backend.run(
                    Tensor.view(new DirectBufferFloats(new float[3 * 2]), 3, 2), Tensor.wrap(new float[4 * 5], 4, 5),
                    Tensor.wrap(new float[4 * 2], 4, 2), Tensor.wrap(new float[2], 2)));
            assertEquals("the key dimension d differs: Q has 2, K has 5", error.getMessage());
        }
    }

    @Test
    void theEngineReceivesTheOffHeapMemoryItself() {
        AttentionBatch heap = InputGenerator.GAUSSIAN.generate(new Shape(2, 5, 7, 3, 4), 11);
        DirectBufferFloats k = new DirectBufferFloats(heap.k());
        RecordingEngine engine = new RecordingEngine();
        engine.answer = dev.slicedattention.validation.sequential.SequentialPipeline.forward(heap);   // what the spot check expects
        ForwardResult result;
        try (Backend backend = new Backend(engine)) {
            result = backend.run(Tensor.wrap(heap.q(), 2, 5, 3), Tensor.view(k, 2, 7, 3),
                    Tensor.wrap(heap.v(), 2, 7, 4), Tensor.wrap(heap.theta(), 2, 3));
        }
        assertEquals(1, engine.calls);
        assertSame(k.buffer, engine.last.k().offHeap().orElseThrow().array());
        assertEquals(0, k.bulkCopies, "the checks (the finite check and the spot check) must read the view in place");
        assertTrue(k.rangeCopies > 0, "the spot check read the view");
        assertArrayEquals(new int[] {2, 5, 4}, result.output().shape());
    }

    /**
     * jvm-par reads views where they are, a block of rows at a time, and gets the heap result bit for
     * bit: rows of 64 values (256 rows per block) over several blocks, two ragged problems, both kernels.
     */
    @Test
    void jvmParReadsViewsInPlace() {
        int heads = 2, m = 700, n = 1000, d = 64, e = 64;
        AttentionBatch batch = InputGenerator.GAUSSIAN.generate(new Shape(heads, m, n, d, e), 17);
        for (AttentionOptions options : new AttentionOptions[] {AttentionOptions.relu().withKeyLengths(1000, 613),
                AttentionOptions.bump(0.4f).withQueryLengths(700, 333)}) {
            DirectBufferFloats q = new DirectBufferFloats(batch.q()), k = new DirectBufferFloats(batch.k()),
                    v = new DirectBufferFloats(batch.v());
            try (Backend backend = SlicedAttention.open("jvm-par")) {
                Tensor theta = Tensor.wrap(batch.theta(), heads, d);
                float[] expected = backend.forward(Tensor.wrap(batch.q(), heads, m, d), Tensor.wrap(batch.k(), heads, n, d),
                        Tensor.wrap(batch.v(), heads, n, e), theta, options).data();
                float[] actual = backend.forward(Tensor.view(q, heads, m, d), Tensor.view(k, heads, n, d),
                        Tensor.view(v, heads, n, e), theta, options).data();
                assertArrayEquals(expected, actual, options.toString());
            }
            assertEquals(0, q.bulkCopies + k.bulkCopies + v.bulkCopies, "jvm-par copied a whole view to the heap");
            assertTrue(q.rangeCopies > 0 && k.rangeCopies > 0 && v.rangeCopies > 0, "the views were not read in place");
        }
    }

    @Test
    void aMappedFloat32FileIsAViewOfTheFile(@TempDir Path folder) {
        float[] values = {1, -2, 3.5f, 4, 5, 6};
        Path file = folder.resolve("x.npy");
        Npy.write(file, new int[] {2, 3}, values);
        Tensor mapped = Tensor.mapNpy(file);
        assertTrue(mapped.isOffHeap());
        assertArrayEquals(new int[] {2, 3}, mapped.shape());
        assertArrayEquals(values, mapped.data());
        assertEquals(3.5f, mapped.get(0, 2));

        Path wide = folder.resolve("wide.npy");
        Npy.write(wide, new int[] {2}, new double[] {0.1, -7});
        Tensor converted = Tensor.mapNpy(wide);
        assertFalse(converted.isOffHeap(), "float64 is converted on the heap");
        assertArrayEquals(new float[] {0.1f, -7f}, converted.data());

        // Little-endian float32 in Fortran order cannot be read in place either: reordered on the heap.
        Path fortran = folder.resolve("fortran.npy");
        byte[] columns = Npy.toBytes(new int[] {2, 3}, new float[] {1, 4, 2, 5, 3, 6});
        String header = new String(columns, 0, 64, java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] fortranHeader = header.replace("'fortran_order': False", "'fortran_order': True ")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        System.arraycopy(fortranHeader, 0, columns, 0, 64);
        writeBytes(fortran, columns);
        Tensor reordered = Tensor.mapNpy(fortran);
        assertFalse(reordered.isOffHeap(), "Fortran order is reordered on the heap");
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, reordered.data());

        Path scalar = folder.resolve("scalar.npy");
        Npy.write(scalar, new int[0], new float[] {1});
        assertEquals(scalar + ": a 0-dimensional array is not a tensor this operator takes",
                assertThrows(InvalidInputException.class, () -> Tensor.mapNpy(scalar)).getMessage());
    }

    private static void writeBytes(Path file, byte[] bytes) {
        try {
            java.nio.file.Files.write(file, bytes);
        } catch (java.io.IOException failure) {
            throw new java.io.UncheckedIOException(failure);
        }
    }

    /** Views on the JVM backends (jvm-seq copies them once, jvm-par reads them in place) give exactly the heap result. */
    @Property(tries = 40)
    void viewsGiveTheHeapResult(@ForAll @IntRange(min = 1, max = 3) int heads, @ForAll @IntRange(min = 1, max = 40) int m,
                                @ForAll @IntRange(min = 1, max = 70) int n, @ForAll @IntRange(min = 1, max = 6) int d,
                                @ForAll @IntRange(min = 1, max = 5) int e, @ForAll @IntRange(min = 0, max = 15) int offHeapMask,
                                @ForAll InputGenerator generator, @ForAll boolean parallel) {
        AttentionBatch batch = generator.generate(new Shape(heads, m, n, d, e), 3);
        Tensor[] heapTensors = {Tensor.wrap(batch.q(), heads, m, d), Tensor.wrap(batch.k(), heads, n, d),
                Tensor.wrap(batch.v(), heads, n, e), Tensor.wrap(batch.theta(), heads, d)};
        Tensor[] mixed = heapTensors.clone();
        for (int i = 0; i < 4; i++) {
            if ((offHeapMask & (1 << i)) != 0) {
                mixed[i] = Tensor.view(new DirectBufferFloats(heapTensors[i].data()), heapTensors[i].shape());
            }
        }
        try (Backend backend = SlicedAttention.open(parallel ? "jvm-par" : "jvm-seq")) {
            float[] expected = backend.forward(heapTensors[0], heapTensors[1], heapTensors[2], heapTensors[3]).data();
            float[] actual = backend.forward(mixed[0], mixed[1], mixed[2], mixed[3]).data();
            assertArrayEquals(expected, actual);
        }
    }

    /** An engine that records what it was given and returns {@link #answer} (zeros when unset). */
    private static final class RecordingEngine implements BackendEngine {
        int calls;
        TensorBatch last;
        float[] answer;

        @Override
        public BackendInfo info() {
            return SlicedAttention.backends().get(0);
        }

        @Override
        public float[] forward(AttentionBatch batch, StageTimes times) {
            throw new AssertionError("off-heap inputs must reach forward(TensorBatch)");
        }

        @Override
        public float[] forward(TensorBatch batch, StageTimes times) {
            calls++;
            last = batch;
            return answer != null ? answer.clone() : new float[batch.heads() * batch.m() * batch.e()];
        }

        @Override
        public float[] softmax(AttentionBatch batch) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}
    }
}
