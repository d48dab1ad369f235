package dev.slicedattention.results;

import java.io.IOException;
import java.nio.file.Path;

/** A results file (results.json, bench-summary.json) that is missing, unreadable or malformed. */
public class ResultsFileException extends IOException {
    private final Path file;

    public ResultsFileException(Path file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    /** The file concerned. */
    public Path file() {
        return file;
    }
}
