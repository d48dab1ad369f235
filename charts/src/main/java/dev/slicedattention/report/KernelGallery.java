package dev.slicedattention.report;

import dev.slicedattention.io.AtomicFiles;
import dev.slicedattention.report.DeviceCode.Mark;
import dev.slicedattention.report.JavaSources.Snippet;
import dev.slicedattention.report.JavaSources.SourceFile;
import dev.slicedattention.report.JavaSources.TaskRef;
import dev.slicedattention.report.KernelCatalog.Graph;
import dev.slicedattention.report.KernelCatalog.Stage;
import dev.slicedattention.report.KernelCatalog.Task;
import dev.slicedattention.report.KernelCatalog.TwinMethod;
import dev.slicedattention.report.KernelCatalog.Variant;
import dev.slicedattention.results.BenchEntry;
import dev.slicedattention.results.BenchSummary;
import dev.slicedattention.results.KernelDump;
import dev.slicedattention.results.KernelLaunch;
import dev.slicedattention.results.ResultsFileException;
import dev.slicedattention.results.ResultsIO;
import dev.slicedattention.results.RunRecord;
import dev.slicedattention.results.RunResults;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes {@code kernels.html}, the kernel gallery of a run: stage by stage, each device kernel's
 * Java method (the {@code @Parallel} loop or {@code KernelContext} kernel, with its comment and the
 * task-graph line that launches it) beside the device code TornadoVM generated for it in this run,
 * both syntax-highlighted, with the lines that show where the device code came from marked and
 * anchored; each stage's sequential twin; and what the run measured for the stage.
 *
 * <p>The Java comes from the jars (see {@link JavaSources}): what is shown is the packaged source,
 * and the TornadoVM jar's own copy whenever it is on the class path. Without a device the page
 * shows the Java kernels and the twins and says how to get the device column.
 *
 * <p>The page is one self-contained file: inline CSS, the highlighter inlined from its WebJar
 * ({@link Highlighter}), a Content-Security-Policy that forbids every network request. Without
 * JavaScript it still shows all code, plain, with its marks.
 */
public final class KernelGallery {
    public static final String FILE = "kernels.html";

    private KernelGallery() {}

    /** A dumped graph file of the run. */
    record Dump(String stem, String backend, String relative, String fileName, String text, DeviceCode.Language language,
                List<DeviceCode.Kernel> kernels) {}

    /** One kernel to show: its task (catalogue or dump), its Java, its device code (or none). */
    private record Entry(Task task, DeviceCode.Kernel device, boolean catalogued) {}

    /** Everything the page is built from. */
    private static final class Context {
        final Path folder;
        final RunResults results;
        final String kernel;
        /** Causal mode (SPEC §5): the results name the kernel "causal relu" or "causal bump". */
        final boolean causal;
        /** The attention kernel without the mode, "relu" or "bump": which of the catalogue's graphs it shares. */
        final String attention;
        final Map<String, Dump> dumps = new LinkedHashMap<>();
        final List<Dump> otherDumps = new ArrayList<>();
        final Map<String, Optional<SourceFile>> kernelSources = new TreeMap<>();
        final Optional<SourceFile> plan;
        final Set<String> sourceOrigins = new LinkedHashSet<>();
        BenchSummary bench;
        String benchProblem;
        List<KernelLaunch> launches = List.of();
        String launchProblem;
        int blocks;

        Context(Path folder, RunResults results) {
            this.folder = folder;
            this.results = results;
            this.kernel = results.config() == null ? "relu" : results.config().kernel();
            this.causal = kernel.startsWith("causal");
            this.attention = causal ? kernel.substring("causal".length()).strip() : kernel;
            this.plan = JavaSources.forwardPlan();
        }

        Optional<SourceFile> kernelSource(String className) {
            Optional<SourceFile> source = kernelSources.computeIfAbsent(className, JavaSources::kernel);
            source.ifPresent(s -> sourceOrigins.add(s.origin()));
            return source;
        }

        /** The kernel classes known: the catalogue's and those ForwardPlan imports. */
        List<String> kernelClasses() {
            Set<String> names = new LinkedHashSet<>();
            for (Stage stage : KernelCatalog.STAGES) {
                for (Graph graph : stage.graphs()) {
                    for (Task task : graph.tasks()) {
                        names.add(task.kernelClass());
                    }
                }
            }
            plan.ifPresent(p -> names.addAll(JavaSources.importedKernelClasses(p)));
            names.addAll(JavaSources.kernelClassNames());
            return List.copyOf(names);
        }

        /** The class holding a kernel method of this name, searched in the known kernel classes. */
        Optional<String> classOfMethod(String method) {
            for (String name : kernelClasses()) {
                Optional<SourceFile> source = kernelSource(name);
                if (source.isPresent() && JavaSources.method(source.get(), method).isPresent()) {
                    return Optional.of(name);
                }
            }
            return Optional.empty();
        }

        /** Whether the run dumped causal mode's own graphs ({@link #isCausal}). */
        boolean hasCausalDumps() {
            return dumps.values().stream().anyMatch(KernelGallery::isCausal);
        }

        String nextId(String base) {
            return base + "-" + (++blocks);
        }
    }

    /**
     * Writes {@code folder/kernels.html} for {@code results} (their kernel dumps are read from the
     * folder; a {@code bench-summary.json} beside them adds bytes and roof fractions).
     *
     * @return the page's path
     */
    public static Path write(Path folder, RunResults results) throws IOException {
        Files.createDirectories(folder);
        Context context = new Context(folder, results);
        readDumps(context);
        readBench(context);
        readLaunches(context);
        StringBuilder html = new StringBuilder(256 * 1024);
        page(html, context);
        Path page = folder.resolve(FILE);
        AtomicFiles.writeString(page, html.toString());
        return page;
    }

    // ---------------------------------------------------------------------------------------- inputs

    private static void readDumps(Context context) throws IOException {
        Path root = context.folder.toAbsolutePath().normalize();
        for (KernelDump dump : context.results.kernels()) {
            String file = dump.file() == null ? "" : dump.file();
            if (file.isEmpty()) {
                continue;
            }
            Path target = root.resolve(file).normalize();
            if (!target.startsWith(root) || !Files.isRegularFile(target)) {
                continue;
            }
            String text = Files.readString(target, StandardCharsets.UTF_8);
            String name = target.getFileName().toString();
            String stem = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
            Dump d = new Dump(stem, dump.backend(), root.relativize(target).toString().replace('\\', '/'), name, text,
                    DeviceCode.language(name, text), DeviceCode.kernels(name, text, stem));
            if (context.dumps.containsKey(stem)) {
                context.otherDumps.add(d);
            } else {
                context.dumps.put(stem, d);
            }
        }
    }

