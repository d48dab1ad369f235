package dev.slicedattention.host;

import dev.slicedattention.Backend;
import dev.slicedattention.BackendInfo;
import dev.slicedattention.report.KernelGallery;
import dev.slicedattention.report.ReportWriter;
import dev.slicedattention.results.DeviceInfo;
import dev.slicedattention.results.KernelDump;
import dev.slicedattention.results.MachineInfo;
import dev.slicedattention.results.ResultsIO;
import dev.slicedattention.results.RunConfig;
import dev.slicedattention.results.RunRecord;
import dev.slicedattention.results.RunResults;
import dev.slicedattention.results.StageTimes;
import dev.slicedattention.results.TimingSpread;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "showcase", mixinStandardHelpOptions = true,
        description = "Every backend over a sweep of sizes: validated against the float64 reference, timed per stage, "
                + "compared with softmax attention; prints a table and writes results/<run-id>/ with results.json, "
                + "results.csv, charts (PNG + SVG), index.html and the kernel gallery kernels.html. The default sweep takes about two minutes on a 2-core laptop.",
        footer = {"%nExamples:",
                "  scripts/sliced-attention showcase",
                "  scripts/sliced-attention showcase --sizes 2^10..2^16 --backends jvm-par,tornado:0:0",
                "  scripts/sliced-attention showcase --heads 4 --dim 32 --value-dim 32 --repeats 5 --out /tmp/runs",
                "  scripts/sliced-attention showcase --kernel bump            (b: 0.5 x std of the projected keys)",
                ExitCode.FOOTER})
final class ShowcaseCommand implements Callable<Integer> {
    /** The kernel gallery: the TornadoVM backend writes the device code of each stage into this folder. */
    static final String KERNEL_DIR_PROPERTY = "sliced.attention.kernelDir";

    @Mixin
    GlobalOptions options;

    @Mixin
    KernelChoice kernel;

    @Option(names = "--sizes", converter = Sizes.class, paramLabel = "N,...",
            description = "Sequence lengths n (= m); 4096, 2^12 or 2^6..2^20 (default: every power of two 2^6..2^18).")
    List<Integer> sizes = new Sizes().convert("2^6..2^18");

    @Option(names = "--heads", paramLabel = "P", description = "Heads per launch (default: ${DEFAULT-VALUE}).")
    int heads = 1;

    @Option(names = "--dim", paramLabel = "D", description = "Query/key dimension d (default: ${DEFAULT-VALUE}).")
    int dim = 64;

    @Option(names = "--value-dim", paramLabel = "E", description = "Value dimension e (default: ${DEFAULT-VALUE}).")
    int valueDim = 64;

    @Option(names = "--repeats", paramLabel = "R",
            description = "At least this many timed calls per point after warm-up (default: ${DEFAULT-VALUE}); the median is reported.")
    int repeats = 3;

    @Option(names = "--time-budget", paramLabel = "SECONDS",
            description = "Timed calls per point continue until this much time is spent (default: ${DEFAULT-VALUE}); "
                    + "warm-up to steady state gets up to half as much again.")
    double timeBudget = 0.5;

    @Option(names = "--backends", split = ",", paramLabel = "NAME",
            description = "Backends to run (default: every available one; jvm-seq always runs as the baseline); "
                    + "split:A,B runs each call's problems on several at once, beside them.")
    List<String> backends = List.of();

    @Option(names = "--softmax-max", paramLabel = "N",
            description = "Largest n at which softmax attention (O(n^2)) is timed (default: ${DEFAULT-VALUE}).")
    int softmaxMax = 2048;

    @Option(names = "--generator", paramLabel = "NAME", description = "Input generator (default: ${DEFAULT-VALUE}).")
    String generator = "gaussian";

