package dev.slicedattention.report;

import dev.slicedattention.charts.ChartFiles;
import dev.slicedattention.charts.ComparisonChart;
import dev.slicedattention.charts.CrossoverChart;
import dev.slicedattention.charts.ErrorChart;
import dev.slicedattention.charts.SpeedupChart;
import dev.slicedattention.charts.StageChart;
import dev.slicedattention.io.AtomicFiles;
import dev.slicedattention.results.BenchEntry;
import dev.slicedattention.results.BenchSummary;
import dev.slicedattention.results.DeviceInfo;
import dev.slicedattention.results.KernelDump;
import dev.slicedattention.results.MachineInfo;
import dev.slicedattention.results.ResultsFileException;
import dev.slicedattention.results.ResultsIO;
import dev.slicedattention.results.PeerResults;
import dev.slicedattention.results.RunRecord;
import dev.slicedattention.results.RunResults;
import dev.slicedattention.results.StageTimes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes a run's report: the five charts (PNG + SVG), one self-contained {@code index.html}
 * (inline CSS, no script, no network) and the kernel gallery {@code kernels.html}
 * ({@link KernelGallery}) into the run's results folder; and the comparison of several runs into a
 * folder of its own. Every file is written atomically.
 *
 * <p>This class gathers and computes what the pages show ({@link ReportPage}, {@link ComparisonPage});
 * their markup is in the templates {@code src/main/jte/report/index.jte} and {@code comparison.jte}.
 */
public final class ReportWriter {
    public static final String INDEX_HTML = "index.html";

    private ReportWriter() {}

    /** Reads {@code folder/results.json} and writes the report beside it. */
    public static Path write(Path folder) throws IOException {
        return write(folder, ResultsIO.read(folder));
    }

    /**
     * Renders speedup, stages, crossover and error charts (PNG + SVG) into {@code folder} and
     * writes {@code folder/index.html}. When {@code folder/bench-summary.json} exists, the page
     * gets a stage-efficiency section from it.
     *
     * @return the path of index.html
     */
    public static Path write(Path folder, RunResults results) throws IOException {
        Objects.requireNonNull(results, "results");
        Files.createDirectories(folder);
        List<ChartFiles> deviceComparison = ComparisonChart.write(folder, List.of(results));
        // Chart 5 on a single run compares the devices of this machine; `chart DIR...` compares machines.
        ReportPage.Charts charts = new ReportPage.Charts(chart(SpeedupChart.write(folder, results)),
                chart(StageChart.write(folder, results)), chart(CrossoverChart.write(folder, results)),
                chart(ErrorChart.write(folder, results)), chart(deviceComparison.get(0)), chart(deviceComparison.get(1)));
        Path gallery = KernelGallery.write(folder, results);
        ReportPage page = new ReportPage("Sliced ReLU attention — run " + nonBlank(results.runId(), "(no id)"),
                verdict(results), results.createdAt(), results.command(), machineSummary(results.machine()),
                fastest(results), crossovers(results), Html.href(gallery.getFileName().toString()), charts,
                resultsTable(results), dataFiles(folder), machine(results.machine()), results.devices(), results.config(),
                kernelFiles(folder, results.kernels()), bench(folder), peers(folder));
        Path index = folder.resolve(INDEX_HTML);
        AtomicFiles.writeString(index, Pages.render(Pages.TEMPLATES.reportIndex(page)));
        return index;
    }

    /** Reads each folder's results.json and writes the comparison, linking to each folder's own report. */
    public static Path writeComparisonOfFolders(Path outFolder, List<Path> resultFolders) throws IOException {
        List<RunResults> inputs = new ArrayList<>();
        for (Path folder : resultFolders) {
            inputs.add(ResultsIO.read(folder));
        }
        return writeComparison(outFolder, inputs, resultFolders);
    }

    /**
     * Writes comparison.png/.svg and comparison-stages.png/.svg and an index.html listing the
     * machines compared into {@code outFolder}.
     *
     * @return the path of index.html
     */
    public static Path writeComparison(Path outFolder, List<RunResults> inputs) throws IOException {
        return writeComparison(outFolder, inputs, null);
    }