    private static void readLaunches(Context context) {
        try {
            context.launches = ResultsIO.readKernelLaunches(context.folder.resolve("kernels"));
        } catch (ResultsFileException e) {
            context.launchProblem = e.getMessage();
        }
    }

    /** The recorded launches of a kernel: same file and name, and the same task where both name one. */
    private static List<KernelLaunch> launchesOf(Context c, Graph graph, Task task) {
        List<KernelLaunch> found = new ArrayList<>();
        for (KernelLaunch launch : c.launches) {
            if (graph.file().equals(launch.file()) && task.method().equals(launch.kernel())
                    && (launch.task() == null || task.task() == null || launch.task().equals(task.task()))) {
                found.add(launch);
            }
        }
        return found;
    }

    private static String dimensions(List<Long> sizes) {
        if (sizes == null || sizes.isEmpty()) {
            return "chosen by the driver";
        }
        List<String> parts = new ArrayList<>();
        for (Long size : sizes) {
            parts.add(String.valueOf(size));
        }
        return String.join(" × ", parts);
    }

    private static void readBench(Context context) {
        Path file = context.folder.resolve(ResultsIO.BENCH_SUMMARY_JSON);
        if (!Files.isRegularFile(file)) {
            return;
        }
        try {
            context.bench = ResultsIO.readBenchSummary(file);
        } catch (ResultsFileException e) {
            context.benchProblem = e.getMessage();
        }
    }

    // ---------------------------------------------------------------------------------------- page

    private static void page(StringBuilder html, Context c) {
        String title = "Kernel gallery — run " + (c.results.runId() == null ? "(no id)" : c.results.runId());
        String script;
        String prismCss;
        String credit;
        try {
            script = Highlighter.script();
            prismCss = Highlighter.css();
            credit = Highlighter.credit();
        } catch (RuntimeException missing) {
            script = "";
            prismCss = "";
            credit = "Syntax highlighting unavailable: " + missing.getMessage();
        }
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                        + "script-src 'unsafe-inline'; style-src 'unsafe-inline'\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(Html.escape(title)).append("</title>\n<style>\n").append(ReportWriter.CSS)
                .append(prismCss).append('\n').append(CSS).append("</style>\n");
        if (!script.isEmpty()) {
            html.append("<script>\n").append(script).append("</script>\n");
        }
        html.append("</head>\n<body>\n<main class=\"gallery\">\n");
        html.append("<p class=\"back\"><a href=\"").append(ReportWriter.INDEX_HTML).append("\">← the run's report</a></p>\n");
        html.append("<h1>").append(Html.escape(title)).append("</h1>\n");
        intro(html, c);
        legend(html);
        contents(html, c);
        for (Stage stage : KernelCatalog.STAGES) {
            stage(html, c, stage);
        }
        causal(html, c);
        unplaced(html, c);
        html.append("<footer>Written by sliced-attention-charts. ").append(Html.escape(credit)).append(" Java sources read from: ")
                .append(Html.escape(c.sourceOrigins.isEmpty() ? "none found" : String.join(", ", c.sourceOrigins)))
                .append(".</footer>\n</main>\n");
        if (!script.isEmpty()) {
            html.append("<script>\n").append(Highlighter.inert(INIT)).append("</script>\n");
        }
        html.append("</body>\n</html>\n");
    }

    private static void intro(StringBuilder html, Context c) {
        html.append("<p class=\"lead\">Each pipeline stage, kernel by kernel: on the left the Java method TornadoVM compiled "
                + "(a loop marked <code>@Parallel</code>, or a <code>KernelContext</code> kernel written with explicit "
                + "work-groups), with the task-graph line that launches it; on the right the device code TornadoVM generated "
                + "for it in this run. Marked lines show where the device code came from (legend below; every marked line is "
                + "an anchor). Each stage starts with its sequential twin — the same computation as plain single-threaded "
                + "Java, the yardstick the device result is checked against — and with what this run measured.</p>\n");
        html.append("<p>Attention kernel of this run: <strong>").append(Html.escape(c.kernel)).append("</strong>");
        if (c.results.config() != null) {
            html.append(" (").append(Html.escape(c.results.config().kernelText())).append(")");
        }
        html.append(". The other kernel's own task graphs are listed too, folded.</p>\n");
        boolean deviceRan = c.results.runs().stream().anyMatch(r -> r.backend() != null && r.backend().startsWith("tornado"));
        if (c.causal) {
            html.append("<p class=\"note\" id=\"causal\"><strong>A causal run.</strong> The five stages below are the "
                    + "non-causal pass's. Causal mode (SPEC §5) runs its own task graphs (<code>CausalPlan</code>): the "
                    + "projection and the sort with the same kernel methods, then the tiles, scans, divide-and-conquer levels "
                    + "and combine of <code>CausalKernels</code>")
                    .append(c.hasCausalDumps() ? ", shown with the device code this run generated in <a href=\"#causal-kernels\">"
                            + "Causal mode</a> below." : " (<code>tornado-tasks/src/main/java/dev/slicedattention/tornado/"
                            + "kernels/CausalKernels.java</code>; a causal run on a TornadoVM device shows them here).")
                    .append(" Their sequential twin is <code>validation/…/sequential/CausalPipeline.java</code>.</p>\n");
        }
        if (c.dumps.isEmpty() && c.causal && deviceRan) {
            html.append("<div class=\"nodevice\" id=\"get-device-code\"><strong>No device code in this page</strong> — a "
                    + "TornadoVM backend ran this causal run, but the run's folder holds no kernel files.</div>\n");
        } else if (c.dumps.isEmpty()) {
            html.append("<div class=\"nodevice\" id=\"get-device-code\"><strong>No device code in this run</strong> — no "
                    + "TornadoVM backend took part, so only the Java is shown. To see what each loop becomes on a device: "
                    + "install a TornadoVM SDK (a release archive, or <code>sdk install tornadovm</code>), "
                    + "<code>source &lt;sdk&gt;/setvars.sh</code> (it sets <code>TORNADOVM_HOME</code>), check the device "
                    + "with <code>scripts/sliced-attention devices</code>, then run "
                    + "<code>scripts/sliced-attention showcase --backends jvm-seq,tornado:0:0 --sizes 2^10..2^16</code>: "
                    + "its report's gallery puts the generated OpenCL C (or PTX) beside every kernel.</div>\n");
        } else {
            Set<String> backends = new LinkedHashSet<>();
            for (Dump d : c.dumps.values()) {
                backends.add(d.backend() + " (" + d.language().label() + ")");
            }
            html.append("<p>Device code: <strong>").append(Html.escape(String.join(", ", backends)))
                    .append("</strong>, from the run's <code>kernels/</code> folder. A task graph's code is printed when the "
                            + "graph is first compiled, and each new plan (one per shape) prints it again, so the files hold "
                            + "the code of the last plan compiled — normally the run's largest n. TornadoVM folds "
                            + "constants such as array sizes into the code: the numbers in the loop bounds are that plan's.</p>\n");
        }
        if (c.launchProblem != null) {
            html.append("<p class=\"fail\">").append(Html.escape(c.launchProblem)).append("</p>\n");
        }
        if (c.launches.isEmpty()) {
            html.append("<p class=\"note\">Launch geometry (global and local work sizes per kernel) is not recorded by the "
                    + "backend, so it is not shown: by default TornadoVM sizes the grid from the <code>@Parallel</code> loop "
                    + "bounds; the local sort's work-groups (256 work-items, two keys each) are set by the plan's "
                    + "<code>GridScheduler</code>. Launches per call are given from the plan's structure where they depend on n "
                    + "(the sort), not counted by the run. A backend that writes <code>kernels/").append(KernelLaunch.FILE)
                    .append("</code> gets its launches shown under each kernel.</p>\n");
        }
    }

