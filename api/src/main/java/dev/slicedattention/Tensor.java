package dev.slicedattention;

import dev.slicedattention.error.InvalidInputException;
import dev.slicedattention.validation.npy.Npy;
import dev.slicedattention.validation.npy.NpyArray;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A float32 tensor in row-major (C) order: the values and the shape. The input and output type of
 * the API.
 *
 * <p>{@link #wrap} shares the caller's array (no copy; do not change it while a backend uses the
 * tensor), {@link #of} copies it. Tensors returned by a backend are owned by the caller. A tensor
 * is safe to read from several threads.
 */
public final class Tensor {
    private final float[] data;
    private final int[] shape;

    private Tensor(float[] data, int[] shape) {
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
        if (count != data.length) {
            throw new InvalidInputException("shape " + Npy.shapeText(shape) + " needs " + count
                    + " values, the array holds " + data.length);
        }
        this.data = data;
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

    /** Reads a little-endian float32 or float64 C-order {@code .npy} file (float64 is converted). */
    public static Tensor readNpy(Path file) {
        NpyArray array = Npy.read(file);
        if (array.rank() == 0) {
            throw new InvalidInputException(file + ": a 0-dimensional array is not a tensor this operator takes");
        }
        return new Tensor(array.data(), array.shape());
    }

    /** Writes the tensor as a float32 {@code .npy} file, atomically (a temporary file moved into place). */
    public void writeNpy(Path file) {
        Npy.write(file, shape, data);
    }

    /** The values, row-major. This is the tensor's own array: do not change it. */
    public float[] data() {
        return data;
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
        return data[flat];
    }

    /** The shape as NumPy prints it: (4, 64). */
    public String shapeText() {
        return Npy.shapeText(shape);
    }

    @Override
    public String toString() {
        return "Tensor" + shapeText();
    }
}
