package dev.slicedattention.host;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/** One in-process run of the CLI entry point with captured stdout and stderr. */
record CliRun(int exitCode, String out, String err) {
    static CliRun of(String... args) {
        return in(StandardCharsets.UTF_8, args);
    }

    /** A run whose stdout and stderr encode text in {@code charset}, as a terminal under another locale would. */
    static CliRun in(Charset charset, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, charset);
             PrintStream e = new PrintStream(err, true, charset)) {
            int code = Main.run(new Console(o, e, false), args);
            return new CliRun(code, out.toString(charset), err.toString(charset));
        }
    }

    /** The error line, asserted to be one line with no stack trace. */
    String errorLine() {
        String text = err.strip();
        if (text.contains("\n") || text.contains("\tat ")) {
            throw new AssertionError("expected one error line, got:\n" + err);
        }
        return text;
    }
}