    private static void legend(StringBuilder html) {
        html.append("<h2 id=\"legend\">Legend: what the marks show</h2>\n<table class=\"legend\">\n<tbody>\n");
        for (Mark mark : Mark.values()) {
            html.append("<tr><td><span class=\"ln m-").append(mark.css()).append(" sample\">")
                    .append(Html.escape(mark.label())).append("</span></td><td>").append(Html.escape(mark.explanation()))
                    .append("</td></tr>\n");
        }
        html.append("<tr><td><span class=\"ln in-loop sample\">loop body</span></td><td>Shaded: the lines inside the "
                + "parallel loop — in the Java, the body of the <code>@Parallel</code> loop; in the device code, the same body "
                + "as TornadoVM emitted it.</td></tr>\n");
        html.append("</tbody></table>\n<p>In the Java the same marks fall on the <code>@Parallel</code> loop (its index and "
                + "the loop), the <code>KernelContext</code> fields, <code>localBarrier()</code> and "
                + "<code>allocate…LocalArray</code>; each kernel's mark table links the two sides.</p>\n");
    }

    private static void contents(StringBuilder html, Context c) {
        html.append("<nav class=\"toc\"><strong>Stages:</strong> ");
        List<String> links = new ArrayList<>();
        for (Stage stage : KernelCatalog.STAGES) {
            links.add("<a href=\"#" + stage.anchor() + "\">" + Html.escape(stage.title()) + "</a>");
        }
        if (c.hasCausalDumps()) {
            links.add("<a href=\"#causal-kernels\">Causal mode</a>");
        }
        if (c.dumps.values().stream().anyMatch(d -> KernelCatalog.stageOfFile(d.stem()).isEmpty() && !isCausal(d))) {
            links.add("<a href=\"#other\">Other kernels</a>");
        }
        html.append(String.join(" · ", links)).append("</nav>\n");
    }

    // ---------------------------------------------------------------------------------------- stages

    private static void stage(StringBuilder html, Context c, Stage stage) {
        html.append("<section class=\"stage\" id=\"").append(stage.anchor()).append("\">\n<h2>")
                .append(Html.escape(stage.title())).append("</h2>\n<p>").append(Html.escape(stage.summary())).append("</p>\n");
        measured(html, c, stage);
        twin(html, c, stage);

        List<Graph> graphs = new ArrayList<>(stage.graphs());
        for (Dump d : c.dumps.values()) {
            if (KernelCatalog.graphOfFile(d.stem()).isEmpty()
                    && KernelCatalog.stageOfFile(d.stem()).map(s -> s.key().equals(stage.key())).orElse(false)) {
                graphs.add(new Graph(d.stem(), d.stem(), KernelCatalog.variantOfFile(d.stem()), "–", List.of()));
            }
        }
        List<Graph> shown = new ArrayList<>();
        List<Graph> folded = new ArrayList<>();
        for (Graph graph : graphs) {
            (c.dumps.containsKey(graph.file()) || graph.variant().ranBy(c.attention) ? shown : folded).add(graph);
        }
        for (Graph graph : shown) {
            graph(html, c, stage, graph);
        }
        if (!folded.isEmpty()) {
            List<String> labels = new ArrayList<>();
            for (Graph graph : folded) {
                labels.add(graph.file() + " (" + graph.variant().label() + ")");
            }
            html.append("<details class=\"variants\"><summary>Task graphs of this stage that did not run here: ")
                    .append(Html.escape(String.join(", ", labels))).append("</summary>\n");
            for (Graph graph : folded) {
                graph(html, c, stage, graph);
            }
            html.append("</details>\n");
        }
        for (TaskRef extra : unplacedTasks(c)) {
            if (KernelCatalog.stageOfClass(extra.className()).map(s -> s.key().equals(stage.key())).orElse(false)) {
                extraTask(html, c, stage, extra);
            }
        }
        html.append("</section>\n");
    }

    /** The stage's times per call from results.json, and its bytes and roof fraction from bench-summary.json. */
    private static void measured(StringBuilder html, Context c, Stage stage) {
        html.append("<h3>What this run measured</h3>\n");
        List<RunRecord> runs = c.results.runs();
        List<Integer> sizes = c.results.sizes();
        if (runs.isEmpty()) {
            html.append("<p>No timings in this run's results.json.</p>\n");
        } else {
            int largest = sizes.get(sizes.size() - 1);
            html.append("<div class=\"scroll\"><table class=\"measured\">\n<thead><tr><th>backend</th>");
            for (int n : sizes) {
                html.append("<th>n = ").append(n).append("</th>");
            }
            html.append("<th>share of the pass at n = ").append(largest).append("</th></tr></thead>\n<tbody>\n");
            for (String backend : c.results.backends()) {
                html.append("<tr><td>").append(Html.escape(backend)).append("</td>");
                for (int n : sizes) {
                    Optional<RunRecord> r = c.results.record(backend, n);
                    html.append("<td class=\"num\">").append(r.map(x -> Html.millis(x.stages().millis(stage.key())) + " ms")
                            .orElse("–")).append("</td>");
                }
                Optional<RunRecord> top = c.results.record(backend, largest);
                html.append("<td class=\"num\">").append(top.filter(x -> x.totalMillis() > 0)
                        .map(x -> Html.percent(x.stages().millis(stage.key()) / x.totalMillis())).orElse("–"))
                        .append("</td></tr>\n");
            }
            html.append("</tbody></table></div>\n<p class=\"note\">Median milliseconds per call of this stage (the "
                    + "backend's own stage clock; for a device, the wall time of the stage's graph executes, launches and "
                    + "waits included), and its share of the whole pass with transfers. The same figures are the stage's "
                    + "bar in the <a href=\"").append(ReportWriter.INDEX_HTML).append("#charts\">time-per-stage chart</a> "
                    + "of the report.</p>\n");
        }
        bench(html, c, stage);
    }

