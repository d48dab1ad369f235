package dev.slicedattention.bench.roof;

import dev.slicedattention.BackendInfo;

/**
 * Measures a backend's memory roof: a copy and a triad over float arrays that live where the
 * backend keeps its data (the Java heap for the JVM backends, device memory for a device). Found
 * with {@link java.util.ServiceLoader}: list an implementation in
 * {@code META-INF/services/dev.slicedattention.bench.roof.RoofProvider}. The bench module ships
 * {@link JvmRoofProvider} for {@code jvm-seq} and {@code jvm-par}; a device backend's jar adds its
 * own (for TornadoVM: a task graph whose arrays stay on the device, so no transfer is timed).
 *
 * <p>Like a {@link dev.slicedattention.spi.BackendProvider}, construction must be cheap and must not
 * touch a device.
 */
public interface RoofProvider {
    /** Whether this provider can measure the roof of {@code backend} (usually decided by its family). */
    boolean supports(BackendInfo backend);

    /**
     * Allocates and fills three arrays of {@code length} floats on the backend, ready to run.
     * Preparation that a steady-state call does not repeat (allocation, compilation, the first
     * transfer) happens here, not in the kernels.
     */
    RoofKernel open(BackendInfo backend, int length);
}
