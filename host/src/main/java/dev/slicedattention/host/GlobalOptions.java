package dev.slicedattention.host;

import dev.slicedattention.SlicedAttention;
import picocli.CommandLine.Option;

/** Options every command takes. */
public final class GlobalOptions {
    @Option(names = "--verbose", description = "Print stack traces with errors, and more detail.")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;

    /** Also read by the launcher script, which then starts the JVM without TornadoVM at all. */
    @Option(names = "--no-tornado", description = "Run without TornadoVM even where an SDK is installed (as SA_TORNADO=off).")
    void noTornado(boolean off) {
        if (off) {
            System.setProperty(SlicedAttention.TORNADO_SWITCH, "off");
        }
    }
}
