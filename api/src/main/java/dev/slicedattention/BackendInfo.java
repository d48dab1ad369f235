package dev.slicedattention;

/**
 * A backend that can be opened, as {@link SlicedAttention#backends()} lists it.
 *
 * @param name        the name to open it by: {@code jvm-seq}, {@code jvm-par}, {@code tornado:0:0}
 * @param family      the provider: {@code jvm-seq}, {@code jvm-par} or {@code tornado}
 * @param deviceName  the processor, as its driver names it
 * @param kind        CPU, GPU or accelerator
 * @param memoryBytes the memory the device can use (the JVM's max heap for JVM backends)
 * @param runtime     what runs the code: {@code JVM}, or TornadoVM's backend ({@code OpenCL}, {@code PTX}, {@code SPIR-V})
 * @param threads     worker threads (JVM backends) or compute units (devices)
 */
public record BackendInfo(String name, String family, String deviceName, DeviceKind kind, long memoryBytes,
                          String runtime, int threads) {}
