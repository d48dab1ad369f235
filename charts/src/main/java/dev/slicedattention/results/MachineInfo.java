package dev.slicedattention.results;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine a run or benchmark was taken on.
 *
 * @param hostname       the host's name
 * @param os             os.name and os.version, e.g. "Linux 6.8.0"
 * @param arch           os.arch, e.g. "amd64"
 * @param cpuModel       /proc/cpuinfo "model name" where present, else os.arch
 * @param cores          logical processors available to the JVM
 * @param memoryBytes    total physical memory, 0 when unknown
 * @param jdk            java.version
 * @param jvmVendor      java.vendor
 * @param tornadoVersion the TornadoVM version, null when no TornadoVM backend was loaded
 */
public record MachineInfo(
        String hostname,
        String os,
        String arch,
        String cpuModel,
        int cores,
        long memoryBytes,
        String jdk,
        String jvmVendor,
        String tornadoVersion) {

    /** Describes the machine this JVM runs on. Never throws: unknown parts become "unknown" or 0. */
    public static MachineInfo detect(String tornadoVersionOrNull) {
        String arch = System.getProperty("os.arch", "unknown");
        return new MachineInfo(
                detectHostname(),
                System.getProperty("os.name", "unknown") + " " + System.getProperty("os.version", ""),
                arch,
                readCpuModel(Path.of("/proc/cpuinfo")).orElse(arch),
                Runtime.getRuntime().availableProcessors(),
                totalMemoryBytes(),
                System.getProperty("java.version", "unknown"),
                System.getProperty("java.vendor", "unknown"),
                tornadoVersionOrNull);
    }

    /** The first "model name" line of a /proc/cpuinfo-style file, if there is one. */
    static java.util.Optional<String> readCpuModel(Path cpuinfo) {
        try {
            if (!Files.isReadable(cpuinfo)) {
                return java.util.Optional.empty();
            }
            List<String> lines = Files.readAllLines(cpuinfo, StandardCharsets.UTF_8);
            for (String line : lines) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals("model name")) {
                    String model = line.substring(colon + 1).trim().replaceAll("\\s+", " ");
                    if (!model.isEmpty()) {
                        return java.util.Optional.of(model);
                    }
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // fall through: no model name
        }
        return java.util.Optional.empty();
    }

    private static String detectHostname() {
        String env = System.getenv("HOSTNAME");
        try {
            String name = InetAddress.getLocalHost().getHostName();
            if (name != null && !name.isBlank()) {
                return name;
            }
        } catch (IOException | RuntimeException ignored) {
            // fall back below
        }
        try {
            Path etc = Path.of("/etc/hostname");
            if (Files.isReadable(etc)) {
                String name = Files.readString(etc, StandardCharsets.UTF_8).trim();
                if (!name.isEmpty()) {
                    return name;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // fall back below
        }
        return env != null && !env.isBlank() ? env : "unknown";
    }

    private static long totalMemoryBytes() {
        try {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                return os.getTotalMemorySize();
            }
        } catch (RuntimeException | LinkageError ignored) {
            // not a HotSpot-style JVM
        }
        return 0L;
    }
}
