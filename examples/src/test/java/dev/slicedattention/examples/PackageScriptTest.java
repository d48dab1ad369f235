package dev.slicedattention.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.slicedattention.Backend;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/package: its help, a bad option, and a JVM-only package (about 20 s: jlink is most of it)
 * that runs from a clean environment — {@code devices} and {@code attend} on .npy files, whose
 * output must equal jvm-seq's in this JVM. Runs in this module because it comes after bench in
 * the build (its test-scope dependency on bench says so), and the package needs the host's and the
 * bench's jars. The TornadoVM package and the GPU check are verified by hand (docs/GPU.md).
 */
class PackageScriptTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

    record Run(int exit, String output) {}

    private static Run run(Path directory, Map<String, String> env, boolean clean, String... command)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        if (clean) {
            builder.environment().clear();
        }
        builder.environment().remove("TORNADOVM_HOME");
        builder.environment().putAll(env);
        Process process = builder.start();
        byte[] bytes = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "did not finish in 2 minutes: " + String.join(" ", command));
        return new Run(process.exitValue(), new String(bytes, StandardCharsets.UTF_8));
    }

    @Test
    void helpAndABadOption() throws IOException, InterruptedException {
        String script = ROOT.resolve("scripts/package").toString();
        Run help = run(ROOT, Map.of(), false, "bash", script, "--help");
        assertEquals(0, help.exit(), help.output());
        for (String option : List.of("--out", "--name", "--with-tornado", "--without-tornado", "--with-tests", "--archive-only")) {
            assertTrue(help.output().contains(option), option + " missing from:\n" + help.output());
        }
        Run bad = run(ROOT, Map.of(), false, "bash", script, "--no-such-option");
        assertEquals(2, bad.exit(), bad.output());
        assertEquals(1, bad.output().strip().lines().count(), bad.output());
        assertTrue(bad.output().startsWith("error: unknown option '--no-such-option'"), bad.output());
    }

    @Test
    void aJvmOnlyPackageRunsFromACleanEnvironment(@TempDir Path temp) throws IOException, InterruptedException {
        assumeTrue(hasJar(ROOT.resolve("host/target"), "sliced-attention-host-") && Files.isDirectory(ROOT.resolve("host/target/lib"))
                && hasJar(ROOT.resolve("bench/target"), "sliced-attention-bench-"), "host and bench are not built");
        Run made = run(ROOT, Map.of(), false, "bash", ROOT.resolve("scripts/package").toString(),
                "--without-tornado", "--no-archive", "--out", temp.toString(), "--name", "pkg");
        assertEquals(0, made.exit(), made.output());
        Path pkg = temp.resolve("pkg");
        assertTrue(Files.isExecutable(pkg.resolve("bin/sliced-attention")), made.output());
        assertTrue(Files.isRegularFile(pkg.resolve("runtime/release")), made.output());
        assertTrue(Files.notExists(pkg.resolve("tornado")), "a --without-tornado package has a tornado/ folder");
        assertTrue(Files.readString(pkg.resolve("BUILD-INFO.txt")).contains("TornadoVM: not included"));

        // The other machine: no JAVA_HOME, no TornadoVM, a PATH without any JDK.
        Map<String, String> clean = Map.of("PATH", "/usr/bin:/bin", "HOME", temp.toString(), "SA_HEAP", "256m");
        String launcher = pkg.resolve("bin/sliced-attention").toString();
        Run devices = run(temp, clean, true, launcher, "devices");
        assertEquals(0, devices.exit(), devices.output());
        assertTrue(devices.output().contains("jvm-seq") && devices.output().contains("jvm-par"), devices.output());

        Random random = new Random(3);
        Tensor q = Tensor.wrap(UseFromJava.gaussian(random, 40 * 8), 40, 8);
        Tensor k = Tensor.wrap(UseFromJava.gaussian(random, 33 * 8), 33, 8);
        Tensor v = Tensor.wrap(UseFromJava.gaussian(random, 33 * 4), 33, 4);
        Tensor theta = Tensor.wrap(UseFromJava.gaussian(random, 8), 8);
        q.writeNpy(temp.resolve("q.npy"));
        k.writeNpy(temp.resolve("k.npy"));
        v.writeNpy(temp.resolve("v.npy"));
        theta.writeNpy(temp.resolve("theta.npy"));
        Run attend = run(temp, clean, true, launcher, "attend", "--q", "q.npy", "--k", "k.npy", "--v", "v.npy",
                "--theta", "theta.npy", "--out", "o.npy", "--backend", "jvm-seq");
        assertEquals(0, attend.exit(), attend.output());
        Tensor expected;
        try (Backend backend = SlicedAttention.open("jvm-seq")) {
            expected = backend.forward(q, k, v, theta);
        }
        Tensor got = Tensor.readNpy(temp.resolve("o.npy"));
        assertEquals(expected.shapeText(), got.shapeText());
        assertArrayEquals(expected.data(), got.data());
    }

    private static boolean hasJar(Path folder, String prefix) throws IOException {
        if (!Files.isDirectory(folder)) {
            return false;
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString())
                    .anyMatch(name -> name.startsWith(prefix) && name.endsWith(".jar") && !name.contains("-tests"));
        }
    }
}