    private static void bench(StringBuilder html, Context c, Stage stage) {
        if (c.benchProblem != null) {
            html.append("<p class=\"fail\">").append(Html.escape(c.benchProblem)).append("</p>\n");
            return;
        }
        if (c.bench == null) {
            html.append("<p class=\"note\">Bytes moved and fraction of the memory roof come from a benchmark run "
                    + "(<code>scripts/bench --suites forward,roof</code> writes <code>bench-summary.json</code>); this folder "
                    + "has none.</p>\n");
            return;
        }
        Map<String, BenchEntry> largest = new LinkedHashMap<>();
        for (BenchEntry e : c.bench.entries()) {
            String entryKernel = e.kernel() == null ? "relu" : e.kernel();
            if (!e.stage().equals(stage.key()) || !entryKernel.equals(c.kernel)) {
                continue;
            }
            largest.merge(e.backend(), e, (a, b) -> b.n() > a.n() ? b : a);
        }
        if (largest.isEmpty()) {
            html.append("<p class=\"note\">bench-summary.json has no entry for this stage and kernel.</p>\n");
            return;
        }
        html.append("<table class=\"measured\">\n<thead><tr><th>backend (JMH)</th><th>n</th><th>ms per call</th>"
                + "<th>minimum bytes</th><th>GB/s</th><th>fraction of the roof</th></tr></thead>\n<tbody>\n");
        for (BenchEntry e : largest.values()) {
            html.append("<tr><td>").append(Html.escape(e.backend())).append("</td><td class=\"num\">").append(e.n())
                    .append("</td><td class=\"num\">").append(Html.millis(e.millis())).append("</td><td class=\"num\">")
                    .append(String.format(Locale.ROOT, "%.1f MB", e.minBytes() / 1e6)).append("</td><td class=\"num\">")
                    .append(Html.gbPerSecond(e.bytesPerSecond())).append("</td><td class=\"num\">")
                    .append(e.roofFraction() == null ? "–" : Html.percent(e.roofFraction())).append("</td></tr>\n");
        }
        html.append("</tbody></table>\n<p class=\"note\">From bench-summary.json: the bytes the stage must at least move, "
                + "divided by its time, against the backend's measured copy/triad bandwidth.</p>\n");
    }

    private static void twin(StringBuilder html, Context c, Stage stage) {
        Map<String, List<String>> byClass = new LinkedHashMap<>();
        for (TwinMethod m : stage.twin()) {
            byClass.computeIfAbsent(m.className(), k -> new ArrayList<>()).add(m.method());
        }
        for (Map.Entry<String, List<String>> entry : byClass.entrySet()) {
            Optional<SourceFile> source = JavaSources.twin(entry.getKey());
            html.append("<details class=\"twin\" open><summary><h3>The sequential twin: <code>").append(Html.escape(entry.getKey()))
                    .append("</code></h3></summary>\n");
            if (source.isEmpty()) {
                html.append("<p class=\"fail\">The source of ").append(Html.escape(entry.getKey()))
                        .append(" is not on the class path (the validation jar packages it).</p>\n</details>\n");
                continue;
            }
            c.sourceOrigins.add(source.get().origin());
            html.append("<p class=\"src\"><code>").append(Html.escape(JavaSources.TWIN_PACKAGE + entry.getKey() + ".java"))
                    .append("</code> from ").append(Html.escape(source.get().origin())).append("</p>\n");
            JavaSources.classComment(source.get()).ifPresent(comment -> {
                html.append("<details><summary>class comment</summary>\n");
                javaBlock(html, c, comment, c.nextId("t-" + stage.anchor()), List.of());
                html.append("</details>\n");
            });
            for (String method : entry.getValue()) {
                Optional<Snippet> snippet = JavaSources.method(source.get(), method);
                if (snippet.isPresent()) {
                    javaBlock(html, c, snippet.get(), c.nextId("t-" + stage.anchor() + "-" + method), List.of());
                } else {
                    html.append("<p class=\"fail\">No method ").append(Html.escape(method)).append(" in ")
                            .append(Html.escape(entry.getKey())).append(".</p>\n");
                }
            }
            html.append("</details>\n");
        }
    }

    // ---------------------------------------------------------------------------------------- graphs

    private static void graph(StringBuilder html, Context c, Stage stage, Graph graph) {
        Dump dump = c.dumps.get(graph.file());
        List<Entry> entries = entries(c, graph, dump);
        String id = "g-" + graph.file();
        html.append("<div class=\"graph\" id=\"").append(Html.escape(id)).append("\">\n<h3>Task graph <code>")
                .append(Html.escape(graph.graph())).append("</code> — ").append(Html.escape(graph.variant().label()))
                .append("</h3>\n<p class=\"note\">");
        html.append(entries.size()).append(entries.size() == 1 ? " kernel" : " kernels")
                .append(", launched in this order each time the graph executes; the graph executes ")
                .append(Html.escape(graph.executes())).append('.');
        sortLaunches(html, c, graph);
        if (dump != null) {
            html.append(" Device code: <a href=\"").append(Html.href(dump.relative())).append("\">")
                    .append(Html.escape(dump.relative())).append("</a> (").append(Html.escape(dump.backend())).append(", ")
                    .append(Html.escape(dump.language().label())).append(").");
        } else if (c.causal && c.hasCausalDumps()) {
            html.append(" No device code: a causal run executes CausalPlan's graphs (section Causal mode), not this one.");
        } else if (!c.dumps.isEmpty()) {
            html.append(graph.variant().ranBy(c.attention) ? " No device code for this graph in the run's kernels/ folder."
                    : " No device code: this graph did not run here.");
        }
        for (Dump other : c.otherDumps) {
            if (other.stem().equals(graph.file())) {
                html.append(" Also dumped by ").append(Html.escape(other.backend())).append(": <a href=\"")
                        .append(Html.href(other.relative())).append("\">").append(Html.escape(other.relative())).append("</a>.");
            }
        }
        html.append("</p>\n");
        int index = 0;
        for (Entry entry : entries) {
            kernel(html, c, stage, graph, entry, dump, index++);
        }
        html.append("</div>\n");
    }

