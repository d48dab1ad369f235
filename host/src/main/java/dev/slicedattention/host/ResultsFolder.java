package dev.slicedattention.host;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;

/** A new folder for each run, {@code <parent>/<yyyyMMdd-HHmmss>-<4 hex>}: results are never overwritten. */
final class ResultsFolder {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private ResultsFolder() {}

    static Path create(Path parent) throws IOException {
        Files.createDirectories(parent);
        for (int attempt = 0; attempt < 100; attempt++) {
            String id = LocalDateTime.now().format(STAMP) + "-"
                    + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
            try {
                return Files.createDirectory(parent.resolve(id));
            } catch (FileAlreadyExistsException taken) {
                // another run took this name in the same second: draw again
            }
        }
        throw new IOException("could not create a new results folder under " + parent);
    }

    /** Removes a folder of a failed run and everything in it; best effort, the failure is what matters. */
    static void delete(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException ignored) {
            // leave what could not be removed; the command still reports the original failure
        }
    }
}
