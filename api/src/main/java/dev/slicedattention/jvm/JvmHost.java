package dev.slicedattention.jvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Facts about the machine the JVM backends run on. */
public final class JvmHost {
    private JvmHost() {}

    /** The CPU's model name from /proc/cpuinfo where there is one, else the architecture. */
    public static String cpuName() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            try {
                for (String line : Files.readAllLines(cpuinfo)) {
                    if (line.startsWith("model name")) {
                        return line.substring(line.indexOf(':') + 1).trim();
                    }
                }
            } catch (IOException ignored) {
                // fall through to the architecture
            }
        }
        return System.getProperty("os.arch") + " CPU";
    }
}
