package dev.slicedattention.spi;

/**
 * The two bandwidth probes of a {@link MemoryRoofProvider}, over three arrays a, b, c of
 * {@link #length()} floats. Each call completes the whole operation before it returns (a device
 * kernel waits for the device) and leaves its result where the next call sees it, so no work can be
 * skipped. Not thread-safe.
 */
public interface MemoryRoofKernel extends AutoCloseable {
    /** Floats per array. */
    int length();

    /** b ← a: reads 4·length bytes, writes 4·length. */
    void copy();

    /** a ← b + s·c: reads 8·length bytes, writes 4·length (STREAM's triad). */
    void triad();

    /**
     * A checksum of the arrays as the kernels left them, so that a test can see they ran: after one
     * copy and then one triad, b[0] + a[length − 1] with the data {@link #open} filled in.
     */
    double probe();

    /** Releases the arrays (device memory, threads). */
    @Override
    void close();
}