    @Option(names = "--seed", description = "Seed of the inputs (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(names = "--out", paramLabel = "DIR", description = "Parent folder of the run folders (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("results");

    private final Console console;

    ShowcaseCommand(Console console) {
        this.console = console;
    }

    @Override
    public Integer call() throws IOException {
        requirePositive("--heads", heads);
        requirePositive("--dim", dim);
        requirePositive("--value-dim", valueDim);
        requirePositive("--repeats", repeats);
        if (!(timeBudget > 0) || !Double.isFinite(timeBudget)) {
            throw new IllegalArgumentException("--time-budget must be a positive number of seconds, got " + timeBudget);
        }
        InputGenerator inputs = InputGenerator.parse(generator);
        kernel.validateForGenerated();
        // The first line: which TornadoVM SDK this run uses, and how it was found (or why none).
        TornadoSetup.fromLauncher().ifPresent(setup -> console.out().println(setup.line()));
        // The run folder exists before any backend opens: a TornadoVM backend reads the kernel-gallery
        // folder when it is opened. Any failure removes the folder, so a failed run leaves nothing behind.
        Path folder = ResultsFolder.create(out);
        Path kernels = folder.resolve("kernels");
        String previousKernelDir = System.getProperty(KERNEL_DIR_PROPERTY);
        boolean done = false;
        try {
            Files.createDirectories(kernels);
            System.setProperty(KERNEL_DIR_PROPERTY, kernels.toAbsolutePath().toString());
            int exit = sweep(inputs, folder, kernels);
            done = true;
            return exit;
        } finally {
            restoreProperty(previousKernelDir);
            if (!done) {
                ResultsFolder.delete(folder);
            }
        }
    }

    private int sweep(InputGenerator inputs, Path folder, Path kernels) throws IOException {
        try (BackendSet set = BackendSet.open(backends)) {
            List<RunRecord> records = new ArrayList<>();
            List<SplitRecord> splits = new ArrayList<>();
            try (Progress progress = Progress.start(console, options, "showcase", (long) sizes.size() * set.backends().size())) {
                for (int n : sizes) {
                    AttentionBatch plain = inputs.generate(new Shape(heads, n, n, dim, valueDim), seed + n);
                    AttentionBatch batch = plain.withOptions(kernel.forGenerated(plain));
                    Check check = Check.of(batch);
                    Double seqTotal = null;
                    for (Backend backend : set.backends()) {
                        progress.step(backend.info().name() + " n=" + n);
                        RunRecord record = measure(backend, batch, check, seqTotal);
                        if (backend.info().name().equals("jvm-seq")) {
                            seqTotal = record.totalMillis();
                        }
                        records.add(record);
                        if (!backend.lastSplit().isEmpty()) {
                            splits.add(SplitRecord.of(backend.info().name(), heads, n, backend.lastSplit()));
                        }
                    }
                }
            }
            List<KernelDump> dumps = kernelDumps(folder, kernels, tornadoName(set));
            if (dumps.isEmpty()) {
                ResultsFolder.delete(kernels);
            }
            RunResults results = RunResults.of(folder.getFileName().toString(), OffsetDateTime.now().toString(),
                    "showcase", MachineInfo.detect(tornadoVersion(set)), devices(set),
                    new RunConfig(sizes, heads, dim, valueDim, repeats, set.names(), kernel.kernelId(), kernel.bandwidthText()),
                    records, dumps);
            print(results);
            splits.forEach(split -> split.print(console.out()));
            ResultsIO.write(folder, results);
            if (!splits.isEmpty()) {
                SplitRecord.write(folder, splits);
            }
            Path index = ReportWriter.write(folder, results);
            console.out().println();
            if (sizes.stream().anyMatch(n -> n > softmaxMax)) {
                console.out().println("softmax attention (O(n^2)) was timed only up to n = " + softmaxMax
                        + " (--softmax-max); above it, it would take minutes per point.");
            }
            if (!dumps.isEmpty()) {
                console.out().println("kernels: " + dumps.size() + " device kernel files in " + kernels);
            }
            console.out().println("results: " + folder.resolve(ResultsIO.RESULTS_JSON));
            console.out().println("report:  " + index);
            console.out().println("gallery: " + index.resolveSibling(KernelGallery.FILE)
                    + (dumps.isEmpty() ? " (the Java kernels and their sequential twins; with a TornadoVM device, the code it generated beside them)"
                    : " (each kernel's Java beside the device code it became)"));
            long failed = records.stream().filter(r -> !r.pass()).count();
            console.out().println(failed == 0 ? "PASS: every result validated."
                    : "FAIL: " + failed + " of " + records.size() + " results exceeded their tolerance.");
            return failed == 0 ? ExitCode.OK : ExitCode.VALIDATION_FAILED;
        }
    }

    private static void restoreProperty(String previous) {
        if (previous == null) {
            System.clearProperty(KERNEL_DIR_PROPERTY);
        } else {
            System.setProperty(KERNEL_DIR_PROPERTY, previous);
        }
    }

    private RunRecord measure(Backend backend, AttentionBatch batch, Check check, Double seqTotal) {
        BackendInfo info = backend.info();
        Measurement measured = Measurement.run(backend, batch, repeats, timeBudget);
        Check.Verdict verdict = check.judge(measured.output(), batch, info);
        Double softmax = batch.n() <= softmaxMax ? Measurement.softmaxMillis(backend, batch, repeats) : null;
        double speedup = seqTotal == null ? 1.0 : seqTotal / measured.totalMillis();
        return new RunRecord(info.name(), info.deviceName(), batch.heads(), batch.m(), batch.n(), batch.d(), batch.e(),
                StageTimes.fromMillis(measured.stageMillis()), measured.totalMillis(), measured.firstCallMillis(),
                softmax, speedup, verdict.metrics().relativeError(), verdict.metrics().maxAbsError(),
                verdict.tolerance(), verdict.reference(), verdict.pass(), measured.spread());
    }

    private void print(RunResults results) {
        Table table = new Table("backend", "n", "proj", "sort", "scan", "rank", "comb", "xfer", "total ms",
                "spread", "first ms", "softmax ms", "speedup", "rel.err", "tol", "check");
        for (RunRecord r : results.runs()) {
            StageTimes s = r.stages();
            table.add(r.backend(), r.n(), Table.ms(s.projection()), Table.ms(s.sort()), Table.ms(s.prefixSum()),
                    Table.ms(s.rank()), Table.ms(s.combine()), Table.ms(s.transferIn() + s.transferOut()),
                    Table.ms(r.totalMillis()), results.spreadText(r), Table.ms(r.firstCallMillis()),
                    r.softmaxMillis() == null ? "-" : Table.ms(r.softmaxMillis()),
                    String.format("%.2fx", r.speedupOverSeq()), Table.sci(r.relError()), Table.sci(r.tolerance()),
                    r.pass() ? "PASS" : "FAIL");
        }
        MachineInfo machine = results.machine();
        console.out().printf("%s, %d cores, JDK %s%s; kernel %s; P=%d d=%d e=%d; medians after warm-up, %.1f s of timed "
                        + "calls per point (at least %d); stage times in ms%n",
                machine.cpuModel(), machine.cores(), machine.jdk(),
                machine.tornadoVersion() == null ? "" : ", " + machine.tornadoVersion(),
                results.config().kernelText(), heads, dim, valueDim, timeBudget, repeats);
        table.print(console.out());
        console.out().println("spread: half the interquartile range of the timed calls' totals, as % of the median, "
                + "and the number of calls; ≈ marks a point too noisy to rank (spread over "
                + Math.round(100 * TimingSpread.WIDE) + "% or overlapping another backend's at the same n).");
    }

    static List<DeviceInfo> devices(BackendSet set) {
        List<DeviceInfo> devices = new ArrayList<>();
        for (Backend backend : set.backends()) {
            BackendInfo info = backend.info();
            devices.add(new DeviceInfo(info.name(), info.deviceName(), info.kind().name(), info.memoryBytes(),
                    info.family().equals("tornado") ? tornadoBackend(info.runtime()) : null));
        }
        return devices;
    }

    static String tornadoVersion(BackendSet set) {
        return set.backends().stream().map(Backend::info).filter(i -> i.family().equals("tornado"))
                .map(BackendInfo::runtime).map(ShowcaseCommand::tornadoRelease).findFirst().orElse(null);
    }

    // The TornadoVM backend reports its runtime as "TornadoVM tornado.api@5.2.0-jdk25 / OpenCL".
    static String tornadoBackend(String runtime) {
        int slash = runtime.lastIndexOf(" / ");
        return slash < 0 ? runtime : runtime.substring(slash + 3).trim();
    }

    /** The release alone ("5.2.0-jdk25"), as the bench records it: charts and reports write "TornadoVM " before it. */
    static String tornadoRelease(String runtime) {
        int slash = runtime.lastIndexOf(" / ");
        String version = (slash < 0 ? runtime : runtime.substring(0, slash)).trim();
        int at = version.indexOf('@');
        return at >= 0 ? version.substring(at + 1).trim() : version.replaceFirst("^TornadoVM\\s+", "");
    }

    /** The first TornadoVM backend in the run: the one a flat kernel folder belongs to. */
    static String tornadoName(BackendSet set) {
        return set.names().stream().filter(n -> n.startsWith("tornado")).findFirst().orElse("tornado");
    }

    /**
     * Every file of device code the TornadoVM backend dumped: {@code kernels/<stage>.cl}, or
     * {@code kernels/<backend>/<stage>.cl}; not the launch records beside them ({@code launches.json}, which
     * the gallery reads on its own).
     */
    static List<KernelDump> kernelDumps(Path folder, Path kernels, String tornadoName) throws IOException {
        List<KernelDump> dumps = new ArrayList<>();
        if (!Files.isDirectory(kernels)) {
            return dumps;
        }
        try (Stream<Path> files = Files.walk(kernels)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                Path relative = folder.relativize(file);
                String name = file.getFileName().toString();
                if (name.equals(dev.slicedattention.results.KernelLaunch.FILE)) {
                    continue;
                }
                String stage = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
                String backend = kernels.relativize(file).getNameCount() > 1
                        ? kernels.relativize(file).getName(0).toString() : tornadoName;
                dumps.add(new KernelDump(stage, backend, relative.toString().replace('\\', '/')));
            }
        }
        return dumps;
    }

    static void requirePositive(String option, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(option + " must be at least 1, got " + value);
        }
    }
}
