package dev.slicedattention.host;

import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Shape;
import dev.slicedattention.validation.npy.Npy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The training run of the launcher's ahead-of-time cache (JDK 25+: {@code -XX:AOTCacheOutput}): runs
 * the commands a user starts with — {@code attend} on both JVM backends and both kernels, ragged,
 * {@code validate}, {@code devices}, {@code --help} — on tiny generated files, so that the cache holds
 * their classes loaded and linked and their methods' profiles. A later start then skips that work:
 * measured on a 16 × 8 {@code attend}, 0.69–0.79 s wall without the cache, 0.40–0.45 s with it.
 * Not a user command; the output is discarded.
 */
public final class AotTraining {
    private AotTraining() {}

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("sliced-attention-aot");
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        Console console = new Console(new PrintStream(sink, true, StandardCharsets.UTF_8),
                new PrintStream(sink, true, StandardCharsets.UTF_8), false);
        try {
            AttentionBatch batch = InputGenerator.GAUSSIAN.generate(new Shape(2, 48, 64, 8, 8), 1);
            Npy.write(dir.resolve("q.npy"), new int[] {2, 48, 8}, batch.q());
            Npy.write(dir.resolve("k.npy"), new int[] {2, 64, 8}, batch.k());
            Npy.write(dir.resolve("v.npy"), new int[] {2, 64, 8}, batch.v());
            Npy.write(dir.resolve("t.npy"), new int[] {2, 8}, batch.theta());
            Npy.write(dir.resolve("lengths.npy"), new int[] {2}, new float[] {40, 64});
            String[] files = {"--q", dir.resolve("q.npy").toString(), "--k", dir.resolve("k.npy").toString(),
                    "--v", dir.resolve("v.npy").toString(), "--theta", dir.resolve("t.npy").toString(),
                    "--out", dir.resolve("o.npy").toString(), "--force"};
            for (int round = 0; round < 3; round++) {
                for (String backend : new String[] {"jvm-par", "jvm-seq"}) {
                    run(console, files, "attend", "--backend", backend);
                    run(console, files, "attend", "--backend", backend, "--kernel", "bump", "--bandwidth", "1.5",
                            "--key-lengths", dir.resolve("lengths.npy").toString());
                }
            }
            Main.run(console, "validate", "--sizes", "1,100", "--generators", "gaussian", "--quiet");
            Main.run(console, "devices");
            Main.run(console, "--help");
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private static void run(Console console, String[] files, String... command) {
        String[] args = new String[command.length + files.length];
        System.arraycopy(command, 0, args, 0, command.length);
        System.arraycopy(files, 0, args, command.length, files.length);
        int exit = Main.run(console, args);
        if (exit != 0) {
            throw new IllegalStateException("AOT training: " + String.join(" ", command) + " exited " + exit);
        }
    }
}
