package dev.slicedattention.bench.peers;

import dev.slicedattention.results.PeerResults;
import dev.slicedattention.results.PeerResults.Contender;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.ErrorMetrics;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Shape;
import dev.slicedattention.validation.npy.Npy;
import dev.slicedattention.validation.sequential.SequentialPipeline64;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * End to end, as a user meets it: the same generated {@code .npy} files through
 * {@code scripts/sliced-attention attend} (the fastest JVM backend), through the NumPy pipeline a
 * Python user would write ({@code bench/peers/numpy_sliced.py}) and through the authors' PyTorch
 * module ({@code bench/peers/torch_authors.py}, when {@code torch} imports). Each is a whole process
 * (start-up, reading, computing, writing), timed in paired rounds — every round runs each contender
 * once, in rotating order, after one untimed run each that warms the page cache — and its output is
 * checked against the float64 sequential pipeline.
 */
public final class PeerComparison {
    private final Path root;
    private final PrintStream log;

    /** @param root the repository (scripts/, bench/peers/, fixtures/) */
    public PeerComparison(Path root, PrintStream log) {
        this.root = root;
        this.log = log;
    }

    /** The repository that holds this class's jar ({@code <root>/bench/target/…}), else the working directory. */
    public static Path repository() {
        try {
            Path jar = Path.of(PeerComparison.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir = jar; dir != null; dir = dir.getParent()) {
                if (Files.isRegularFile(dir.resolve("scripts/sliced-attention")) && Files.isDirectory(dir.resolve("bench/peers"))) {
                    return dir;
                }
            }
        } catch (Exception unknown) {
            // fall through
        }
        return Path.of("").toAbsolutePath();
    }

