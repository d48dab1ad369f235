package dev.slicedattention.validation.npy;

import java.util.Arrays;

/**
 * A tensor read from or written to a {@code .npy} file: its shape, its values as float32 in C
 * (row-major) order whatever the file's order, and the dtype the file stored as its header names it
 * ({@code "<f4"}, {@code "<f8"}, {@code "<f2"}, {@code ">f4"}, ...).
 */
public record NpyArray(int[] shape, float[] data, String sourceDtype) {
    public NpyArray {
        shape = shape.clone();
        long count = 1;
        for (int size : shape) {
            count *= size;
        }
        if (count != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + count
                    + " values, got " + data.length);
        }
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** The shape as NumPy prints it, e.g. (3, 4). */
    public String shapeText() {
        return Npy.shapeText(shape);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NpyArray that && Arrays.equals(shape, that.shape)
                && Arrays.equals(data, that.data) && sourceDtype.equals(that.sourceDtype);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "NpyArray[shape=" + shapeText() + ", dtype=" + sourceDtype + "]";
    }
}
