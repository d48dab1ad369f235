package dev.slicedattention.spi;

import dev.slicedattention.BackendInfo;

/**
 * Measures a backend's memory roof: a copy and a triad over float arrays that live where the
 * backend keeps its data (the Java heap for the JVM backends, device memory for a device). The
 * benchmarks divide each stage's minimum bytes per second by this roof to get its efficiency.
 *
 * <p>Found with {@link java.util.ServiceLoader}: list an implementation in
 * {@code META-INF/services/dev.slicedattention.spi.MemoryRoofProvider}. It lives in the API, next to
 * {@link BackendProvider}, so that a device backend's jar (which must not depend on the benchmarks)
 * can ship the roof of its own devices: for TornadoVM, a task graph whose arrays stay on the device,
 * so no host↔device transfer is timed.
 *
 * <p>Like a {@link BackendProvider}, construction must be cheap and must not touch a device.
 */
public interface MemoryRoofProvider {
    /** Whether this provider can measure the roof of {@code backend} (usually decided by its family). */
    boolean supports(BackendInfo backend);

    /**
     * Allocates and fills three arrays of {@code length} floats on the backend's memory, ready to
     * run. One-off work that a steady-state call does not repeat (allocation, kernel compilation,
     * the first transfer) happens here, not in the kernels.
     */
    MemoryRoofKernel open(BackendInfo backend, int length);
}
