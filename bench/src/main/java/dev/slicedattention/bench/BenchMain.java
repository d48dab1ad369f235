package dev.slicedattention.bench;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.bench.peers.PeerComparison;
import dev.slicedattention.results.PeerResults;
import dev.slicedattention.results.ResultsIO;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the benchmark suite through JMH's Runner API: {@link ForwardPassBench} (the forward pass and
 * its stages), {@link SoftmaxBench} (the crossover baseline) and {@link MemoryRoofBench} (the roof),
 * for every backend available here. Writes JMH's JSON per class and {@code bench-summary.json} into
 * {@code <out>/<run-id>/}, and prints the table of {@link BenchReport} on stdout; JMH's progress
 * goes to stderr.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs the JMH suite (forward pass and stages, softmax, memory roof) on every available backend.")
public final class BenchMain implements Callable<Integer> {
    /** The three suites, by the name used in options and file names. */
    enum Suite {
        forward(ForwardPassBench.class), softmax(SoftmaxBench.class), roof(MemoryRoofBench.class), layer(LayerBench.class);

        final Class<?> benchClass;

        Suite(Class<?> benchClass) {
            this.benchClass = benchClass;
        }

        String jsonFile() {
            return "jmh-" + name() + ".json";
        }
    }

    @Option(names = "--quick", description = "A suite of about a minute: small sizes, short iterations.")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR", description = "Results root; the run goes into DIR/<run-id> (default: results).")
    Path out = Path.of("results");

    @Option(names = "--run-id", paramLabel = "ID", description = "The run's folder name (default: bench-<UTC time>).")
    String runId;

    @Option(names = "--backends", split = ",", paramLabel = "NAME",
            description = "Backends to measure (default: every backend SlicedAttention.backends() lists).")
    List<String> backends;

    @Option(names = "--suites", split = ",", paramLabel = "SUITE",
            description = "Which of forward, softmax, roof, layer (default: forward, softmax, roof; with --peers: none unless given).")
    List<Suite> suites;

    @Option(names = "--peers", description = "End to end against peers: the same .npy files through scripts/sliced-attention "
            + "attend, a NumPy pipeline (bench/peers/numpy_sliced.py) and the authors' PyTorch module (when torch imports), "
            + "whole processes in paired rounds; writes peers.json.")
    boolean peers;

    @Option(names = "--peer-size", paramLabel = "N", description = "n = m of the peers comparison (default: ${DEFAULT-VALUE}).")
    int peerSize = 1 << 20;

    @Option(names = "--peer-rounds", paramLabel = "R", description = "Paired rounds of the peers comparison (default: ${DEFAULT-VALUE}).")
    int peerRounds = 3;

    @Option(names = "--sizes", split = ",", paramLabel = "N",
            description = "n for the forward pass (default 64,256,...,1048576 in powers of 4; --quick 64,256,4096,65536).")
    List<Integer> sizes;

    @Option(names = "--kernels", split = ",", paramLabel = "KERNEL",
            description = "Kernels of the forward suite: relu, bump, causal-relu, causal-bump (default: relu,bump; the bump's b is "
                    + "0.5 x the spread of the projected keys).")
    List<String> kernels = List.of("relu", "bump");

    @Option(names = "--layer-sizes", split = ",", paramLabel = "T",
            description = "Tokens T of the layer suite, B = 1, hidden 256, 4 heads, both kernels (default: 65536,1048576).")
    List<Integer> layerSizes = List.of(65536, 1 << 20);

    @Option(names = "--softmax-sizes", split = ",", paramLabel = "N",
            description = "n for softmax (default 64,256,1024,4096; --quick 64,256,1024).")
    List<Integer> softmaxSizes;

    @Option(names = {"-d", "--dim"}, description = "Query/key dimension d (default: ${DEFAULT-VALUE}).")
    int d = 64;

    @Option(names = {"-e", "--value-dim"}, description = "Value dimension e (default: ${DEFAULT-VALUE}).")
    int e = 64;

    @Option(names = {"-P", "--heads"}, description = "Heads per call P (default: ${DEFAULT-VALUE}).")
    int heads = 1;