    /** Runs the comparison at n = m keys, d = e, in {@code rounds} paired rounds; files in {@code work} (deleted after). */
    public PeerResults run(int n, int d, int rounds, Path work) throws IOException, InterruptedException {
        Files.createDirectories(work);
        try {
            AttentionBatch batch = InputGenerator.GAUSSIAN.generate(new Shape(1, n, n, d, d), 20251211L);
            String[] inputs = new String[4];
            float[][] data = {batch.q(), batch.k(), batch.v(), batch.theta()};
            String[] names = {"q", "k", "v", "theta"};
            for (int i = 0; i < 4; i++) {
                Path file = work.resolve(names[i] + ".npy");
                Npy.write(file, i == 3 ? new int[] {d} : new int[] {n, d}, data[i]);
                inputs[i] = file.toString();
            }
            log.printf("peers: n = m = %d, d = e = %d, %d paired rounds; reference: float64 sequential pipeline%n", n, d, rounds);
            double[] reference = SequentialPipeline64.forward(batch);

            List<Peer> peers = new ArrayList<>();
            peers.add(new Peer("sliced-attention attend (jvm-par)", List.of(root.resolve("scripts/sliced-attention").toString(),
                    "attend", "--q", inputs[0], "--k", inputs[1], "--v", inputs[2], "--theta", inputs[3],
                    "--backend", "jvm-par", "--force", "--quiet", "--out"), null));
            String python = python();
            peers.add(new Peer("NumPy pipeline (bench/peers/numpy_sliced.py)", pythonCommand(python, "numpy_sliced.py", inputs),
                    python == null ? "python3 is not on the PATH" : importFails(python, "numpy")));
            peers.add(new Peer("authors' PyTorch module (bench/peers/torch_authors.py)", pythonCommand(python, "torch_authors.py", inputs),
                    python == null ? "python3 is not on the PATH" : importFails(python, "torch")));

            List<Peer> runnable = peers.stream().filter(p -> p.skipped == null).toList();
            for (Peer peer : runnable) {
                log.printf("peers: warm-up run of %s%n", peer.name);
                peer.run(work, false);
                float[] out = Npy.read(peer.output(work)).data();
                peer.relError = ErrorMetrics.compare(out, reference, batch).relativeError();
            }
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < runnable.size(); i++) {
                    Peer peer = runnable.get((i + round) % runnable.size());
                    peer.run(work, true);
                    log.printf("peers: round %d, %s: %.2f s%n", round + 1, peer.name, peer.walls.get(peer.walls.size() - 1));
                }
            }
            List<Contender> contenders = new ArrayList<>();
            for (Peer peer : peers) {
                contenders.add(peer.skipped != null
                        ? new Contender(peer.name, String.join(" ", peer.command), List.of(), Double.NaN, null, Double.NaN, peer.skipped)
                        : new Contender(peer.name, String.join(" ", peer.command), List.copyOf(peer.walls), median(peer.walls),
                                peer.maxRssMb, peer.relError, null));
            }
            return new PeerResults(n, d, d, rounds, contenders);
        } finally {
            try (var files = Files.list(work)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(work);
        }
    }

    private List<String> pythonCommand(String python, String script, String[] inputs) {
        List<String> command = new ArrayList<>();
        command.add(python == null ? "python3" : python);
        command.add(root.resolve("bench/peers").resolve(script).toString());
        command.addAll(Arrays.asList(inputs));
        return command;
    }

    private static String python() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "python3");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    /** null when {@code module} imports, else the reason (which the results record as why it was skipped). */
    private static String importFails(String python, String module) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(python, "-c", "import " + module).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return "'import " + module + "' did not finish in 2 minutes";
        }
        if (process.exitValue() == 0) {
            return null;
        }
        String text = new String(output).strip();
        String last = text.isEmpty() ? "" : text.substring(text.lastIndexOf('\n') + 1);
        return "python3 cannot import " + module + " (" + last + ")";
    }

    public static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** One contender: its command line (the output path is appended), its walls, its peak memory. */
    private final class Peer {
        final String name;
        final List<String> command;
        final String skipped;
        final List<Double> walls = new ArrayList<>();
        Double maxRssMb;
        double relError = Double.NaN;

        Peer(String name, List<String> command, String skipped) {
            this.name = name;
            this.command = command;
            this.skipped = skipped;
        }

        Path output(Path work) {
            return work.resolve("out-" + Integer.toHexString(name.hashCode()) + ".npy");
        }

        /** Runs once; with {@code timed}, records the wall time and (through GNU time, where present) the peak RSS. */
        void run(Path work, boolean timed) throws IOException, InterruptedException {
            List<String> line = new ArrayList<>();
            Path timeFile = work.resolve("time.txt");
            boolean gnuTime = Files.isExecutable(Path.of("/usr/bin/time"));
            if (gnuTime) {
                line.addAll(List.of("/usr/bin/time", "-f", "%M", "-o", timeFile.toString()));
            }
            line.addAll(command);
            line.add(output(work).toString());
            ProcessBuilder builder = new ProcessBuilder(line).redirectErrorStream(true);
            long start = System.nanoTime();
            Process process = builder.start();
            byte[] output = process.getInputStream().readAllBytes();
            int exit = process.waitFor();
            double wall = (System.nanoTime() - start) / 1e9;
            if (exit != 0) {
                throw new IOException(name + " failed (exit " + exit + "): " + new String(output).strip());
            }
            if (timed) {
                walls.add(wall);
                if (gnuTime) {
                    List<String> lines = Files.readAllLines(timeFile);
                    double rss = Double.parseDouble(lines.get(lines.size() - 1).strip()) / 1024.0;
                    maxRssMb = maxRssMb == null ? rss : Math.max(maxRssMb, rss);
                }
            }
        }
    }

    /** The printed comparison: median wall, ratio to NumPy, peak RSS, relative error. */
    public static String table(PeerResults results) {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
                "%nend to end, whole processes, n = m = %d, d = e = %d, median of %d paired rounds%n",
                results.n(), results.d(), results.rounds()));
        Double numpy = results.contenders().stream().filter(c -> c.name().startsWith("NumPy") && c.skipReason() == null)
                .map(Contender::wallSeconds).findFirst().orElse(null);
        for (Contender c : results.contenders()) {
            if (c.skipReason() != null) {
                text.append(String.format(Locale.ROOT, "  %-55s skipped: %s%n", c.name(), c.skipReason()));
                continue;
            }
            text.append(String.format(Locale.ROOT, "  %-55s %7.2f s  %s  peak RSS %s  rel. error %.1e%n", c.name(), c.wallSeconds(),
                    numpy == null ? "" : String.format(Locale.ROOT, "%5.2fx NumPy", c.wallSeconds() / numpy),
                    c.maxRssMb() == null ? "-" : String.format(Locale.ROOT, "%.0f MB", c.maxRssMb()), c.relError()));
        }
        return text.toString();
    }
}
