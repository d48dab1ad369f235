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
            Npy.write(dir.resolve("lengths.npy"), new int[] {2}, new float[] {40, 64});
            String[] files = inputFiles(dir, "", batch, new int[] {2, 48, 8}, new int[] {2, 64, 8}, new int[] {2, 8});
            for (int round = 0; round < 3; round++) {
                for (String backend : new String[] {"jvm-par", "jvm-seq"}) {
                    run(console, files, "attend", "--backend", backend);
                    run(console, files, "attend", "--backend", backend, "--kernel", "bump", "--bandwidth", "1.5",
                            "--key-lengths", dir.resolve("lengths.npy").toString());
                }
            }
            // One size where the hot loops run long enough to be profiled as they are at 2^20: the cache
            // then carries their profiles, and a cold attend's JIT compiles them without profiling first.
            int size = 1 << 15;
            AttentionBatch large = InputGenerator.GAUSSIAN.generate(new Shape(1, size, size, 64, 64), 2);
            String[] largeFiles = inputFiles(dir, "large-", large, new int[] {size, 64}, new int[] {size, 64},
                    new int[] {64});
            for (int round = 0; round < 3; round++) {
                run(console, largeFiles, "attend", "--backend", "jvm-par");
                run(console, largeFiles, "attend", "--backend", "jvm-par", "--kernel", "bump", "--bandwidth", "0.5");
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

    /** Writes the batch's Q, K, V and θ as {@code .npy} files and returns attend's file options for them. */
    private static String[] inputFiles(Path dir, String prefix, AttentionBatch batch, int[] queryShape, int[] keyShape,
                                       int[] thetaShape) {
        Path q = dir.resolve(prefix + "q.npy"), k = dir.resolve(prefix + "k.npy"), v = dir.resolve(prefix + "v.npy");
        Path theta = dir.resolve(prefix + "t.npy");
        Npy.write(q, queryShape, batch.q());
        Npy.write(k, keyShape, batch.k());
        Npy.write(v, keyShape, batch.v());
        Npy.write(theta, thetaShape, batch.theta());
        return new String[] {"--q", q.toString(), "--k", k.toString(), "--v", v.toString(), "--theta", theta.toString(),
                "--out", dir.resolve(prefix + "o.npy").toString(), "--force"};
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
