package dev.slicedattention.host;

import picocli.CommandLine.Option;

/** Options every command takes. */
public final class GlobalOptions {
    @Option(names = "--verbose", description = "Print stack traces with errors, and more detail.")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;
}
