package dev.slicedattention;

import dev.slicedattention.error.InvalidInputException;
import dev.slicedattention.spi.OffHeapFloats;
import dev.slicedattention.validation.FiniteCheck;
import dev.slicedattention.validation.npy.MappedNpy;
import dev.slicedattention.validation.npy.Npy;
import dev.slicedattention.validation.npy.NpyArray;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * A float32 tensor in row-major (C) order: the values and the shape. The input and output type of
 * the API.
 *
 * <p>{@link #wrap} shares the caller's array (no copy; do not change it while a backend uses the
 * tensor), {@link #of} copies it. {@link #view} shares memory outside the Java heap, such as a
 * TornadoVM {@code FloatArray} ({@code TornadoTensors.wrap} in the TornadoVM backend): a TornadoVM
 * backend sends that memory to its device as it is, the JVM backends copy it to the heap once per
 * call. Tensors returned by a backend are owned by the caller and live on the heap. A tensor is safe
 * to read from several threads.
 */
public final class Tensor {
    /** The values on the heap, or null for a view of off-heap memory. */
    private final float[] data;
    /** The off-heap values, or null for a heap tensor. */
    private final OffHeapFloats offHeap;
    private final int[] shape;

    private Tensor(float[] data, int[] shape) {
        this(data, null, data.length, shape);
    }

    private Tensor(float[] data, OffHeapFloats offHeap, long values, int[] shape) {
        if (shape.length == 0) {
            throw new InvalidInputException("a tensor needs at least one dimension");
        }
        long count = 1;
        for (int size : shape) {
            if (size < 0) {
                throw new InvalidInputException("negative dimension in shape " + Npy.shapeText(shape));
            }
            count *= size;
        }
        if (count != values) {
            throw new InvalidInputException("shape " + Npy.shapeText(shape) + " needs " + count
                    + " values, the array holds " + values);
        }
        this.data = data;
        this.offHeap = offHeap;
        this.shape = shape.clone();
    }

    /** A tensor over {@code data} itself, without copying. */
    public static Tensor wrap(float[] data, int... shape) {
        return new Tensor(data, shape);
    }

    /** A tensor over a copy of {@code data}. */
    public static Tensor of(float[] data, int... shape) {
        return new Tensor(data.clone(), shape);
    }

    /**
     * A tensor over off-heap values, without copying. The values are read when a backend runs, so
     * they may change between calls; do not change them during one.
     */
    public static Tensor view(OffHeapFloats values, int... shape) {
        return new Tensor(null, values, values.size(), shape);
    }

    /**
     * Reads a float {@code .npy} file: float16, float32 or float64, little- or big-endian, C or
     * Fortran order ({@code np.save(x.T)}), into a heap tensor of float32 values in C order (float16
     * widens exactly, float64 is rounded to nearest). Other dtypes are refused ({@link Npy#read}).
     */
    public static Tensor readNpy(Path file) {
        NpyArray array = Npy.read(file);
        if (array.rank() == 0) {
            throw new InvalidInputException(file + ": a 0-dimensional array is not a tensor this operator takes");
        }
        return new Tensor(array.data(), array.shape());
    }

    /**
     * A little-endian float32 C-order {@code .npy} file mapped read-only and viewed in place
     * ({@link #view}: off-heap, no copy on the heap; the JVM backends read it a block of rows at a
     * time, see {@code InputRows}). Any other float file — float16, float64, big-endian or Fortran
     * order — cannot be read in place: it is converted onto the heap as {@link #readNpy} does, and
     * the tensor is a heap tensor (peak memory: the float32 array, not the file's mapping). For large
     * inputs the mapped path is the faster way in: the file's pages come from the page cache instead
     * of being copied into fresh heap memory. The file must not change while the tensor is in use.
     */
    public static Tensor mapNpy(Path file) {
        Optional<MappedNpy> mapped = Npy.map(file);
        if (mapped.isEmpty()) {
            return readNpy(file);
        }
        MappedNpy values = mapped.get();
        if (values.shape().length == 0) {
            throw new InvalidInputException(file + ": a 0-dimensional array is not a tensor this operator takes");
        }
        return view(new MappedNpyValues(values), values.shape());
    }

    /** Writes the tensor as a float32 {@code .npy} file, atomically (a temporary file moved into place). */
    public void writeNpy(Path file) {
        Npy.write(file, shape, data());
    }

    /**
     * The values, row-major, on the heap. For a heap tensor this is its own array: do not change it.
     * For an off-heap {@link #view} it is a new copy on every call.
     */
    public float[] data() {
        if (offHeap == null) {
            return data;
        }
        float[] copy = new float[offHeap.size()];
        offHeap.copyTo(copy);
        return copy;
    }

    /** The off-heap values this tensor views; empty for a heap tensor. */
    public Optional<OffHeapFloats> offHeap() {
        return Optional.ofNullable(offHeap);
    }

    /** Whether the values live outside the Java heap (a {@link #view}). */
    public boolean isOffHeap() {
        return offHeap != null;
    }

    /**
     * Fails with an {@link InvalidInputException} naming the first NaN or ±∞ and its index in this
     * tensor's shape (SPEC §3). Off-heap values are scanned in place.
     *
     * @return the largest |value|, found in the same pass ({@link FiniteCheck#requireFinite})
     */
    public float requireFinite(String name) {
        if (offHeap == null) {
            return FiniteCheck.requireFinite(name, data, shape);
        }
        float largest = FiniteCheck.largestMagnitude(0, offHeap.size(), offHeap.blocks());
        if (!Float.isFinite(largest)) {
            int bad = offHeap.indexOfNonFinite();
            FiniteCheck.reject(name, offHeap.get(bad), bad, shape);
        }
        return largest;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis];
    }

    /** The element at the given index, e.g. {@code get(p, i, c)}. */
    public float get(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index of rank " + index.length + " for a tensor of rank " + shape.length);
        }
        int flat = 0;
        for (int axis = 0; axis < shape.length; axis++) {
            if (index[axis] < 0 || index[axis] >= shape[axis]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " outside " + Npy.shapeText(shape));
            }
            flat = flat * shape[axis] + index[axis];
        }
        return offHeap == null ? data[flat] : offHeap.get(flat);
    }

    /** The shape as NumPy prints it: (4, 64). */
    public String shapeText() {
        return Npy.shapeText(shape);
    }

    @Override
    public String toString() {
        return (offHeap == null ? "Tensor" : "Tensor(off-heap)") + shapeText();
    }
}