    /** Launches per call of the sort graphs at the run's largest n, from the plan's structure. */
    private static void sortLaunches(StringBuilder html, Context c, Graph graph) {
        boolean local = graph.file().equals("sort-local");
        if (!local && !graph.file().equals("sort-global")) {
            return;
        }
        Optional<Integer> n = c.results.largestN();
        if (n.isEmpty()) {
            return;
        }
        int padded = Math.max(2, Integer.highestOneBit(Math.max(1, n.get() - 1)) << 1);
        int block = Math.min(512, padded);
        int levels = Integer.numberOfTrailingZeros(padded / block);
        // Stage k = 2^i·block has i passes with distance ≥ block, run three per global launch (BitonicSortKernels.schedule).
        long launches = 1 + levels;
        if (!local) {
            launches = 0;
            for (int i = 1; i <= levels; i++) {
                launches += (i + 2) / 3;
            }
        }
        html.append(" At n = ").append(n.get()).append(" (N = ").append(padded).append("): ").append(launches)
                .append(launches == 1 ? " launch" : " launches")
                .append(" per call (derived from the plan's sort loop, not counted by the run).");
    }

    /** The kernels of a graph: the dump's (in file order, matched to the catalogue by name) or the catalogue's. */
    private static List<Entry> entries(Context c, Graph graph, Dump dump) {
        List<Entry> entries = new ArrayList<>();
        if (dump == null) {
            for (Task task : graph.tasks()) {
                entries.add(new Entry(task, null, true));
            }
            return entries;
        }
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (DeviceCode.Kernel kernel : dump.kernels()) {
            int occurrence = seen.merge(kernel.name(), 1, Integer::sum) - 1;
            Task task = null;
            int k = 0;
            for (Task t : graph.tasks()) {
                if (t.method().equals(kernel.name()) && k++ == occurrence) {
                    task = t;
                    break;
                }
            }
            if (task != null) {
                entries.add(new Entry(task, kernel, true));
            } else {
                String owner = c.classOfMethod(kernel.name()).orElse(null);
                entries.add(new Entry(new Task(null, owner, kernel.name(), "not in the gallery's catalogue"), kernel, false));
            }
        }
        return entries;
    }

    private static void kernel(StringBuilder html, Context c, Stage stage, Graph graph, Entry entry, Dump dump, int index) {
        Task task = entry.task();
        String id = "k-" + graph.file() + "-" + index + "-" + task.method();
        html.append("<article class=\"kernel\" id=\"").append(Html.escape(id)).append("\">\n<h4>")
                .append(index + 1).append(". <code>").append(Html.escape(task.method())).append("</code>");
        if (task.kernelClass() != null) {
            html.append(" <small>").append(Html.escape(task.kernelClass())).append("</small>");
        }
        html.append(" <a class=\"anchor\" href=\"#").append(Html.escape(id)).append("\">#</a></h4>\n<p>")
                .append(Html.escape(task.role())).append("</p>\n");
        for (KernelLaunch launch : launchesOf(c, graph, task)) {
            html.append("<p class=\"note launch\">Launch geometry (").append(Html.escape(launch.backend()))
                    .append(launch.n() == null ? "" : ", n = " + launch.n()).append("): global ")
                    .append(Html.escape(dimensions(launch.global()))).append(", local ")
                    .append(Html.escape(dimensions(launch.local())));
            if (launch.launchesPerCall() != null) {
                html.append("; ").append(launch.launchesPerCall()).append(launch.launchesPerCall() == 1 ? " launch" : " launches")
                        .append(" per call");
            }
            html.append(" (recorded by the backend in kernels/").append(KernelLaunch.FILE).append(").</p>\n");
        }

        Optional<SourceFile> source = task.kernelClass() == null ? Optional.empty() : c.kernelSource(task.kernelClass());
        Optional<Snippet> method = source.flatMap(s -> JavaSources.method(s, task.method()));
        Map<Mark, String> javaAnchors = new EnumMap<>(Mark.class);
        Map<Mark, String> deviceAnchors = new EnumMap<>(Mark.class);

        StringBuilder java = new StringBuilder();
        if (method.isPresent()) {
            java.append("<p class=\"src\">Java: <code>").append(Html.escape(method.get().file().className())).append(".java")
                    .append("</code> lines ").append(method.get().first()).append("–").append(method.get().last())
                    .append(", from ").append(Html.escape(method.get().file().origin()))
                    .append(method.get().file().fromRun() ? " (the jar that ran)" : " (a copy of tornado-tasks' source)")
                    .append("</p>\n");
            if (task.task() != null && c.plan.isPresent()) {
                JavaSources.taskCall(c.plan.get(), task.task(), task.kernelClass(), task.method()).ifPresent(call -> {
                    java.append("<p class=\"src\">Launched by <code>ForwardPlan.java</code> line ").append(call.first())
                            .append(":</p>\n");
                    javaBlock(java, c, call, id + "-task", List.of());
                });
            }
            javaAnchors.putAll(javaBlock(java, c, method.get(), id + "-j", javaMarks(method.get(), task.method())));
            for (Snippet helper : helpers(method.get(), task.method())) {
                java.append("<p class=\"src\">Called from the kernel (TornadoVM inlines it): <code>")
                        .append(Html.escape(helper.file().className())).append(".java</code> lines ").append(helper.first())
                        .append("–").append(helper.last()).append("</p>\n");
                javaBlock(java, c, helper, id + "-h" + helper.first(), List.of());
            }
        } else {
            java.append("<p class=\"fail\">The Java source of ").append(Html.escape(task.method()))
                    .append(" was not found in the packaged sources.</p>\n");
        }

        StringBuilder device = new StringBuilder();
        if (entry.device() != null) {
            DeviceCode.Kernel k = entry.device();
            device.append("<p class=\"src\">").append(Html.escape(dump.language().label())).append(" that TornadoVM generated: <a href=\"")
                    .append(Html.href(dump.relative())).append("\">").append(Html.escape(dump.relative()))
                    .append("</a> lines ").append(k.first()).append("–").append(k.last()).append("</p>\n");
            deviceAnchors.putAll(codeBlock(device, dump.language().id(), k.lines(), k.first(), id + "-d", k.marks(),
                    k.loopBody(), null));
        } else if (c.dumps.isEmpty()) {
            device.append("<div class=\"nodevice small\">No device code in this run: see <a href=\"#get-device-code\">how to "
                    + "get it</a>.</div>\n");
        } else if (graph.variant().ranBy(c.attention)) {
            device.append("<div class=\"nodevice small\">No device code for this graph in the run's kernels/ folder.</div>\n");
        } else {
            device.append("<div class=\"nodevice small\">Not run here: this graph belongs to the ")
                    .append(Html.escape(graph.variant().label())).append(".</div>\n");
        }

        markTable(html, javaAnchors, deviceAnchors);
        html.append("<div class=\"pair\">\n<div class=\"side java\">\n").append(java).append("</div>\n<div class=\"side device\">\n")
                .append(device).append("</div>\n</div>\n</article>\n");
    }