    @Option(names = "--roof-length", paramLabel = "FLOATS",
            description = "Floats per roof array (default: the largest n·e of the run, within 2^24..2^26).")
    Integer roofLength;

    @Option(names = "--warmup", description = "Warm-up iterations (default 2; --quick 1).")
    Integer warmup;

    @Option(names = "--iterations", description = "Measured iterations (default: ${DEFAULT-VALUE}).")
    int iterations = 3;

    @Option(names = "--iteration-ms", description = "Time per iteration in ms (default 1000; --quick 300).")
    Integer iterationMillis;

    @Option(names = "--forks", description = "JVM forks per configuration (default: ${DEFAULT-VALUE}).")
    int forks = 1;

    @Option(names = "--jvm-arg", paramLabel = "ARG", description = "Extra argument for the forked JVMs (repeatable).")
    List<String> extraJvmArgs = new ArrayList<>();

    @Option(names = "--tornado-version", description = "Recorded in the summary (default: $SA_TORNADO_VERSION when set).")
    String tornadoVersion = System.getenv("SA_TORNADO_VERSION");

    @Option(names = "--jmh-verbosity", description = "JMH's output on stderr: SILENT, NORMAL, EXTRA (default: NORMAL).")
    VerboseMode verbosity = VerboseMode.NORMAL;

    private final PrintStream stdout;
    private final PrintStream stderr;

    BenchMain(PrintStream stdout, PrintStream stderr) {
        this.stdout = stdout;
        this.stderr = stderr;
    }

    public static void main(String[] args) {
        System.exit(execute(System.out, System.err, args));
    }

    /** Runs the command with the given streams; returns the exit code (0: every configuration ran). */
    public static int execute(PrintStream stdout, PrintStream stderr, String... args) {
        CommandLine command = new CommandLine(new BenchMain(stdout, stderr)).setCaseInsensitiveEnumValuesAllowed(true)
                .setOverwrittenOptionsAllowed(true); // scripts/bench passes --out first; a user's --out wins
        command.setOut(new java.io.PrintWriter(stdout, true)).setErr(new java.io.PrintWriter(stderr, true));
        return command.execute(args);
    }

