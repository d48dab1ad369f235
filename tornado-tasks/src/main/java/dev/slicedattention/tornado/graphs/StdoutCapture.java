package dev.slicedattention.tornado.graphs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel gallery's mechanism: TornadoVM 5.2 prints the device source of each kernel it compiles
 * to {@code System.out} when an execution plan has {@code withPrintKernel()} (the global
 * {@code -Dtornado.print.kernel.dir=FILE} would append every kernel of the JVM to one file instead).
 * Each stage graph compiles on its first execute, so capturing standard output around that execute
 * yields exactly that stage's kernels, which are saved under the stage's name.
 */
final class StdoutCapture {
    private final PrintStream original;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    private StdoutCapture() {
        original = System.out;
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    }

    static StdoutCapture start() {
        return new StdoutCapture();
    }

    /** Restores standard output and returns what was printed. */
    String finish() {
        System.out.flush();
        System.setOut(original);
        return buffer.toString(StandardCharsets.UTF_8);
    }

    /** Restores standard output and writes what was printed (the kernel source) to {@code file}. */
    void saveTo(Path file) {
        write(file, finish());
    }

    /** Writes {@code text} (the kernel source) to {@code file}. */
    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text);
        } catch (IOException failed) {
            throw new UncheckedIOException("cannot save the kernel source to " + file, failed);
        }
    }
}