    /** A task of ForwardPlan that the catalogue does not list, shown under the stage of its kernel class. */
    private static void extraTask(StringBuilder html, Context c, Stage stage, TaskRef ref) {
        Graph graph = new Graph("extra-" + ref.taskName(), "(see ForwardPlan)", Variant.BOTH, "–",
                List.of(new Task(ref.taskName(), ref.className(), ref.method(), "a task of ForwardPlan not yet in the gallery's catalogue")));
        html.append("<div class=\"graph\"><h3>Also in ForwardPlan's task graphs</h3>\n");
        kernel(html, c, stage, graph, new Entry(graph.tasks().get(0), null, false), null, 0);
        html.append("</div>\n");
    }

    /** ForwardPlan tasks whose kernel the catalogue does not list. */
    static List<TaskRef> unplacedTasks(Context c) {
        if (c.plan.isEmpty()) {
            return List.of();
        }
        Set<String> known = new LinkedHashSet<>();
        for (Stage stage : KernelCatalog.STAGES) {
            for (Graph graph : stage.graphs()) {
                for (Task task : graph.tasks()) {
                    known.add(task.task() + "/" + task.kernelClass() + "::" + task.method());
                }
            }
        }
        List<TaskRef> extra = new ArrayList<>();
        Set<String> listed = new LinkedHashSet<>();
        for (TaskRef ref : JavaSources.tasks(c.plan.get())) {
            String key = ref.taskName() + "/" + ref.className() + "::" + ref.method();
            if (!known.contains(key) && listed.add(key)) {
                extra.add(ref);
            }
        }
        return extra;
    }

    /** A dump of causal mode's plan (CausalPlan writes {@code kernels/causal-<graph>….cl}). */
    private static boolean isCausal(Dump d) {
        return d.stem().startsWith("causal-");
    }

    /**
     * Causal mode's own task graphs, as a causal run on a device dumped them, in the order a call runs
     * them; each kernel beside its Java, found by name.
     */
    private static void causal(StringBuilder html, Context c) {
        List<Dump> dumps = c.dumps.values().stream().filter(KernelGallery::isCausal).toList();
        if (dumps.isEmpty()) {
            return;
        }
        html.append("<section class=\"stage\" id=\"causal-kernels\"><h2>Causal mode</h2>\n<p>The task graphs of "
                + "<code>CausalPlan</code> (SPEC §5: token i sees keys j ≤ i), in the order a call runs them: the projection "
                + "with the tiles (the pairs inside each block of 32 positions, summed directly), the bitonic sort one stage at "
                + "a time, and after each sort stage w ≥ 32 one level of the divide and conquer — a scan of the left halves' "
                + "value rows, then the level kernel, where each right-half query finds its rank among the left keys and adds "
                + "the prefix sums below it — and the combine. Their sequential twin is "
                + "<code>validation/…/sequential/CausalPipeline.java</code>.</p>\n");
        List<String> order = List.of("causal-projection", "causal-sort-local", "causal-sort-global", "causal-scan", "causal-level",
                "causal-combine");
        List<Dump> sorted = new ArrayList<>(dumps);
        sorted.sort(java.util.Comparator.comparingInt((Dump d) -> {
            for (int i = order.size() - 1; i >= 0; i--) {
                if (d.stem().startsWith(order.get(i))) {
                    return i;
                }
            }
            return order.size();
        }).thenComparing(Dump::stem));
        for (Dump d : sorted) {
            String executes = d.stem().startsWith("causal-scan") || d.stem().startsWith("causal-level")
                    ? "once per level, log2(padded n / 32) times a call"
                    : d.stem().startsWith("causal-sort") ? "as the sort's schedule decides, stage by stage" : "once per call";
            graph(html, c, KernelCatalog.STAGES.get(0), new Graph(d.stem(), d.stem(), Variant.CAUSAL, executes, List.of()));
        }
        html.append("</section>\n");
    }

    /** Dumps of no stage and ForwardPlan tasks of no known kernel class: shown last, never hidden. */
    private static void unplaced(StringBuilder html, Context c) {
        List<TaskRef> orphans = new ArrayList<>();
        for (TaskRef ref : unplacedTasks(c)) {
            if (KernelCatalog.stageOfClass(ref.className()).isEmpty()) {
                orphans.add(ref);
            }
        }
        List<Dump> strays = new ArrayList<>();
        for (Dump d : c.dumps.values()) {
            if (KernelCatalog.stageOfFile(d.stem()).isEmpty() && !isCausal(d)) {
                strays.add(d);
            }
        }
        if (orphans.isEmpty() && strays.isEmpty()) {
            return;
        }
        html.append("<section class=\"stage\" id=\"other\"><h2>Other kernels</h2>\n<p>Device code and tasks of this run "
                + "outside the five stages.</p>\n");
        for (Dump d : strays) {
            graph(html, c, KernelCatalog.STAGES.get(0), new Graph(d.stem(), d.stem(), Variant.OTHER, "as its caller decides", List.of()));
        }
        for (TaskRef ref : orphans) {
            extraTask(html, c, KernelCatalog.STAGES.get(0), ref);
        }
        html.append("</section>\n");
    }

