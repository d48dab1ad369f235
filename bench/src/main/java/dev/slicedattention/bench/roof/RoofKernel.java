package dev.slicedattention.bench.roof;

/**
 * The two bandwidth probes of {@link RoofProvider}, over three arrays a, b, c of {@code length()}
 * floats. Each call must complete the whole operation before returning (a device kernel waits for
 * the device), and must keep its result where the next call can see it so no work can be skipped.
 */
public interface RoofKernel extends AutoCloseable {
    /** Floats per array. */
    int length();

    /** b ← a: reads 4·length bytes, writes 4·length. */
    void copy();

    /** a ← b + s·c: reads 8·length bytes, writes 4·length (STREAM's triad). */
    void triad();

    /** A checksum of the arrays, for a test to see that the kernels ran (b[0] + a[length−1]). */
    double probe();

    /** Releases the arrays (device memory, threads). */
    @Override
    void close();
}
