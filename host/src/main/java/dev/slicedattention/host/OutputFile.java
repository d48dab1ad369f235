package dev.slicedattention.host;

import dev.slicedattention.error.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The checks on an {@code --out} file before any work starts: never replaced without {@code --force}, its folder must exist. */
final class OutputFile {
    private OutputFile() {}

    static void check(Path out, boolean force) {
        if (Files.exists(out) && !force) {
            throw new InvalidInputException(out + " exists: choose another --out, or add --force to replace it");
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new InvalidInputException("the folder of --out " + out + " does not exist: create it first");
        }
    }
}