    private static void markTable(StringBuilder html, Map<Mark, String> java, Map<Mark, String> device) {
        if (java.isEmpty() && device.isEmpty()) {
            return;
        }
        html.append("<p class=\"marks\">Marks: ");
        List<String> parts = new ArrayList<>();
        for (Mark mark : Mark.values()) {
            String j = java.get(mark);
            String d = device.get(mark);
            if (j == null && d == null) {
                continue;
            }
            StringBuilder part = new StringBuilder("<span class=\"tag m-" + mark.css() + "\">" + Html.escape(mark.label()) + "</span> ");
            if (j != null) {
                part.append("<a href=\"#").append(Html.escape(j)).append("\">Java</a>");
            }
            if (j != null && d != null) {
                part.append(" ↔ ");
            }
            if (d != null) {
                part.append("<a href=\"#").append(Html.escape(d)).append("\">device</a>");
            }
            parts.add(part.toString());
        }
        html.append(String.join(" · ", parts)).append("</p>\n");
    }

    // ---------------------------------------------------------------------------------------- code

    private static final Pattern PARALLEL = Pattern.compile("@Parallel\\b");
    private static final Pattern CONTEXT_GLOBAL = Pattern.compile("\\.globalId[xyz]\\b|\\.globalIdx\\b");
    private static final Pattern CONTEXT_LOCAL = Pattern.compile(
            "\\.(?:localIdx|localIdy|localIdz|groupIdx|groupIdy|groupIdz|localGroupSizeX|localGroupSizeY|localGroupSizeZ)\\b");
    private static final Pattern BARRIER = Pattern.compile("\\.(?:localBarrier|globalBarrier)\\s*\\(");
    private static final Pattern LOCAL_ALLOCATION = Pattern.compile("\\.allocate\\w*LocalArray\\s*\\(");

    /** The marks of a Java kernel method's lines, and which lines lie inside a @Parallel loop. */
    private static List<Set<Mark>> javaMarks(Snippet snippet, String name) {
        List<String> lines = snippet.lines();
        List<Set<Mark>> marks = new ArrayList<>();
        Pattern signature = Pattern.compile("\\bstatic\\b.*\\b" + Pattern.quote(name) + "\\s*\\(");
        boolean signed = false;
        for (String line : lines) {
            Set<Mark> set = EnumSet.noneOf(Mark.class);
            String trimmed = line.trim();
            boolean comment = trimmed.startsWith("*") || trimmed.startsWith("/*") || trimmed.startsWith("//");
            if (!comment) {
                String code = line.contains("//") ? line.substring(0, line.indexOf("//")) : line;
                if (!signed && signature.matcher(code).find()) {
                    set.add(Mark.SIGNATURE);
                    signed = true;
                }
                if (PARALLEL.matcher(code).find()) {
                    set.add(Mark.GLOBAL_ID);
                    set.add(Mark.LOOP);
                }
                if (CONTEXT_GLOBAL.matcher(code).find()) {
                    set.add(Mark.GLOBAL_ID);
                }
                if (CONTEXT_LOCAL.matcher(code).find()) {
                    set.add(Mark.LOCAL_ID);
                }
                if (BARRIER.matcher(code).find()) {
                    set.add(Mark.BARRIER);
                }
                if (LOCAL_ALLOCATION.matcher(code).find()) {
                    set.add(Mark.LOCAL_MEMORY);
                }
            }
            marks.add(set);
        }
        return marks;
    }

    /** Lines inside the braces of each @Parallel loop of a snippet. */
    private static List<Boolean> javaLoopBody(List<String> lines, List<Set<Mark>> marks) {
        List<Boolean> body = new ArrayList<>(Collections.nCopies(lines.size(), false));
        for (int i = 0; i < lines.size(); i++) {
            if (!marks.get(i).contains(Mark.LOOP)) {
                continue;
            }
            int depth = 0;
            boolean opened = false;
            for (int j = i; j < lines.size(); j++) {
                String line = lines.get(j);
                String code = line.contains("//") ? line.substring(0, line.indexOf("//")) : line;
                for (char ch : code.toCharArray()) {
                    if (ch == '{') {
                        depth++;
                        opened = true;
                    } else if (ch == '}') {
                        depth--;
                    }
                }
                if (j > i && opened && depth <= 0) {
                    break;
                }
                if (j > i) {
                    body.set(j, true);
                }
            }
        }
        return body;
    }

    private static final Pattern CALL = Pattern.compile("\\b([a-z]\\w*)\\s*\\(");

    /** Static methods of the same class that a kernel calls (TornadoVM inlines them), in call order. */
    private static List<Snippet> helpers(Snippet method, String name) {
        List<Snippet> helpers = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        seen.add(name);
        List<String> lines = method.lines();
        for (String line : lines) {
            String trimmed = line.trim();
            if (trimmed.startsWith("*") || trimmed.startsWith("/*") || trimmed.startsWith("//")) {
                continue;
            }
            Matcher m = CALL.matcher(line);
            while (m.find()) {
                String callee = m.group(1);
                int at = m.start();
                boolean qualified = at > 0 && line.charAt(at - 1) == '.';
                if (qualified || !seen.add(callee)) {
                    continue;
                }
                JavaSources.method(method.file(), callee).filter(s -> s.first() != method.first()).ifPresent(helpers::add);
            }
        }
        return helpers;
    }

    /** A Java snippet as a highlighted block; returns the first anchor of each mark. */
    private static Map<Mark, String> javaBlock(StringBuilder html, Context c, Snippet snippet, String idPrefix,
                                               List<Set<Mark>> marks) {
        List<Set<Mark>> own = marks.isEmpty() ? Collections.nCopies(snippet.lines().size(), EnumSet.noneOf(Mark.class)) : marks;
        return codeBlock(html, "java", snippet.lines(), snippet.first(), idPrefix, own, javaLoopBody(snippet.lines(), own),
                snippet.file().resource());
    }

