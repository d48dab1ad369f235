package dev.slicedattention.host;

import dev.slicedattention.error.DeviceFailureException;
import dev.slicedattention.error.ResultMismatchException;
import dev.slicedattention.error.SlicedAttentionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns an exception into one line on stderr and an exit code. The API's typed exceptions already
 * carry the cause and what to do; this only formats them. Stack traces only with --verbose.
 */
final class Failures implements IExecutionExceptionHandler {
    private final Console console;

    Failures(Console console) {
        this.console = console;
    }

    @Override
    public int handleExecutionException(Exception failure, CommandLine commandLine, ParseResult parsed) {
        boolean verbose = parsed.hasMatchedOption("--verbose")
                || (parsed.subcommand() != null && parsed.subcommand().hasMatchedOption("--verbose"));
        console.err().println("error: " + message(failure));
        if (verbose) {
            failure.printStackTrace(console.err());
        }
        return exitCode(failure);
    }

    static int exitCode(Throwable failure) {
        if (failure instanceof DeviceFailureException) {
            return ExitCode.DEVICE_FAILURE;
        }
        if (failure instanceof ResultMismatchException) {
            return ExitCode.VALIDATION_FAILED;
        }
        if (failure instanceof SlicedAttentionException || failure instanceof IllegalArgumentException) {
            return ExitCode.BAD_INPUT;
        }
        if (failure instanceof OutOfMemoryError) {
            return ExitCode.DEVICE_FAILURE;
        }
        return ExitCode.INTERNAL;
    }

    static String message(Throwable failure) {
        if (failure instanceof UncheckedIOException io) {
            failure = io.getCause();
        }
        if (failure instanceof IOException) {
            return "I/O failed: " + failure.getMessage() + ". Check the path and free disk space.";
        }
        if (failure instanceof SlicedAttentionException || failure instanceof IllegalArgumentException) {
            return failure.getMessage();
        }
        if (failure instanceof OutOfMemoryError) {
            return "out of memory (" + failure.getMessage() + "). Use smaller --sizes or --heads, or give the JVM "
                    + "more heap (SA_HEAP=16g scripts/sliced-attention ...)";
        }
        return failure.getClass().getSimpleName() + ": " + failure.getMessage()
                + " (an internal error: run again with --verbose and report it)";
    }
}
