package dev.slicedattention.results;

/**
 * One backend / device that took part in a run.
 *
 * @param backend        the backend id: "jvm-seq", "jvm-par", "tornado:0:0" (driver:device)
 * @param deviceName     the device's name, e.g. "NVIDIA H100 80GB HBM3", or the CPU model for JVM backends
 * @param kind           "CPU", "GPU" or "ACCELERATOR"
 * @param memoryBytes    the device's global memory (for JVM backends the JVM's max heap), 0 when unknown
 * @param tornadoBackend "OpenCL", "PTX" or "SPIR-V" for TornadoVM devices, null for JVM backends
 */
public record DeviceInfo(String backend, String deviceName, String kind, long memoryBytes, String tornadoBackend) {}