    /**
     * A block of code: one {@code span.ln} per line with its number, marks and an anchor id
     * ({@code idPrefix + lineNumber}). The highlighter, when the page runs scripts, colours the text
     * inside the spans and leaves them in place.
     *
     * @return the anchor of the first line of each mark
     */
    private static Map<Mark, String> codeBlock(StringBuilder html, String language, List<String> lines, int firstLine,
                                               String idPrefix, List<Set<Mark>> marks, List<Boolean> body, String source) {
        Map<Mark, String> anchors = new EnumMap<>(Mark.class);
        html.append("<pre class=\"code\"><code data-lang=\"").append(Html.escape(language)).append("\"");
        if (source != null) {
            html.append(" data-source=\"").append(Html.escape(source)).append("\" data-first=\"").append(firstLine)
                    .append("\" data-last=\"").append(firstLine + lines.size() - 1).append("\"");
        }
        html.append('>');
        for (int i = 0; i < lines.size(); i++) {
            int number = firstLine + i;
            String id = idPrefix + number;
            StringBuilder classes = new StringBuilder("ln");
            for (Mark mark : marks.get(i)) {
                classes.append(" m-").append(mark.css());
                anchors.putIfAbsent(mark, id);
            }
            if (body.get(i)) {
                classes.append(" in-loop");
            }
            html.append("<span class=\"").append(classes).append("\" id=\"").append(Html.escape(id)).append("\" data-n=\"")
                    .append(number).append("\">").append(Html.escape(lines.get(i).replace("\t", "    "))).append("</span>");
        }
        html.append("</code></pre>\n");
        return anchors;
    }

    // ---------------------------------------------------------------------------------------- style, script

    static final String CSS = """
            main.gallery { max-width: 1500px; }
            p.lead { font-size: 16px; }
            p.back { margin: 0 0 6px; }
            p.note, p.src { color: #555; font-size: 13px; margin: 4px 0; }
            .nodevice { background: #fff8e1; border: 1px solid #f0d58a; border-radius: 6px; padding: 10px 14px; margin: 10px 0; }
            .nodevice.small { font-size: 13px; }
            nav.toc { position: sticky; top: 0; background: #fff; padding: 6px 0; border-bottom: 1px solid #dde1e6; z-index: 2; }
            section.stage { margin-top: 28px; }
            div.graph { margin: 18px 0; padding: 4px 12px 8px; border-left: 4px solid #3182bd; background: #fafbfd; }
            article.kernel { margin: 14px 0 22px; }
            article.kernel h4 { font-size: 16px; margin: 10px 0 2px; }
            article.kernel h4 small { font-weight: normal; }
            a.anchor { color: #aab; text-decoration: none; font-weight: normal; }
            .pair { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 14px; align-items: start; }
            @media (max-width: 1000px) { .pair { grid-template-columns: minmax(0, 1fr); } }
            .side { min-width: 0; }
            details > summary h3 { display: inline; }
            details.twin { margin: 10px 0; }
            details.variants { margin: 12px 0; }
            details.variants > summary { cursor: pointer; color: #1d5fa8; }
            pre.code { margin: 4px 0 10px; padding: 6px 0; background: #fbfbf8; border: 1px solid #e3e3dc; border-radius: 4px;
                       overflow: auto; max-height: 640px; font-size: 12.5px; line-height: 1.45; }
            pre.code code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; background: none; padding: 0;
                            word-break: normal; white-space: pre; display: block; min-width: max-content; font-size: 12.5px; }
            .ln { display: block; padding-right: 12px; border-left: 4px solid transparent; }
            .ln::before { content: attr(data-n); display: inline-block; width: 3.2em; margin-right: 10px; padding-right: 6px;
                          text-align: right; color: #999; border-right: 1px solid #e3e3dc; user-select: none; }
            .ln:target { outline: 2px solid #e6550d; }
            .ln.in-loop { background: #f1f7ff; }
            .ln.m-sig { background: #eceff4; border-left-color: #555; font-weight: bold; }
            .ln.m-gid { background: #fff2b3; border-left-color: #e6a700; }
            .ln.m-stride { background: #fde6d2; border-left-color: #e6550d; }
            .ln.m-loop { background: #d8ebff; border-left-color: #3182bd; }
            .ln.m-gid.m-loop { background: linear-gradient(90deg, #fff2b3, #d8ebff); }
            .ln.m-lid { background: #e5f5e0; border-left-color: #31a354; }
            .ln.m-barrier { background: #fddbe6; border-left-color: #c51b7d; }
            .ln.m-local { background: #eadcf8; border-left-color: #756bb1; }
            .ln.sample { display: inline-block; padding: 1px 8px; font-family: monospace; white-space: nowrap; }
            .ln.sample::before { content: none; }
            table.legend td:first-child { width: 190px; }
            p.marks { font-size: 13px; margin: 4px 0 6px; }
            span.tag { padding: 0 6px; border-left: 4px solid transparent; border-radius: 2px; }
            span.tag.m-sig { background: #eceff4; border-left-color: #555; }
            span.tag.m-gid { background: #fff2b3; border-left-color: #e6a700; }
            span.tag.m-stride { background: #fde6d2; border-left-color: #e6550d; }
            span.tag.m-loop { background: #d8ebff; border-left-color: #3182bd; }
            span.tag.m-lid { background: #e5f5e0; border-left-color: #31a354; }
            span.tag.m-barrier { background: #fddbe6; border-left-color: #c51b7d; }
            span.tag.m-local { background: #eadcf8; border-left-color: #756bb1; }
            table.measured { font-size: 13px; }
            """;

    /**
     * Highlights every code block in place: the block's lines are joined, highlighted by Prism, split
     * back into lines (closing and reopening the token spans a line break cuts through) and put back
     * into the line spans, so the marks and anchors stay.
     */
    static final String INIT = """
            (function () {
              function splitLines(html) {
                var lines = [], open = [], current = '';
                var re = /(<span[^>]*>)|(<\\/span>)|(\\n)|([^<\\n]+)/g, m;
                while ((m = re.exec(html)) !== null) {
                  if (m[1]) { open.push(m[1]); current += m[1]; }
                  else if (m[2]) { open.pop(); current += m[2]; }
                  else if (m[3]) {
                    for (var i = 0; i < open.length; i++) { current += '</' + 'span>'; }
                    lines.push(current);
                    current = open.join('');
                  } else { current += m[4]; }
                }
                lines.push(current);
                return lines;
              }
              var blocks = document.querySelectorAll('code[data-lang]');
              var done = 0;
              for (var b = 0; b < blocks.length; b++) {
                var block = blocks[b];
                var language = block.getAttribute('data-lang');
                var grammar = window.Prism && Prism.languages[language];
                if (!grammar) { continue; }
                var spans = block.querySelectorAll('span.ln');
                var texts = [];
                for (var i = 0; i < spans.length; i++) { texts.push(spans[i].textContent); }
                var lines = splitLines(Prism.highlight(texts.join('\\n'), grammar, language));
                if (lines.length !== spans.length) { continue; }
                for (var j = 0; j < spans.length; j++) { spans[j].innerHTML = lines[j]; }
                done++;
              }
              document.documentElement.setAttribute('data-highlighted', String(done));
            })();
            """;
}
