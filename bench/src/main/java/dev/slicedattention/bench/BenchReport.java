package dev.slicedattention.bench;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.results.BenchEntry;
import dev.slicedattention.results.BenchSummary;
import dev.slicedattention.results.DeviceInfo;
import dev.slicedattention.results.FirstCall;
import dev.slicedattention.results.MachineInfo;
import dev.slicedattention.results.ResultsIO;
import dev.slicedattention.results.RunConfig;
import dev.slicedattention.validation.Bandwidths;
import dev.slicedattention.results.RunRecord;
import dev.slicedattention.results.RunResults;
import dev.slicedattention.results.StageTimes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * Turns JMH's results into the run's summary: {@code bench-summary.json} (one {@link BenchEntry} per
 * backend, stage and shape, with minimum bytes, GB/s and the fraction of that backend's roof),
 * {@code results.json} (one {@link RunRecord} per backend and n — total and stage ms, speedup over
 * jvm-seq, softmax at the same n, the accuracy check — the file the charts' throughput and
 * cross-machine comparison read, in tokens/s = P·m ÷ total) and the text table.
 *
 * <p>A backend's roof is the faster of its copy and triad bandwidths, so that a stage's fraction is
 * never flattered by the slower probe. The transfers are host↔device copies, not device-memory
 * traffic: they get no roof fraction.
 */
public final class BenchReport {
    /** JMH aux-counter names of {@link ForwardPassBench.StageCounters}, by stage key. */
    private static final Map<String, String> COUNTERS = new LinkedHashMap<>();

    static {
        for (String stage : StageTimes.KEYS) {
            COUNTERS.put(stage, stage + "Ns");
        }
    }

    private final String runId;
    private final BenchSummary summary;
    /** The forward pass's records, one results file per kernel (relu first). */
    private final Map<String, RunResults> runsByKernel;
    private final Map<String, double[]> roofs;

    private BenchReport(String runId, BenchSummary summary, Map<String, RunResults> runsByKernel, Map<String, double[]> roofs) {
        this.runId = runId;
        this.summary = summary;
        this.runsByKernel = runsByKernel;
        this.roofs = roofs;
    }

    public BenchSummary summary() {
        return summary;
    }

    /** The ReLU kernel's results (or the only kernel's, when relu was not measured). */
    public RunResults runResults() {
        return runsByKernel.isEmpty() ? RunResults.of(runId, summary.createdAt(), "scripts/bench", summary.machine(),
                List.of(), null, List.of(), List.of()) : runsByKernel.values().iterator().next();
    }

    /** The forward pass's results per kernel. */
    public Map<String, RunResults> runResultsByKernel() {
        return runsByKernel;
    }

    /** Builds the report from JMH's results of each suite and the checks the forks left. */
    static BenchReport build(String runId, List<String> backendNames, Map<BenchMain.Suite, Collection<RunResult>> results,
                             Map<String, Validation> checks, String tornadoVersion) {
        String createdAt = Instant.now().toString();
        List<BenchEntry> entries = new ArrayList<>();

        // Roofs first: every other entry's fraction needs them. backend → {copy B/s, triad B/s}.
        Map<String, double[]> roofs = new LinkedHashMap<>();
        for (RunResult run : results.getOrDefault(BenchMain.Suite.roof, List.of())) {
            BenchmarkParams params = run.getParams();
            String backend = params.getParam("backend");
            int length = Integer.parseInt(params.getParam("length"));
            boolean copy = params.getBenchmark().endsWith(".copy");
            double millis = run.getPrimaryResult().getScore();
            double bytes = copy ? MinBytes.copy(length) : MinBytes.triad(length);
            roofs.computeIfAbsent(backend, b -> new double[2])[copy ? 0 : 1] = bytes / (millis / 1e3);
        }
        for (RunResult run : results.getOrDefault(BenchMain.Suite.roof, List.of())) {
            BenchmarkParams params = run.getParams();
            String backend = params.getParam("backend");
            int length = Integer.parseInt(params.getParam("length"));
            boolean copy = params.getBenchmark().endsWith(".copy");
            double bytes = copy ? MinBytes.copy(length) : MinBytes.triad(length);
            entries.add(entry(name(params), backend, copy ? "copyRoof" : "triadRoof", length, 0, 0, 1,
                    run.getPrimaryResult().getScore(), bytes, roofs));
        }

        Map<String, Double> softmaxMillis = new LinkedHashMap<>();
        List<RunResult> softmaxRuns = new ArrayList<>(results.getOrDefault(BenchMain.Suite.softmax, List.of()));
        softmaxRuns.sort(java.util.Comparator.<RunResult>comparingInt(r -> backendNames.indexOf(r.getParams().getParam("backend")))
                .thenComparingInt(r -> Integer.parseInt(r.getParams().getParam("n"))));
        for (RunResult run : softmaxRuns) {
            Shape s = Shape.of(run.getParams());
            double millis = run.getPrimaryResult().getScore();
            softmaxMillis.put(s.key(), millis);
            entries.add(entry(name(run.getParams()), s.backend, "softmax", s.n, s.d, s.e, s.heads, millis,
                    MinBytes.softmax(s.heads, s.n, s.n, s.d, s.e), roofs));
        }

        Map<String, BackendInfo> infos = new LinkedHashMap<>();
        for (BackendInfo info : SlicedAttention.backends()) {
            infos.put(info.name(), info);
        }
        List<RunResult> forward = new ArrayList<>(results.getOrDefault(BenchMain.Suite.forward, List.of()));
        // Rows in the order the backends were listed (jvm-seq first), then by n.
        forward.sort(java.util.Comparator.<RunResult>comparingInt(r -> backendNames.indexOf(r.getParams().getParam("backend")))
                .thenComparingInt(r -> Integer.parseInt(r.getParams().getParam("n"))));
        List<String> kernels = forward.stream().map(r -> Shape.of(r.getParams()).kernel).distinct()
                .sorted(java.util.Comparator.comparing(k -> k.equals("relu") ? 0 : 1)).toList();
        Map<String, List<RunRecord>> recordsByKernel = new LinkedHashMap<>();
        for (String kernel : kernels) {
            List<RunResult> runs = forward.stream().filter(r -> Shape.of(r.getParams()).kernel.equals(kernel)).toList();
            recordsByKernel.put(kernel, forwardRecords(runs, infos, checks, softmaxMillis, roofs, entries));
        }

        layerEntries(results.getOrDefault(BenchMain.Suite.layer, List.of()), roofs, entries);

        MachineInfo machine = MachineInfo.detect(tornadoVersion);
        BenchSummary summary = new BenchSummary(runId, createdAt, machine, entries, firstCalls(forward, checks));
        List<DeviceInfo> devices = new ArrayList<>();
        for (String name : backendNames) {
            BackendInfo info = infos.get(name);
            if (info != null) {
                devices.add(new DeviceInfo(name, info.deviceName(), info.kind().name(), info.memoryBytes(),
                        "JVM".equals(info.runtime()) ? null : info.runtime()));
            }
        }
        Map<String, RunResults> runsByKernel = new LinkedHashMap<>();
        for (Map.Entry<String, List<RunRecord>> kernel : recordsByKernel.entrySet()) {
            TreeSet<Integer> sizes = new TreeSet<>();
            int heads = 1, d = 0, e = 0, repeats = 0;
            for (RunResult run : forward) {
                Shape s = Shape.of(run.getParams());
                sizes.add(s.n);
                heads = s.heads;
                d = s.d;
                e = s.e;
                repeats = run.getParams().getMeasurement().getCount();
            }
            String bandwidth = kernel.getKey().endsWith("bump")
                    ? String.format(Locale.ROOT, "%.1f x std of projected keys", Bandwidths.DEFAULT_FACTOR) : null;
            runsByKernel.put(kernel.getKey(), RunResults.of(runId, createdAt, "scripts/bench", machine, devices,
                    new RunConfig(List.copyOf(sizes), heads, d, e, repeats, backendNames, kernel.getKey(), bandwidth),
                    kernel.getValue(), List.of()));
        }
        return new BenchReport(runId, summary, runsByKernel, roofs);
    }

    /**
     * The layer suite's entries: the whole call and its dense part, projection and kernel, ms per call
     * from the aux counters, with the bytes each must move at least (read X and write q, k, v for the
     * dense part; read q and k and write s and t for the projection; the forward pass for the kernel).
     * d = e = hidden / heads, n = m = T, P = heads.
     */
    private static void layerEntries(Collection<RunResult> runs, Map<String, double[]> roofs, List<BenchEntry> entries) {
        for (RunResult run : runs) {
            BenchmarkParams params = run.getParams();
            String backend = params.getParam("backend"), kernel = params.getParam("kernel");
            int tokens = Integer.parseInt(params.getParam("tokens")), hidden = Integer.parseInt(params.getParam("hidden"));
            int heads = Integer.parseInt(params.getParam("heads")), d = hidden / heads;
            Map<String, Result> secondary = run.getSecondaryResults();
            double calls = secondary.containsKey("calls") ? secondary.get("calls").getScore() : 0;
            String name = name(params);
            double word = MinBytes.WORD;
            double[] bytes = {
                    word * 4.0 * tokens * hidden,                                   // dense: X in, q, k, v out
                    word * (2.0 * tokens * hidden + 2.0 * tokens * heads),          // projection: q, k in, s, t out
                    MinBytes.forward(heads, tokens, tokens, d, d)};                 // kernel
            String[] stages = {"layerDense", "layerProjection", "layerKernel"};
            String[] counters = {"denseNs", "projectionNs", "kernelNs"};
            entries.add(entry(name, backend, "layer", tokens, d, d, heads, run.getPrimaryResult().getScore(),
                    bytes[0] + bytes[1] + bytes[2], roofs, kernel));
            for (int i = 0; i < stages.length; i++) {
                Result counter = secondary.get(counters[i]);
                double millis = calls > 0 && counter != null ? counter.getScore() / calls / 1e6 : 0.0;
                entries.add(entry(name, backend, stages[i], tokens, d, d, heads, millis, bytes[i], roofs, kernel));
            }
        }
    }

    /** The records (and summary entries) of one kernel's forward runs, with speedups over that kernel's jvm-seq. */
    private static List<RunRecord> forwardRecords(List<RunResult> forward, Map<String, BackendInfo> infos,
                                                  Map<String, Validation> checks, Map<String, Double> softmaxMillis,
                                                  Map<String, double[]> roofs, List<BenchEntry> entries) {
        Map<String, Double> seqMillis = new LinkedHashMap<>();
        for (RunResult run : forward) {
            Shape s = Shape.of(run.getParams());
            if (s.backend.equals("jvm-seq")) {
                seqMillis.put(s.key().replaceFirst("^[^|]*", ""), run.getPrimaryResult().getScore());
            }
        }
        List<RunRecord> records = new ArrayList<>();
        for (RunResult run : forward) {
            Shape s = Shape.of(run.getParams());
            String benchmark = name(run.getParams());
            double total = run.getPrimaryResult().getScore();
            Map<String, Double> stageMillis = stageMillis(run);
            entries.add(entry(benchmark, s.backend, "forward", s.n, s.d, s.e, s.heads, total,
                    MinBytes.forward(s.heads, s.n, s.n, s.d, s.e), roofs, s.kernel));
            for (String stage : StageTimes.COMPUTE_KEYS) {
                entries.add(entry(benchmark, s.backend, stage, s.n, s.d, s.e, s.heads, stageMillis.get(stage),
                        MinBytes.of(stage, s.heads, s.n, s.n, s.d, s.e), roofs, s.kernel));
            }
            double transfers = stageMillis.get("transferIn") + stageMillis.get("transferOut");
            if (transfers > 0) {
                entries.add(entry(benchmark, s.backend, "forwardDevice", s.n, s.d, s.e, s.heads, total - transfers,
                        MinBytes.forward(s.heads, s.n, s.n, s.d, s.e), roofs, s.kernel));
                for (String stage : List.of("transferIn", "transferOut")) {
                    double bytes = MinBytes.of(stage, s.heads, s.n, s.n, s.d, s.e);
                    double millis = stageMillis.get(stage);
                    entries.add(new BenchEntry(benchmark, s.backend, stage, s.n, s.d, s.e, s.heads, millis, bytes,
                            millis > 0 ? bytes / (millis / 1e3) : 0, null, s.kernel));
                }
            }
            Validation check = checks.get(Validation.key(s.backend, s.kernel, s.heads, s.n, s.d, s.e));
            Double seq = seqMillis.get(s.key().replaceFirst("^[^|]*", ""));
            BackendInfo info = infos.get(s.backend);
            records.add(new RunRecord(s.backend, info == null ? s.backend : info.deviceName(), s.heads, s.n, s.n, s.d, s.e,
                    StageTimes.fromMillis(stageMillis), total, check == null ? null : check.firstCallMillis(),
                    softmaxMillis.get(s.key()), seq == null ? Double.NaN : seq / total,
                    check == null ? Double.NaN : check.relError(), check == null ? Double.NaN : check.maxAbsError(),
                    check == null ? Double.NaN : check.tolerance(),
                    check == null ? RunRecord.REFERENCE_SEQUENTIAL : check.reference(), check != null && check.pass()));
        }
        return records;
    }

    /** Writes bench-summary.json, and results.json with results.csv when the forward pass ran. */
    void write(Path folder) throws IOException {
        ResultsIO.writeBenchSummary(folder, summary);
        boolean first = true;
        for (Map.Entry<String, RunResults> kernel : runsByKernel.entrySet()) {
            // The first kernel's results sit in the run folder (the charts read them there); any other
            // kernel's in a folder named after it, so that `chart <run>/bump` renders them on their own.
            ResultsIO.write(first ? folder : folder.resolve(kernel.getKey()), kernel.getValue());
            first = false;
        }
    }

    /** The first call of every forward-pass configuration that left a check, with its measured parts. */
    private static List<FirstCall> firstCalls(List<RunResult> forward, Map<String, Validation> checks) {
        List<FirstCall> firstCalls = new ArrayList<>();
        for (RunResult r : forward) {
            Shape s = Shape.of(r.getParams());
            Validation check = checks.get(Validation.key(s.backend, s.kernel, s.heads, s.n, s.d, s.e));
            if (check == null) {
                continue;
            }
            Map<String, Double> parts = check.firstCallParts() == null ? Map.of() : check.firstCallParts();
            Double other = parts.isEmpty() ? null
                    : check.firstCallMillis() - parts.values().stream().mapToDouble(Double::doubleValue).sum();
            firstCalls.add(new FirstCall(s.backend, s.kernel, s.heads, s.n, s.d, s.e, check.firstCallMillis(),
                    check.setupMillis(), parts, other));
        }
        return firstCalls;
    }

    /** Forward-pass configurations whose first call failed the accuracy check (or left none). */
    long validationFailures() {
        return runsByKernel.values().stream().mapToLong(RunResults::failures).sum();
    }

    /** ms per call of each stage (transfers included), from the aux counters: Σ ns ÷ calls ÷ 10⁶. */
    private static Map<String, Double> stageMillis(RunResult run) {
        Map<String, Result> secondary = run.getSecondaryResults();
        Result calls = secondary.get("calls");
        double count = calls == null ? 0 : calls.getScore();
        Map<String, Double> millis = new LinkedHashMap<>();
        for (Map.Entry<String, String> counter : COUNTERS.entrySet()) {
            Result sum = secondary.get(counter.getValue());
            millis.put(counter.getKey(), count > 0 && sum != null ? sum.getScore() / count / 1e6 : 0.0);
        }
        return millis;
    }

    private static BenchEntry entry(String benchmark, String backend, String stage, int n, int d, int e, int heads,
                                    double millis, double minBytes, Map<String, double[]> roofs) {
        return entry(benchmark, backend, stage, n, d, e, heads, millis, minBytes, roofs, null);
    }

    private static BenchEntry entry(String benchmark, String backend, String stage, int n, int d, int e, int heads,
                                    double millis, double minBytes, Map<String, double[]> roofs, String kernel) {
        double rate = millis > 0 ? minBytes / (millis / 1e3) : 0;
        double roof = roof(roofs, backend);
        return new BenchEntry(benchmark, backend, stage, n, d, e, heads, millis, minBytes, rate,
                roof > 0 && rate > 0 ? rate / roof : null, kernel);
    }

    private static double roof(Map<String, double[]> roofs, String backend) {
        double[] both = roofs.get(backend);
        return both == null ? 0 : Math.max(both[0], both[1]);
    }

    /** "ForwardPassBench.forward" from the full method name. */
    private static String name(BenchmarkParams params) {
        String full = params.getBenchmark();
        int method = full.lastIndexOf('.');
        int type = full.lastIndexOf('.', method - 1);
        return full.substring(type + 1);
    }

    /** The compact table: forward pass per backend and n, then softmax, then the roofs. */
    public String table() {
        StringBuilder text = new StringBuilder();
        MachineInfo m = summary.machine();
        text.append(String.format(Locale.ROOT, "%nsliced-attention bench %s: %s, %d cores, JDK %s, TornadoVM %s%n", runId,
                m.cpuModel(), m.cores(), m.jdk(), m.tornadoVersion() == null ? "-" : m.tornadoVersion()));
        if (!roofs.isEmpty()) {
            text.append("memory roof (GB/s, copy / triad):");
            roofs.forEach((backend, both) -> text.append(String.format(Locale.ROOT, "  %s %.1f / %.1f", backend,
                    both[0] / 1e9, both[1] / 1e9)));
            text.append('\n');
        }
        for (Map.Entry<String, RunResults> kernel : runsByKernel.entrySet()) {
            RunResults runs = kernel.getValue();
            text.append("\nforward pass, kernel ").append(runs.config().kernelText())
                    .append(", ms per call; stage cells: ms (fraction of the backend's roof)\n");
            List<String> header = new ArrayList<>(List.of("backend", "n", "total", "device", "speedup", "tokens/s"));
            for (String stage : StageTimes.COMPUTE_KEYS) {
                header.add(stage);
            }
            header.add("transfers");
            header.add("check");
            List<List<String>> rows = new ArrayList<>();
            rows.add(header);
            for (RunRecord r : runs.runs()) {
                List<String> row = new ArrayList<>();
                row.add(r.backend());
                row.add(sizeText(r.n()));
                row.add(ms(r.totalMillis()));
                double transfers = r.stages().transferIn() + r.stages().transferOut();
                row.add(transfers > 0 ? ms(r.totalMillis() - transfers) : "-");
                row.add(Double.isNaN(r.speedupOverSeq()) ? "-" : String.format(Locale.ROOT, "%.2fx", r.speedupOverSeq()));
                row.add(String.format(Locale.ROOT, "%.3g", r.tokensPerSecond()));
                for (String stage : StageTimes.COMPUTE_KEYS) {
                    String cell = ms(r.stages().millis(stage));
                    Optional<Double> fraction = fraction(r, stage, kernel.getKey());
                    row.add(fraction.map(f -> cell + String.format(Locale.ROOT, " (%.0f%%)", 100 * f)).orElse(cell));
                }
                row.add(transfers > 0 ? ms(transfers) : "-");
                row.add(Double.isNaN(r.relError()) ? "none" : (r.pass() ? "ok " : "FAIL ")
                        + String.format(Locale.ROOT, "%.1e", r.relError()));
                rows.add(row);
            }
            appendColumns(text, rows);
        }
        List<BenchEntry> layer = summary.entries().stream().filter(x -> x.stage().equals("layer")).toList();
        if (!layer.isEmpty()) {
            text.append("\nlayer (B = 1, the authors' module; dense = q, k, v = X·Wᵀ + b), ms per call; dense and projection "
                    + "also in GFLOP/s\n");
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("backend", "kernel", "T", "total", "dense", "projection", "kernel stage"));
            for (BenchEntry x : layer) {
                int hidden = x.d() * x.heads();
                double denseFlops = 2.0 * 3 * x.n() * (double) hidden * hidden;
                double projectionFlops = x.kernel() != null && x.kernel().equals("relu")
                        ? 2.0 * 2 * x.n() * ((double) hidden * hidden + (double) hidden * x.heads())   // the MLP, mid = hidden
                        : 2.0 * 2 * x.n() * (double) hidden * x.heads();                          // the linear map
                rows.add(List.of(x.backend(), String.valueOf(x.kernel()), sizeText(x.n()), ms(x.millis()),
                        layerCell(x, "layerDense", denseFlops), layerCell(x, "layerProjection", projectionFlops),
                        layerCell(x, "layerKernel", 0)));
            }
            appendColumns(text, rows);
        }
        List<BenchEntry> softmax = summary.entries().stream().filter(x -> x.stage().equals("softmax")).toList();
        if (!softmax.isEmpty()) {
            text.append("\nsoftmax attention (the crossover baseline), ms per call\n");
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("backend", "n", "softmax", "sliced", "softmax/sliced"));
            RunResults runs = runResults();
            for (BenchEntry x : softmax) {
                Optional<RunRecord> sliced = runs.runs().stream()
                        .filter(r -> r.backend().equals(x.backend()) && r.n() == x.n() && r.d() == x.d() && r.e() == x.e())
                        .findFirst();
                rows.add(List.of(x.backend(), sizeText(x.n()), ms(x.millis()),
                        sliced.map(r -> ms(r.totalMillis())).orElse("-"),
                        sliced.map(r -> String.format(Locale.ROOT, "%.2f", x.millis() / r.totalMillis())).orElse("-")));
            }
            appendColumns(text, rows);
        }
        return text.toString();
    }

    /** "123 (45 GFLOP/s, 12%)": a layer part's ms, its compute rate when {@code flops} > 0, and its memory-roof fraction. */
    private String layerCell(BenchEntry total, String stage, double flops) {
        return summary.entries().stream()
                .filter(x -> x.stage().equals(stage) && x.backend().equals(total.backend()) && x.n() == total.n()
                        && java.util.Objects.equals(x.kernel(), total.kernel()))
                .findFirst().map(x -> ms(x.millis())
                        + (flops > 0 && x.millis() > 0 ? String.format(Locale.ROOT, " (%.1f GFLOP/s", flops / (x.millis() / 1e3) / 1e9)
                                + (x.roofFraction() == null ? ")" : String.format(Locale.ROOT, ", %.0f%% of memory roof)", 100 * x.roofFraction()))
                                : x.roofFraction() == null ? "" : String.format(Locale.ROOT, " (%.0f%%)", 100 * x.roofFraction())))
                .orElse("-");
    }

    private Optional<Double> fraction(RunRecord r, String stage, String kernel) {
        return summary.entries().stream()
                .filter(x -> kernel.equals(x.kernel()))
                .filter(x -> x.backend().equals(r.backend()) && x.stage().equals(stage) && x.n() == r.n()
                        && x.d() == r.d() && x.e() == r.e() && x.heads() == r.heads())
                .findFirst().map(BenchEntry::roofFraction);
    }

    private static void appendColumns(StringBuilder text, List<List<String>> rows) {
        int[] widths = new int[rows.get(0).size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                // Names left-aligned, numbers right-aligned.
                line.append(i == 0 ? String.format("%-" + widths[i] + "s", cell) : String.format("%" + widths[i] + "s", cell));
                line.append(i + 1 < row.size() ? "  " : "");
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
    }

    /** 2^k for powers of two from 2^10, else the number. */
    private static String sizeText(int n) {
        return n >= 1024 && Integer.bitCount(n) == 1 ? "2^" + Integer.numberOfTrailingZeros(n) : Integer.toString(n);
    }

    private static String ms(double millis) {
        if (millis >= 100) {
            return String.format(Locale.ROOT, "%.0f", millis);
        }
        if (millis >= 10) {
            return String.format(Locale.ROOT, "%.1f", millis);
        }
        if (millis >= 1) {
            return String.format(Locale.ROOT, "%.2f", millis);
        }
        return String.format(Locale.ROOT, "%.3f", millis);
    }

    /** The parameters every attention benchmark shares. */
    private record Shape(String backend, int n, int d, int e, int heads, String kernel) {
        static Shape of(BenchmarkParams params) {
            String kernel = params.getParam("kernel");
            return new Shape(params.getParam("backend"), Integer.parseInt(params.getParam("n")),
                    Integer.parseInt(params.getParam("d")), Integer.parseInt(params.getParam("e")),
                    Integer.parseInt(params.getParam("heads")), kernel == null ? "relu" : kernel);
        }

        String key() {
            return backend + "|" + n + "|" + d + "|" + e + "|" + heads;
        }
    }
}
