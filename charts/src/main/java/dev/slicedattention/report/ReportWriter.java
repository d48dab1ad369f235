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
import dev.slicedattention.results.RunConfig;
import dev.slicedattention.results.PeerResults;
import dev.slicedattention.results.ResultsIO;
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
        List<Figure> figures = List.of(
                new Figure(SpeedupChart.write(folder, results), "Speedup over jvm-seq",
                        "How many times faster each backend runs the whole forward pass (transfers included) "
                                + "than the sequential JVM pipeline at the same sequence length n. The dotted line "
                                + "is jvm-seq itself (1×). Rising lines mean the backend's parallelism pays off more "
                                + "as n grows; flat ones mean it is bound by a fixed cost (launches, transfers)."),
                new Figure(StageChart.write(folder, results), "Time per stage",
                        "Where the time goes at the largest n: the median time of each pipeline stage (projection, "
                                + "sort, prefix sum, rank, combine, and the host↔device copies of device backends) "
                                + "as stacked bars, in milliseconds on the left and as a share of the backend's time "
                                + "on the right. The label at the end of a bar is the whole pass."),
                new Figure(CrossoverChart.write(folder, results), "Sliced vs softmax attention",
                        "Time of the O(n log n) sliced pass (solid) and of O(n²) softmax attention (dashed) on the "
                                + "same backend and shapes, log-log. Where the lines cross is the crossover length n*: "
                                + "above it sliced attention is faster. n* is interpolated on the log-log scale between "
                                + "the two measured sizes that bracket the change."),
                new Figure(ErrorChart.write(folder, results), "Accuracy",
                        "Relative error max‖O − R‖∞ / max‖R‖∞ of each backend's float32 output against the float64 "
                                + "reference, log-log, with the tolerance each run was checked against. A red cross "
                                + "marks a run above its tolerance."),
                // Chart 5 on a single run compares the devices of this machine; `chart DIR...` compares machines.
                new Figure(deviceComparison.get(0), "Throughput per device",
                        "Queries per second of each backend (device) in this run, grouped by sequence length n: the "
                                + "same chart that `sliced-attention chart DIR...` draws across machines. Higher is better."),
                new Figure(deviceComparison.get(1), "Throughput per device and stage",
                        "Queries per second each stage alone would sustain on each backend, at the largest n the "
                                + "backends share: the stage with the shortest bar is the one that limits the pass."));

        Path gallery = KernelGallery.write(folder, results);
        Optional<BenchSection> bench = benchSection(folder);
        StringBuilder html = new StringBuilder(64 * 1024);
        String title = "Sliced ReLU attention — run " + nonBlank(results.runId(), "(no id)");
        head(html, title);
        html.append("<h1>").append(Html.escape(title)).append("</h1>\n");
        verdict(html, results);
        headline(html, results);

        html.append("<nav><strong>Contents:</strong> <a href=\"#charts\">charts</a> · <a href=\"#table\">results table</a>"
                + " · <a href=\"#machine\">machine and devices</a> · <a href=\"#kernels\">kernels</a>"
                + " · <a href=\"").append(Html.href(gallery.getFileName().toString())).append("\">kernel gallery</a>");
        if (bench.isPresent()) {
            html.append(" · <a href=\"#bench\">stage efficiency</a>");
        }
        html.append("</nav>\n");

        html.append("<h2 id=\"charts\">Charts</h2>\n");
        for (Figure figure : figures) {
            figure(html, figure);
        }

        html.append("<h2 id=\"table\">Results</h2>\n");
        resultsTable(html, results);
        dataLinks(html, folder);

        html.append("<h2 id=\"machine\">Machine and devices</h2>\n");
        machine(html, results.machine());
        devices(html, results.devices());
        config(html, results);

        html.append("<h2 id=\"kernels\">Kernels</h2>\n<p><a href=\"").append(Html.href(gallery.getFileName().toString()))
                .append("\"><strong>The kernel gallery</strong></a>: stage by stage, each kernel's Java beside the device code "
                        + "it became, with the sequential twin and this run's figures for the stage.");
        if (results.kernels().isEmpty()) {
            html.append(" This run had no device, so the gallery shows the Java side and says how to get the device code.");
        }
        html.append("</p>\n");
        if (!results.kernels().isEmpty()) {
            kernels(html, folder, results.kernels());
        }
        bench.ifPresent(section -> html.append(section.html()));
        peers(html, folder);
        footer(html);
        Path index = folder.resolve(INDEX_HTML);
        AtomicFiles.writeString(index, html.toString());
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
        StringBuilder html = new StringBuilder(32 * 1024);
        String title = "Sliced ReLU attention — comparison of " + inputs.size() + " run" + (inputs.size() == 1 ? "" : "s");
        head(html, title);
        html.append("<h1>").append(Html.escape(title)).append("</h1>\n");
        long failing = inputs.stream().filter(r -> !r.allPassed()).count();
        if (inputs.isEmpty()) {
            html.append("<p class=\"banner fail\">No results to compare.</p>\n");
        } else if (failing == 0) {
            html.append("<p class=\"banner pass\">PASS — every compared run passed its accuracy checks.</p>\n");
        } else {
            html.append("<p class=\"banner fail\">FAIL — ").append(failing).append(" of ").append(inputs.size())
                    .append(" compared runs had accuracy failures; see their own reports.</p>\n");
        }
        html.append("<p>Sequence lengths measured by every run: <strong>")
                .append(shared.isEmpty() ? "none — the runs share no size, so there is nothing to compare"
                        : Html.escape(String.join(", ", shared.stream().map(String::valueOf).toList())))
                .append("</strong>.</p>\n");

        html.append("<h2>Machines compared</h2>\n<table>\n<thead><tr><th>#</th><th>host</th><th>CPU</th><th>cores</th>"
                + "<th>memory</th><th>JDK</th><th>TornadoVM</th><th>devices</th><th>run</th><th>created</th>"
                + "<th>status</th></tr></thead>\n<tbody>\n");
        for (int i = 0; i < inputs.size(); i++) {
            RunResults input = inputs.get(i);
            MachineInfo m = input.machine();
            html.append("<tr><td>").append(i + 1).append("</td><td>").append(Html.escape(m == null ? "?" : m.hostname()))
                    .append("</td><td>").append(Html.escape(m == null ? "?" : m.cpuModel()))
                    .append("</td><td class=\"num\">").append(m == null ? "?" : m.cores())
                    .append("</td><td class=\"num\">").append(m == null ? "?" : Html.gib(m.memoryBytes()))
                    .append("</td><td>").append(Html.escape(m == null ? "?" : m.jdk() + " (" + m.jvmVendor() + ")"))
                    .append("</td><td>").append(Html.escape(m == null || m.tornadoVersion() == null ? "–" : m.tornadoVersion()))
                    .append("</td><td>");
            List<String> devices = new ArrayList<>();
            for (String backend : input.backends()) {
                String name = input.device(backend).map(DeviceInfo::deviceName).orElse("?");
                devices.add(backend + ": " + name);
            }
            html.append(Html.escape(String.join("; ", devices))).append("</td><td>");
            String runId = nonBlank(input.runId(), "?");
            Path report = sourceFolders == null ? null : sourceFolders.get(i).resolve(INDEX_HTML);
            if (report != null && Files.isRegularFile(report)) {
                String relative = outFolder.toAbsolutePath().normalize()
                        .relativize(report.toAbsolutePath().normalize()).toString();
                html.append("<a href=\"").append(Html.href(relative)).append("\">").append(Html.escape(runId))
                        .append("</a>");
            } else {
                html.append(Html.escape(runId));
            }
            html.append("</td><td>").append(Html.escape(input.createdAt())).append("</td><td>")
                    .append(input.allPassed() ? "<span class=\"pass\">PASS</span>" : "<span class=\"fail\">FAIL</span>")
                    .append("</td></tr>\n");
        }
        html.append("</tbody></table>\n");

        html.append("<h2>Charts</h2>\n");
        figure(html, new Figure(charts.get(0), "Throughput by device",
                "Queries per second (heads·m divided by the time of the whole forward pass, transfers included) of "
                        + "every device of every run, one bar group per sequence length that all runs measured. "
                        + "Higher is better."));
        figure(html, new Figure(charts.get(1), "Stage throughput by device",
                "The same throughput for each pipeline stage alone, at the largest shared sequence length: "
                        + "a short bar is the stage that limits that device."));

        html.append("<h2>Throughput table</h2>\n");
        throughputTable(html, inputs, shared);
        footer(html);
        Path index = outFolder.resolve(INDEX_HTML);
        AtomicFiles.writeString(index, html.toString());
        return index;
    }

    // ----------------------------------------------------------------------------------------

    private record Figure(ChartFiles files, String title, String explanation) {}

    private record BenchSection(String html) {}

    private static void head(StringBuilder html, String title) {
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(Html.escape(title)).append("</title>\n<style>\n").append(CSS)
                .append("</style>\n</head>\n<body>\n<main>\n");
    }

    private static void footer(StringBuilder html) {
        html.append("<footer>Written by sliced-attention-charts. Times are medians; charts are also available as SVG."
                + "</footer>\n</main>\n</body>\n</html>\n");
    }

    private static void verdict(StringBuilder html, RunResults results) {
        long failed = results.failures();
        int total = results.runs().size();
        if (total == 0) {
            html.append("<p class=\"banner fail\">No runs were recorded.</p>\n");
        } else if (results.allPassed() && failed == 0) {
            html.append("<p class=\"banner pass\">PASS — all ").append(total)
                    .append(" runs are within their accuracy tolerance.</p>\n");
        } else {
            html.append("<p class=\"banner fail\">FAIL — ").append(failed).append(" of ").append(total)
                    .append(" runs exceed their accuracy tolerance");
            List<String> which = new ArrayList<>();
            for (RunRecord run : results.runs()) {
                if (!run.pass()) {
                    which.add(run.backend() + " at n = " + run.n());
                }
            }
            if (!which.isEmpty()) {
                html.append(": ").append(Html.escape(String.join(", ", which.subList(0, Math.min(10, which.size())))));
                if (which.size() > 10) {
                    html.append(", …");
                }
            }
            html.append(".</p>\n");
        }
    }

    private static void headline(StringBuilder html, RunResults results) {
        List<String> items = new ArrayList<>();
        Optional<Integer> largest = results.largestN();
        if (largest.isPresent()) {
            int n = largest.get();
            RunRecord best = null;
            for (RunRecord run : results.runs()) {
                if (run.n() == n && (best == null || run.totalMillis() < best.totalMillis())) {
                    best = run;
                }
            }
            if (best != null) {
                items.add("Fastest at n = " + n + ": <strong>" + Html.escape(best.backend()) + "</strong>, "
                        + Html.millis(best.totalMillis()) + " ms (" + Html.factor(best.speedupOverSeq())
                        + " jvm-seq, " + Html.rate(best.tokensPerSecond()) + " queries)");
            }
        }
        for (Map.Entry<String, Optional<CrossoverChart.Crossover>> entry : CrossoverChart.crossovers(results).entrySet()) {
            if (entry.getValue().isPresent()) {
                items.add("Crossover with softmax: <strong>" + Html.escape(CrossoverChart.label(entry.getValue().get()))
                        + "</strong>");
            } else {
                items.add("No crossover with softmax within the measured sizes on " + Html.escape(entry.getKey()));
            }
        }
        html.append("<dl class=\"meta\">\n");
        meta(html, "created", Html.escape(results.createdAt()));
        meta(html, "command", "<code>" + Html.escape(results.command()) + "</code>");
        meta(html, "machine", Html.escape(machineSummary(results.machine())));
        html.append("</dl>\n");
        if (!items.isEmpty()) {
            html.append("<ul class=\"headline\">\n");
            for (String item : items) {
                html.append("<li>").append(item).append("</li>\n");
            }
            html.append("</ul>\n");
        }
    }

    private static void meta(StringBuilder html, String key, String valueHtml) {
        html.append("<dt>").append(Html.escape(key)).append("</dt><dd>").append(valueHtml).append("</dd>\n");
    }

    private static String machineSummary(MachineInfo m) {
        if (m == null) {
            return "unknown";
        }
        return nonBlank(m.cpuModel(), m.arch()) + ", " + m.cores() + " cores, " + Html.gib(m.memoryBytes())
                + " — " + m.hostname();
    }

    private static void figure(StringBuilder html, Figure figure) {
        String png = figure.files().png().getFileName().toString();
        String svg = figure.files().svg().getFileName().toString();
        html.append("<figure>\n<h3>").append(Html.escape(figure.title())).append("</h3>\n")
                .append("<img src=\"").append(Html.href(png)).append("\" width=\"1000\" height=\"600\" alt=\"")
                .append(Html.escape(figure.title())).append(" chart\">\n")
                .append("<figcaption>").append(Html.escape(figure.explanation()))
                .append(" <a href=\"").append(Html.href(svg)).append("\">SVG</a></figcaption>\n</figure>\n");
    }

    /** The end-to-end comparison of {@code scripts/bench --peers}, when the folder has one. */
    private static void peers(StringBuilder html, Path folder) {
        PeerResults peers;
        try {
            peers = ResultsIO.readPeers(folder);
        } catch (dev.slicedattention.results.ResultsFileException unreadable) {
            html.append("<p>peers.json could not be read: ").append(Html.escape(unreadable.getMessage())).append("</p>\n");
            return;
        }
        if (peers == null) {
            return;
        }
        Double numpy = peers.contenders().stream().filter(c -> c.name().startsWith("NumPy") && c.skipReason() == null)
                .map(PeerResults.Contender::wallSeconds).findFirst().orElse(null);
        html.append("<h2 id=\"peers\">End to end against peers</h2>\n<p>The same .npy files (n = m = ").append(peers.n())
                .append(", d = e = ").append(peers.d()).append(") through whole processes — start-up, reading, computing, "
                        + "writing — median of ").append(peers.rounds()).append(" paired rounds.</p>\n<table>\n<thead><tr>"
                        + "<th>contender</th><th>wall s</th><th>× NumPy</th><th>peak RSS MB</th><th>rel. error</th></tr></thead>\n<tbody>\n");
        for (PeerResults.Contender c : peers.contenders()) {
            html.append("<tr><td>").append(Html.escape(c.name())).append("</td>");
            if (c.skipReason() != null) {
                html.append("<td colspan=\"4\">skipped: ").append(Html.escape(c.skipReason())).append("</td></tr>\n");
                continue;
            }
            html.append("<td class=\"num\">").append(String.format(java.util.Locale.ROOT, "%.2f", c.wallSeconds()))
                    .append("</td><td class=\"num\">")
                    .append(numpy == null ? "–" : String.format(java.util.Locale.ROOT, "%.2f", c.wallSeconds() / numpy))
                    .append("</td><td class=\"num\">")
                    .append(c.maxRssMb() == null ? "–" : String.format(java.util.Locale.ROOT, "%.0f", c.maxRssMb()))
                    .append("</td><td class=\"num\">").append(Html.sci(c.relError())).append("</td></tr>\n");
        }
        html.append("</tbody></table>\n");
    }

    private static void resultsTable(StringBuilder html, RunResults results) {
        List<RunRecord> runs = new ArrayList<>(results.runs());
        List<String> order = results.backends();
        runs.sort(Comparator.comparingInt((RunRecord r) -> order.indexOf(r.backend())).thenComparingInt(RunRecord::n));
        boolean transfers = runs.stream().anyMatch(r -> r.stages().hasTransfers());
        boolean firstCall = runs.stream().anyMatch(r -> r.firstCallMillis() != null);
        boolean softmax = runs.stream().anyMatch(r -> r.softmaxMillis() != null);
        List<String> stages = transfers ? StageTimes.KEYS : StageTimes.COMPUTE_KEYS;
        if (runs.isEmpty()) {
            html.append("<p>No runs were recorded.</p>\n");
            return;
        }
        html.append("<div class=\"scroll\"><table class=\"results\">\n<thead><tr><th>backend</th><th>device</th>"
                + "<th>n</th><th>m</th><th>heads</th>");
        for (String stage : stages) {
            html.append("<th>").append(Html.escape(StageTimes.label(stage))).append(" ms</th>");
        }
        html.append("<th>total ms</th><th title=\"half the interquartile range of the timed calls, % of the median, and the "
                + "number of calls; ≈: too noisy to rank against another backend at this n\">spread</th>");
        if (firstCall) {
            html.append("<th>first call ms</th>");
        }
        if (softmax) {
            html.append("<th>softmax ms</th>");
        }
        html.append("<th>queries/s</th><th>speedup</th><th>rel. error</th><th>tolerance</th><th>reference</th>"
                + "<th>result</th></tr></thead>\n<tbody>\n");
        for (RunRecord r : runs) {
            html.append("<tr").append(r.pass() ? "" : " class=\"failrow\"").append("><td>").append(Html.escape(r.backend()))
                    .append("</td><td>").append(Html.escape(r.device())).append("</td><td class=\"num\">").append(r.n())
                    .append("</td><td class=\"num\">").append(r.m()).append("</td><td class=\"num\">").append(r.heads())
                    .append("</td>");
            for (String stage : stages) {
                html.append("<td class=\"num\">").append(Html.millis(r.stages().millis(stage))).append("</td>");
            }
            html.append("<td class=\"num\"><strong>").append(Html.millis(r.totalMillis())).append("</strong></td>")
                    .append("<td class=\"num\">").append(Html.escape(results.spreadText(r))).append("</td>");
            if (firstCall) {
                html.append("<td class=\"num\">").append(r.firstCallMillis() == null ? "–" : Html.millis(r.firstCallMillis()))
                        .append("</td>");
            }
            if (softmax) {
                html.append("<td class=\"num\">").append(r.softmaxMillis() == null ? "–" : Html.millis(r.softmaxMillis()))
                        .append("</td>");
            }
            html.append("<td class=\"num\">").append(Html.rate(r.tokensPerSecond())).append("</td><td class=\"num\">")
                    .append(Html.factor(r.speedupOverSeq())).append("</td><td class=\"num\">").append(Html.sci(r.relError()))
                    .append("</td><td class=\"num\">").append(Html.sci(r.tolerance())).append("</td><td>")
                    .append(Html.escape(r.reference())).append("</td><td>")
                    .append(r.pass() ? "<span class=\"pass\">PASS</span>" : "<span class=\"fail\">FAIL</span>")
                    .append("</td></tr>\n");
        }
        html.append("</tbody></table></div>\n");
    }

    private static void dataLinks(StringBuilder html, Path folder) {
        List<String> links = new ArrayList<>();
        for (String name : List.of(ResultsIO.RESULTS_JSON, ResultsIO.RESULTS_CSV, ResultsIO.BENCH_SUMMARY_JSON)) {
            if (Files.isRegularFile(folder.resolve(name))) {
                links.add("<a href=\"" + Html.href(name) + "\">" + Html.escape(name) + "</a>");
            }
        }
        if (!links.isEmpty()) {
            html.append("<p>Raw data: ").append(String.join(" · ", links)).append("</p>\n");
        }
    }

    private static void machine(StringBuilder html, MachineInfo m) {
        html.append("<table class=\"kv\">\n<tbody>\n");
        if (m == null) {
            html.append("<tr><th>machine</th><td>unknown</td></tr>\n");
        } else {
            row(html, "host", m.hostname());
            row(html, "operating system", m.os() + " (" + m.arch() + ")");
            row(html, "CPU", m.cpuModel());
            row(html, "cores", Integer.toString(m.cores()));
            row(html, "memory", Html.gib(m.memoryBytes()));
            row(html, "JDK", m.jdk() + " (" + m.jvmVendor() + ")");
            row(html, "TornadoVM", m.tornadoVersion() == null ? "not used" : m.tornadoVersion());
        }
        html.append("</tbody></table>\n");
    }

    private static void devices(StringBuilder html, List<DeviceInfo> devices) {
        if (devices.isEmpty()) {
            return;
        }
        html.append("<table>\n<thead><tr><th>backend</th><th>device</th><th>kind</th><th>memory</th>"
                + "<th>TornadoVM backend</th></tr></thead>\n<tbody>\n");
        for (DeviceInfo d : devices) {
            html.append("<tr><td>").append(Html.escape(d.backend())).append("</td><td>").append(Html.escape(d.deviceName()))
                    .append("</td><td>").append(Html.escape(d.kind())).append("</td><td class=\"num\">")
                    .append(Html.gib(d.memoryBytes())).append("</td><td>")
                    .append(Html.escape(d.tornadoBackend() == null ? "–" : d.tornadoBackend())).append("</td></tr>\n");
        }
        html.append("</tbody></table>\n");
    }

    private static void config(StringBuilder html, RunResults results) {
        RunConfig c = results.config();
        if (c == null) {
            return;
        }
        html.append("<p>Configuration: kernel ").append(Html.escape(c.kernelText()))
                .append(", sizes ").append(Html.escape(c.sizes().toString())).append(", heads ")
                .append(c.heads()).append(", d ").append(c.dim()).append(", e ").append(c.valueDim())
                .append(", ").append(c.repeats()).append(" timed repeats (medians shown), backends ")
                .append(Html.escape(String.join(", ", c.backends()))).append(".</p>\n");
    }

    private static void kernels(StringBuilder html, Path folder, List<KernelDump> kernels) {
        html.append("<p>Kernel code the device backends generated, dumped during the run.</p>\n<table>\n"
                + "<thead><tr><th>backend</th><th>stage</th><th>file</th></tr></thead>\n<tbody>\n");
        Path root = folder.toAbsolutePath().normalize();
        for (KernelDump k : kernels) {
            html.append("<tr><td>").append(Html.escape(k.backend())).append("</td><td>").append(Html.escape(k.stage()))
                    .append("</td><td>");
            String file = k.file() == null ? "" : k.file();
            Path target = file.isEmpty() ? null : root.resolve(file).normalize();
            if (target != null && target.startsWith(root) && Files.isRegularFile(target)) {
                html.append("<a href=\"").append(Html.href(root.relativize(target).toString())).append("\">")
                        .append(Html.escape(file)).append("</a>");
            } else {
                html.append(Html.escape(file)).append(" <em>(file not found in the results folder)</em>");
            }
            html.append("</td></tr>\n");
        }
        html.append("</tbody></table>\n");
    }

    private static Optional<BenchSection> benchSection(Path folder) {
        Path file = folder.resolve(ResultsIO.BENCH_SUMMARY_JSON);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        StringBuilder html = new StringBuilder();
        html.append("<h2 id=\"bench\">Stage efficiency (JMH)</h2>\n");
        BenchSummary summary;
        try {
            summary = ResultsIO.readBenchSummary(file);
        } catch (ResultsFileException e) {
            html.append("<p class=\"fail\">").append(Html.escape(e.getMessage())).append("</p>\n");
            return Optional.of(new BenchSection(html.toString()));
        }
        html.append("<p>Fraction of the memory roof each stage reaches: the bytes it must at least move, divided by "
                + "its time, relative to the backend's measured copy/triad bandwidth. At the largest n benchmarked per "
                + "backend and stage; 100 % would be a stage running at memory speed.</p>\n");
        // backend → stage → entry at the largest n
        Map<String, Map<String, BenchEntry>> table = new LinkedHashMap<>();
        Set<String> stages = new LinkedHashSet<>();
        Map<String, List<BenchEntry>> roofs = new LinkedHashMap<>();
        for (BenchEntry e : summary.entries()) {
            if (e.roofProbe()) {
                roofs.computeIfAbsent(e.backend(), b -> new ArrayList<>()).add(e);
                continue;
            }
            stages.add(e.stage());
            table.computeIfAbsent(e.backend(), b -> new TreeMap<>())
                    .merge(e.stage(), e, (a, b) -> b.n() > a.n() ? b : a);
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
        if (table.isEmpty()) {
            html.append("<p>The benchmark summary has no stage entries.</p>\n");
        } else {
            html.append("<div class=\"scroll\"><table>\n<thead><tr><th>backend</th>");
            for (String s : stageOrder) {
                html.append("<th>").append(Html.escape(StageTimes.KEYS.contains(s) ? StageTimes.label(s) : s)).append("</th>");
            }
            html.append("</tr></thead>\n<tbody>\n");
            for (Map.Entry<String, Map<String, BenchEntry>> row : table.entrySet()) {
                html.append("<tr><td>").append(Html.escape(row.getKey())).append("</td>");
                for (String s : stageOrder) {
                    BenchEntry e = row.getValue().get(s);
                    if (e == null) {
                        html.append("<td class=\"num\">–</td>");
                    } else {
                        html.append("<td class=\"num\" title=\"").append(Html.escape(e.benchmark() + ", n = " + e.n()
                                        + ", " + Html.millis(e.millis()) + " ms, " + Html.gbPerSecond(e.bytesPerSecond())))
                                .append("\">")
                                .append(e.roofFraction() == null ? "–" : Html.percent(e.roofFraction()))
                                .append("<br><small>").append(Html.gbPerSecond(e.bytesPerSecond())).append(", n = ")
                                .append(e.n()).append("</small></td>");
                    }
                }
                html.append("</tr>\n");
            }
            html.append("</tbody></table></div>\n");
        }
        if (!roofs.isEmpty()) {
            html.append("<p>Memory roofs measured: ");
            List<String> parts = new ArrayList<>();
            for (Map.Entry<String, List<BenchEntry>> entry : roofs.entrySet()) {
                for (BenchEntry e : entry.getValue()) {
                    parts.add(Html.escape(entry.getKey() + " " + e.stage() + " " + Html.gbPerSecond(e.bytesPerSecond())));
                }
            }
            html.append(String.join(" · ", parts)).append(".</p>\n");
        }
        return Optional.of(new BenchSection(html.toString()));
    }

    private static void throughputTable(StringBuilder html, List<RunResults> inputs, List<Integer> shared) {
        if (shared.isEmpty()) {
            html.append("<p>No shared sequence length.</p>\n");
            return;
        }
        Map<ComparisonChart.DeviceKey, String> labels = ComparisonChart.deviceLabels(inputs);
        html.append("<div class=\"scroll\"><table>\n<thead><tr><th>device</th>");
        for (int n : shared) {
            html.append("<th>n = ").append(n).append("</th>");
        }
        html.append("</tr></thead>\n<tbody>\n");
        for (Map.Entry<ComparisonChart.DeviceKey, String> entry : labels.entrySet()) {
            RunResults input = inputs.get(entry.getKey().input());
            html.append("<tr><td>").append(Html.escape(entry.getValue())).append("</td>");
            for (int n : shared) {
                Optional<RunRecord> run = input.record(entry.getKey().backend(), n);
                html.append("<td class=\"num\">").append(run.map(r -> Html.rate(r.tokensPerSecond()) + "<br><small>"
                        + Html.millis(r.totalMillis()) + " ms</small>").orElse("–")).append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("</tbody></table></div>\n");
    }

    private static void row(StringBuilder html, String key, String value) {
        html.append("<tr><th>").append(Html.escape(key)).append("</th><td>").append(Html.escape(value)).append("</td></tr>\n");
    }

    private static String nonBlank(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    static final String CSS = """
            :root { color-scheme: light; }
            body { margin: 0; background: #f6f7f9; color: #1d232b;
                   font: 15px/1.5 "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; }
            main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
            h1 { font-size: 26px; margin: 0 0 12px; }
            h2 { font-size: 21px; margin: 36px 0 10px; border-bottom: 1px solid #dde1e6; padding-bottom: 4px; }
            h3 { font-size: 17px; margin: 0 0 6px; }
            code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px;
                   background: #f0f2f5; padding: 1px 4px; border-radius: 3px; word-break: break-all; }
            .banner { font-size: 18px; font-weight: bold; padding: 12px 16px; border-radius: 6px; margin: 8px 0 16px; }
            .banner.pass { background: #e3f4e6; color: #145a24; border: 1px solid #9fd3aa; }
            .banner.fail { background: #fde8e8; color: #8a1010; border: 1px solid #f0a8a8; }
            span.pass { color: #176b2c; font-weight: bold; }
            span.fail, p.fail { color: #b00000; font-weight: bold; }
            tr.failrow td { background: #fff1f1; }
            dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0 0 10px; }
            dl.meta dt { font-weight: bold; color: #555; }
            dl.meta dd { margin: 0; }
            ul.headline { background: #f3f6fb; border-left: 4px solid #3182bd; padding: 8px 12px 8px 32px; }
            nav { margin: 12px 0; color: #444; }
            figure { margin: 18px 0 28px; }
            figure img { display: block; max-width: 100%; height: auto; border: 1px solid #dde1e6; }
            figcaption { margin-top: 6px; color: #444; max-width: 1000px; }
            table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
            th, td { border: 1px solid #dde1e6; padding: 4px 8px; text-align: left; vertical-align: top; }
            thead th { background: #eef1f5; position: sticky; top: 0; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
            table.kv th { background: #f6f7f9; width: 170px; }
            .scroll { overflow-x: auto; }
            small { color: #666; }
            footer { margin-top: 40px; color: #777; font-size: 13px; }
            a { color: #1d5fa8; }
            """;
}
