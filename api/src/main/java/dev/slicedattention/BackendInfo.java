package dev.slicedattention;

import dev.slicedattention.validation.TolerancePolicy;

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
                          String runtime, int threads) {

    /**
     * The error this backend's results are held to: the JVM backends accumulate in float64
     * ({@link TolerancePolicy#SEQUENTIAL_FLOAT32}); device backends scan blockwise in float32
     * ({@link TolerancePolicy#BLOCKED_FLOAT32}).
     */
    public TolerancePolicy tolerancePolicy() {
        // A split ("split:tornado:0:0+jvm-par") is judged as its loosest part: a device's when it holds one.
        boolean jvmOnly = family.startsWith("jvm") || (family.equals("split") && !name.contains("tornado"));
        return jvmOnly ? TolerancePolicy.SEQUENTIAL_FLOAT32 : TolerancePolicy.BLOCKED_FLOAT32;
    }

    /** The name and the device, as messages give them: {@code tornado:0:0 (NVIDIA H200)}. */
    public String describe() {
        return name + " (" + deviceName + ")";
    }
}