    private static Path writeComparison(Path outFolder, List<RunResults> inputs, List<Path> sourceFolders)
            throws IOException {
        Objects.requireNonNull(inputs, "inputs");
        Files.createDirectories(outFolder);
        List<ChartFiles> charts = ComparisonChart.write(outFolder, inputs);
        List<Integer> shared = ComparisonChart.sharedSizes(inputs);
        List<ComparisonPage.MachineRow> machines = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            RunResults input = inputs.get(i);
            List<String> devices = new ArrayList<>();
            for (String backend : input.backends()) {
                devices.add(backend + ": " + input.device(backend).map(DeviceInfo::deviceName).orElse("?"));
            }
            Path report = sourceFolders == null ? null : sourceFolders.get(i).resolve(INDEX_HTML);
            String href = null;
            if (report != null && Files.isRegularFile(report)) {
                href = Html.href(outFolder.toAbsolutePath().normalize()
                        .relativize(report.toAbsolutePath().normalize()).toString());
            }
            machines.add(new ComparisonPage.MachineRow(i + 1, input.machine(), devices, nonBlank(input.runId(), "?"), href,
                    input.createdAt(), input.allPassed()));
        }
        ComparisonPage page = new ComparisonPage(
                "Sliced ReLU attention — comparison of " + inputs.size() + " run" + (inputs.size() == 1 ? "" : "s"),
                inputs.size(), inputs.stream().filter(r -> !r.allPassed()).count(), shared, machines,
                chart(charts.get(0)), chart(charts.get(1)), throughput(inputs, shared));
        Path index = outFolder.resolve(INDEX_HTML);
        AtomicFiles.writeString(index, Pages.render(Pages.TEMPLATES.reportComparison(page)));
        return index;
    }

    // ---------------------------------------------------------------------------------------- the page's data

    private static ReportPage.Chart chart(ChartFiles files) {
        return new ReportPage.Chart(Html.href(files.png().getFileName().toString()),
                Html.href(files.svg().getFileName().toString()));
    }

    private static ReportPage.Verdict verdict(RunResults results) {
        List<String> failing = new ArrayList<>();
        for (RunRecord run : results.runs()) {
            if (!run.pass()) {
                failing.add(run.backend() + " at n = " + run.n());
            }
        }
        return new ReportPage.Verdict(results.runs().size(), results.failures(), results.allPassed(),
                failing.subList(0, Math.min(10, failing.size())), failing.size() > 10);
    }

    private static ReportPage.Fastest fastest(RunResults results) {
        Optional<Integer> largest = results.largestN();
        if (largest.isEmpty()) {
            return null;
        }
        RunRecord best = null;
        for (RunRecord run : results.runs()) {
            if (run.n() == largest.get() && (best == null || run.totalMillis() < best.totalMillis())) {
                best = run;
            }
        }
        return best == null ? null : new ReportPage.Fastest(largest.get(), best);
    }

    private static List<ReportPage.Crossover> crossovers(RunResults results) {
        List<ReportPage.Crossover> list = new ArrayList<>();
        for (Map.Entry<String, Optional<CrossoverChart.Crossover>> entry : CrossoverChart.crossovers(results).entrySet()) {
            list.add(new ReportPage.Crossover(entry.getKey(), entry.getValue().map(CrossoverChart::label).orElse(null)));
        }
        return list;
    }

    private static String machineSummary(MachineInfo m) {
        if (m == null) {
            return "unknown";
        }
        return nonBlank(m.cpuModel(), m.arch()) + ", " + m.cores() + " cores, " + Html.gib(m.memoryBytes())
                + " — " + m.hostname();
    }

    private static ReportPage.ResultsTable resultsTable(RunResults results) {
        List<RunRecord> runs = new ArrayList<>(results.runs());
        List<String> order = results.backends();
        runs.sort(Comparator.comparingInt((RunRecord r) -> order.indexOf(r.backend())).thenComparingInt(RunRecord::n));
        boolean transfers = runs.stream().anyMatch(r -> r.stages().hasTransfers());
        List<String> stages = transfers ? StageTimes.KEYS : StageTimes.COMPUTE_KEYS;
        List<ReportPage.ResultRow> rows = new ArrayList<>();
        for (RunRecord r : runs) {
            rows.add(new ReportPage.ResultRow(r, results.spreadText(r)));
        }
        return new ReportPage.ResultsTable(stages, stages.stream().map(StageTimes::label).toList(),
                runs.stream().anyMatch(r -> r.firstCallMillis() != null), runs.stream().anyMatch(r -> r.softmaxMillis() != null),
                rows);
    }

    private static List<String> dataFiles(Path folder) {
        List<String> files = new ArrayList<>();
        for (String name : List.of(ResultsIO.RESULTS_JSON, ResultsIO.RESULTS_CSV, ResultsIO.BENCH_SUMMARY_JSON)) {
            if (Files.isRegularFile(folder.resolve(name))) {
                files.add(name);
            }
        }
        return files;
    }

    private static List<ReportPage.Row> machine(MachineInfo m) {
        if (m == null) {
            return List.of(new ReportPage.Row("machine", "unknown"));
        }
        return List.of(new ReportPage.Row("host", m.hostname()),
                new ReportPage.Row("operating system", m.os() + " (" + m.arch() + ")"),
                new ReportPage.Row("CPU", m.cpuModel()),
                new ReportPage.Row("cores", Integer.toString(m.cores())),
                new ReportPage.Row("memory", Html.gib(m.memoryBytes())),
                new ReportPage.Row("JDK", m.jdk() + " (" + m.jvmVendor() + ")"),
                new ReportPage.Row("TornadoVM", m.tornadoVersion() == null ? "not used" : m.tornadoVersion()));
    }

    /** The run's kernel files, linked where the file lies inside the results folder. */
    private static List<ReportPage.KernelFile> kernelFiles(Path folder, List<KernelDump> kernels) {
        Path root = folder.toAbsolutePath().normalize();
        List<ReportPage.KernelFile> files = new ArrayList<>();
        for (KernelDump k : kernels) {
            String file = k.file() == null ? "" : k.file();
            Path target = file.isEmpty() ? null : root.resolve(file).normalize();
            String href = target != null && target.startsWith(root) && Files.isRegularFile(target)
                    ? Html.href(root.relativize(target).toString()) : null;
            files.add(new ReportPage.KernelFile(k.backend(), k.stage(), file, href));
        }
        return files;
    }

    private static ReportPage.Bench bench(Path folder) {
        Path file = folder.resolve(ResultsIO.BENCH_SUMMARY_JSON);
        if (!Files.exists(file)) {
            return null;
        }
        BenchSummary summary;
        try {
            summary = ResultsIO.readBenchSummary(file);
        } catch (ResultsFileException e) {
            return new ReportPage.Bench(e.getMessage(), List.of(), List.of(), List.of());
        }
        // backend → stage → entry at the largest n
        Map<String, Map<String, BenchEntry>> table = new LinkedHashMap<>();
        Set<String> stages = new LinkedHashSet<>();
        Map<String, List<BenchEntry>> roofEntries = new LinkedHashMap<>();
        for (BenchEntry e : summary.entries()) {
            if (e.roofProbe()) {
                roofEntries.computeIfAbsent(e.backend(), b -> new ArrayList<>()).add(e);
                continue;
            }
            stages.add(e.stage());
            table.computeIfAbsent(e.backend(), b -> new TreeMap<>())
                    .merge(e.stage(), e, (a, b) -> b.n() > a.n() ? b : a);
        }
        List<String> roofs = new ArrayList<>();
        for (Map.Entry<String, List<BenchEntry>> entry : roofEntries.entrySet()) {
            for (BenchEntry e : entry.getValue()) {
                roofs.add(entry.getKey() + " " + e.stage() + " " + Html.gbPerSecond(e.bytesPerSecond()));
            }
        }
        List<String> stageOrder = new ArrayList<>();
        for (String s : BenchEntry.STAGES) {
            if (stages.contains(s)) {
                stageOrder.add(s);
            }
        }
        for (String s : stages) {
            if (!stageOrder.contains(s)) {
                stageOrder.add(s);
            }
        }
        List<ReportPage.BenchRow> rows = new ArrayList<>();
        for (Map.Entry<String, Map<String, BenchEntry>> row : table.entrySet()) {
            List<BenchEntry> cells = new ArrayList<>();
            for (String s : stageOrder) {
                cells.add(row.getValue().get(s));
            }
            rows.add(new ReportPage.BenchRow(row.getKey(), cells));
        }
        return new ReportPage.Bench(null,
                stageOrder.stream().map(s -> StageTimes.KEYS.contains(s) ? StageTimes.label(s) : s).toList(), rows, roofs);
    }

    /** The end-to-end comparison of {@code scripts/bench --peers}, when the folder has one. */
    private static ReportPage.Peers peers(Path folder) {
        PeerResults peers;
        try {
            peers = ResultsIO.readPeers(folder);
        } catch (ResultsFileException unreadable) {
            return new ReportPage.Peers(unreadable.getMessage(), null, null);
        }
        if (peers == null) {
            return null;
        }
        Double numpy = peers.contenders().stream().filter(c -> c.name().startsWith("NumPy") && c.skipReason() == null)
                .map(PeerResults.Contender::wallSeconds).findFirst().orElse(null);
        return new ReportPage.Peers(null, peers, numpy);
    }

    private static List<ComparisonPage.ThroughputRow> throughput(List<RunResults> inputs, List<Integer> shared) {
        List<ComparisonPage.ThroughputRow> rows = new ArrayList<>();
        for (Map.Entry<ComparisonChart.DeviceKey, String> entry : ComparisonChart.deviceLabels(inputs).entrySet()) {
            RunResults input = inputs.get(entry.getKey().input());
            List<RunRecord> cells = new ArrayList<>();
            for (int n : shared) {
                cells.add(input.record(entry.getKey().backend(), n).orElse(null));
            }
            rows.add(new ComparisonPage.ThroughputRow(entry.getValue(), cells));
        }
        return rows;
    }

    private static String nonBlank(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
