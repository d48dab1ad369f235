package dev.slicedattention;

import dev.slicedattention.spi.OffHeapFloats;
import dev.slicedattention.validation.npy.MappedNpy;

/** A mapped float32 {@code .npy} file ({@link Tensor#mapNpy}) as the API's off-heap values: read in place. */
final class MappedNpyValues implements OffHeapFloats {
    private final MappedNpy file;

    MappedNpyValues(MappedNpy file) {
        this.file = file;
    }

    @Override
    public int size() {
        return file.size();
    }

    @Override
    public float get(int index) {
        return file.get(index);
    }

    @Override
    public void copyTo(float[] target) {
        file.copy(0, target, 0, target.length);
    }

    @Override
    public void copyRange(int from, float[] target, int offset, int length) {
        file.copy(from, target, offset, length);
    }

    @Override
    public MappedNpy array() {
        return file;
    }
}
