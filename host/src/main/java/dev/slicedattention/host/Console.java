package dev.slicedattention.host;

import java.io.PrintStream;

/**
 * Where a command writes: the table and results to {@code out}, progress and errors to {@code err}.
 * Passed in (not System.out) so the end-to-end tests can run the CLI in-process and read both.
 */
public record Console(PrintStream out, PrintStream err, boolean interactive) {
    public static Console system() {
        // A progress bar only where a person watches: stderr is a terminal when a console is attached.
        return new Console(System.out, System.err, System.console() != null);
    }
}
