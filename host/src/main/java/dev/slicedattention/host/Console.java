package dev.slicedattention.host;

import java.io.PrintStream;

/**
 * Where a command writes: the table and results to {@code out}, progress and errors to {@code err}.
 * Passed in (not System.out) so the end-to-end tests can run the CLI in-process and read both.
 * Each stream prints in its own charset ({@link PrintStream#charset()}; System.out's is the
 * {@code stdout.encoding} the JDK took from the locale): where that charset lacks a character the
 * text holds, the character is printed as an ASCII stand-in ({@link TerminalStream}), so a non-UTF-8
 * terminal shows {@code +-30% ~}, not {@code ?30% ?}.
 */
public record Console(PrintStream out, PrintStream err, boolean interactive) {
    public Console {
        out = TerminalStream.fitting(out);
        err = TerminalStream.fitting(err);
    }

    public static Console system() {
        // A progress bar only where a person watches: a terminal is attached.
        return new Console(System.out, System.err, terminal());
    }

    /** Set by scripts/sliced-attention from {@code [ -t 2 ]}: whether stderr, where the bar goes, is a terminal. */
    static final String STDERR_TTY = "sliced.attention.stderrTty";

    private static boolean terminal() {
        String told = System.getProperty(STDERR_TTY);
        if (told != null) {
            return Boolean.parseBoolean(told);
        }
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        // From JDK 22 System.console() is non-null even when redirected; isTerminal() (22+) tells them apart.
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException olderJdk) {
            return true;
        }
    }
}