    @Override
    public Integer call() throws IOException, RunnerException {
        long start = System.nanoTime();
        List<String> names = backendNames();
        List<Suite> suites = this.suites != null ? this.suites : peers ? List.of()
                : List.of(Suite.forward, Suite.softmax, Suite.roof);
        for (String kernel : kernels) {
            if (!BenchInputs.KERNELS.contains(kernel)) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "unknown kernel '" + kernel + "' in --kernels; choose from " + BenchInputs.KERNELS);
            }
        }
        List<String> kernelIds = kernels.stream().distinct().toList();
        String id = runId != null ? runId
                : "bench-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Path folder = out.resolve(id);
        Path validationDir = folder.resolve("validation");
        Files.createDirectories(validationDir);
        // Forward sizes from 2^6, where softmax still competes (the crossover), to 2^20, the README's
        // table; 2^22 only on request (--sizes): it needs a ~20 GB heap and minutes per backend.
        List<Integer> forwardSizes = sizes != null ? sizes
                : quick ? List.of(64, 256, 4096, 65536) : List.of(64, 256, 1024, 4096, 16384, 65536, 262144, 1 << 20);
        List<Integer> softmaxN = softmaxSizes != null ? softmaxSizes
                : quick ? List.of(64, 256, 1024) : List.of(64, 256, 1024, 4096);
        int largestN = forwardSizes.stream().mapToInt(Integer::intValue).max().orElse(4096);
        // Roof arrays as large as the largest V, but at least 3 × 64 MB so the roof comes from memory,
        // not from the last-level cache.
        int roof = roofLength != null ? roofLength : (int) Math.min(1L << 26, Math.max(1L << 24, (long) largestN * e));
        // Inputs, output, the pipeline's intermediates and the float64 check: ~40 bytes per (row, column);
        // the roof: its three arrays with room to spare.
        long heapBytes = 1L << 30;
        if (suites.contains(Suite.forward)) {
            heapBytes = Math.max(heapBytes, 40L * heads * largestN * (d + e));
        }
        if (suites.contains(Suite.softmax)) {
            heapBytes = Math.max(heapBytes, 40L * heads * softmaxN.stream().mapToInt(Integer::intValue).max().orElse(0) * (d + e));
        }
        if (suites.contains(Suite.roof)) {
            heapBytes = Math.max(heapBytes, 2 * 3 * MinBytes.WORD * roof);
        }
        if (suites.contains(Suite.layer)) {
            // X, q, k, v, the output and its per-problem copy: ~9 float arrays of T × 256, and jvm-par's tables.
            heapBytes = Math.max(heapBytes, 40L * 256 * layerSizes.stream().mapToInt(Integer::intValue).max().orElse(0));
        }
        List<String> jvmArgs = forkJvmArgs(validationDir, heapBytes >> 20);
        stderr.printf("bench: run %s into %s%n  backends %s; forward n %s; softmax n %s; d=%d e=%d P=%d; roof %d floats%n"
                        + "  forked JVMs: %s%n", id, folder.toAbsolutePath(), names, forwardSizes, softmaxN, d, e, heads, roof,
                String.join(" ", jvmArgs));

        Map<Suite, Collection<RunResult>> results = new LinkedHashMap<>();
        int failed = 0;
        for (Suite suite : suites) {
            ChainedOptionsBuilder options = new OptionsBuilder()
                    .include("^" + java.util.regex.Pattern.quote(suite.benchClass.getName()) + "\\.")
                    .param("backend", names.toArray(String[]::new))
                    .forks(forks)
                    .warmupIterations(warmup != null ? warmup : quick ? 1 : 2)
                    .measurementIterations(iterations)
                    .warmupTime(TimeValue.milliseconds(iterationMillis != null ? iterationMillis : quick ? 300 : 1000))
                    .measurementTime(TimeValue.milliseconds(iterationMillis != null ? iterationMillis : quick ? 300 : 1000))
                    .jvmArgs(jvmArgs.toArray(String[]::new))
                    .shouldFailOnError(false)
                    .resultFormat(ResultFormatType.JSON)
                    .result(folder.resolve(suite.jsonFile()).toString());
            switch (suite) {
                case forward -> options.param("n", strings(forwardSizes)).param("d", "" + d).param("e", "" + e)
                        .param("heads", "" + heads).param("kernel", kernelIds.toArray(String[]::new));
                case softmax -> options.param("n", strings(softmaxN)).param("d", "" + d).param("e", "" + e)
                        .param("heads", "" + heads);
                case roof -> options.param("length", "" + roof);
                case layer -> options.param("tokens", strings(layerSizes)).param("kernel", "relu", "bump");
            }
            stderr.printf("bench: %s (%s) ...%n", suite, suite.benchClass.getSimpleName());
            Collection<RunResult> runs = new Runner(options.build(),
                    OutputFormatFactory.createFormatInstance(stderr, verbosity)).run();
            int expected = names.size() * switch (suite) {
                case forward -> forwardSizes.size() * kernelIds.size();
                case softmax -> softmaxN.size();
                case roof -> 2;
                case layer -> layerSizes.size() * 2;
            };
            if (runs.size() < expected) {
                failed += expected - runs.size();
                stderr.printf("bench: %s: %d of %d configurations failed (see JMH's output above)%n", suite,
                        expected - runs.size(), expected);
            }
            results.put(suite, runs);
        }

        BenchReport report = BenchReport.build(id, names, results, Validation.readAll(validationDir), tornadoVersion);
        report.write(folder);
        stdout.print(report.table());
        if (peers) {
            PeerComparison comparison = new PeerComparison(PeerComparison.repository(), stderr);
            try {
                PeerResults peerResults = comparison.run(peerSize, d, peerRounds, folder.resolve("peers-inputs"));
                ResultsIO.writePeers(folder, peerResults);
                stdout.print(PeerComparison.table(peerResults));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IOException("the peers comparison was interrupted", interrupted);
            }
        }
        stderr.printf("bench: wrote %s (%s, %s) in %.0f s%n", folder.toAbsolutePath(),
                java.util.stream.Stream.concat(suites.stream().map(Suite::jsonFile), peers ? java.util.stream.Stream.of(PeerResults.FILE)
                        : java.util.stream.Stream.empty()).collect(Collectors.joining(", ")),
                dev.slicedattention.results.ResultsIO.BENCH_SUMMARY_JSON, (System.nanoTime() - start) / 1e9);
        if (report.validationFailures() > 0) {
            stderr.printf("bench: %d configuration(s) FAILED the accuracy check (see the table)%n", report.validationFailures());
        }
        return failed == 0 && report.validationFailures() == 0 ? 0 : 1;
    }

    private List<String> backendNames() {
        List<String> available = SlicedAttention.backends().stream().map(BackendInfo::name).toList();
        if (backends == null || backends.isEmpty()) {
            return available;
        }
        for (String name : backends) {
            if (!available.contains(name)) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "backend '" + name + "' is not available here; available: " + available);
            }
        }
        return List.copyOf(backends);
    }

    /**
     * The forked JVMs' arguments, set explicitly rather than inherited: TornadoVM's argfile when
     * TORNADOVM_HOME is set (SA_TORNADO_ARGFILE when scripts/bench wrote one; the launcher expands {@code @file}), a heap for the largest shape, and
     * the folder where {@link Validation} leaves its checks. With TornadoVM every fork gets its flags,
     * JVM backends included: the forks must load the same JMH as this JVM (TornadoVM's module path
     * brings its own jmh-core, which then wins over ours in both), and all backends of a run share
     * one JVM configuration.
     */
    private List<String> forkJvmArgs(Path validationDir, long heapMb) {
        List<String> args = new ArrayList<>();
        String tornadoHome = System.getenv("TORNADOVM_HOME");
        boolean tornadoHere = ModuleLayer.boot().findModule("tornado.api").isPresent();
        if (tornadoHome != null && !tornadoHome.isBlank() && !tornadoHere) {
            stderr.println("bench: TORNADOVM_HOME is set but this JVM runs without TornadoVM's flags, so the forks do"
                    + " too and no TornadoVM backend is measured (run scripts/bench, or java @$TORNADOVM_HOME/tornado-argfile ...)");
        }
        if (tornadoHome != null && !tornadoHome.isBlank() && tornadoHere) {
            // scripts/bench names the argfile it wrote for this machine (SA_TORNADO_ARGFILE); else the SDK's own.
            String written = System.getenv("SA_TORNADO_ARGFILE");
            Path argfile = written != null && !written.isBlank() ? Path.of(written) : Path.of(tornadoHome, "tornado-argfile");
            if (Files.isRegularFile(argfile)) {
                args.add("@" + argfile.toAbsolutePath());
                // Device-only arrays in untouched host memory (tornado-tasks' HostArrays), as the launcher.
                args.add("--enable-native-access=ALL-UNNAMED");
                // A kernel that fails to compile must fail its benchmark, not quietly time TornadoVM's
                // fallback to sequential Java on the host.
                args.add("-Dtornado.recover.bailout=False");
            }
        }
        // A fixed heap (Xms = Xmx): a heap that grows and shrinks between calls adds page faults and
        // GC resizing to the timings (measured: 1.5-3.4 s per call at n = 2^20 growing, 1.85-1.93 s fixed).
        args.add("-Xms" + heapMb + "m");
        args.add("-Xmx" + heapMb + "m");
        if (Runtime.version().feature() >= 24) {
            // JMH reads field offsets with sun.misc.Unsafe; JDK 24+ warns on every fork without this.
            args.add("--sun-misc-unsafe-memory-access=allow");
        }
        args.add("-D" + Validation.DIR_PROPERTY + "=" + validationDir.toAbsolutePath());
        args.addAll(extraJvmArgs);
        return args;
    }

    private static String[] strings(List<Integer> values) {
        return values.stream().map(String::valueOf).toArray(String[]::new);
    }
}
