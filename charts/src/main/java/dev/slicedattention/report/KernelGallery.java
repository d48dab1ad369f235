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
 *
 * <p>This class gathers and computes what the page shows ({@link GalleryPage}); its markup, style
 * sheet and the script that highlights the code blocks in place are the templates
 * {@code src/main/jte/report/gallery.jte}, {@code gallery-graph.jte}, {@code code.jte},
 * {@code style.jte} and {@code gallery-highlight.jte}.
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
        Path page = folder.resolve(FILE);
        AtomicFiles.writeString(page, Pages.render(Pages.TEMPLATES.reportGallery(page(context))));
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

    private static GalleryPage page(Context c) {
        String title = "Kernel gallery — run " + (c.results.runId() == null ? "(no id)" : c.results.runId());
        GalleryPage.Highlighter highlighter;
        String credit;
        try {
            highlighter = new GalleryPage.Highlighter(Highlighter.script(), Highlighter.css());
            credit = Highlighter.credit();
        } catch (RuntimeException missing) {
            highlighter = null;
            credit = "Syntax highlighting unavailable: " + missing.getMessage();
        }
        GalleryPage.Intro intro = intro(c);
        List<GalleryPage.Link> contents = contents(c);
        List<GalleryPage.StageSection> stages = new ArrayList<>();
        for (Stage stage : KernelCatalog.STAGES) {
            stages.add(stage(c, stage));
        }
        List<GalleryPage.Graph> causal = causal(c);
        GalleryPage.Other other = unplaced(c);
        // Last: the sections above record where the Java they show was read from.
        return new GalleryPage(title, highlighter, credit, intro, contents, stages, causal, other,
                List.copyOf(c.sourceOrigins));
    }

    private static GalleryPage.Intro intro(Context c) {
        boolean deviceRan = c.results.runs().stream().anyMatch(r -> r.backend() != null && r.backend().startsWith("tornado"));
        GalleryPage.NoDeviceCode none = null;
        if (c.dumps.isEmpty()) {
            none = c.causal && deviceRan ? GalleryPage.NoDeviceCode.NONE_IN_FOLDER_OF_CAUSAL_RUN
                    : GalleryPage.NoDeviceCode.NO_DEVICE_RAN;
        }
        Set<String> backends = new LinkedHashSet<>();
        for (Dump d : c.dumps.values()) {
            backends.add(d.backend() + " (" + d.language().label() + ")");
        }
        return new GalleryPage.Intro(c.kernel, c.results.config() == null ? null : c.results.config().kernelText(), c.causal,
                c.hasCausalDumps(), none, List.copyOf(backends), c.launchProblem, !c.launches.isEmpty(), KernelLaunch.FILE);
    }

    private static List<GalleryPage.Link> contents(Context c) {
        List<GalleryPage.Link> links = new ArrayList<>();
        for (Stage stage : KernelCatalog.STAGES) {
            links.add(new GalleryPage.Link("#" + stage.anchor(), stage.title()));
        }
        if (c.hasCausalDumps()) {
            links.add(new GalleryPage.Link("#causal-kernels", "Causal mode"));
        }
        if (c.dumps.values().stream().anyMatch(d -> KernelCatalog.stageOfFile(d.stem()).isEmpty() && !isCausal(d))) {
            links.add(new GalleryPage.Link("#other", "Other kernels"));
        }
        return links;
    }

    // ---------------------------------------------------------------------------------------- stages

    private static GalleryPage.StageSection stage(Context c, Stage stage) {
        GalleryPage.Measured measured = measured(c, stage);
        GalleryPage.Bench bench = bench(c, stage);
        List<GalleryPage.Twin> twins = twins(c, stage);

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
        List<GalleryPage.Graph> shownGraphs = new ArrayList<>();
        for (Graph graph : shown) {
            shownGraphs.add(graph(c, graph));
        }
        List<String> foldedLabels = new ArrayList<>();
        List<GalleryPage.Graph> foldedGraphs = new ArrayList<>();
        for (Graph graph : folded) {
            foldedLabels.add(graph.file() + " (" + graph.variant().label() + ")");
            foldedGraphs.add(graph(c, graph));
        }
        List<GalleryPage.Graph> extras = new ArrayList<>();
        for (TaskRef extra : unplacedTasks(c)) {
            if (KernelCatalog.stageOfClass(extra.className()).map(s -> s.key().equals(stage.key())).orElse(false)) {
                extras.add(extraTask(c, extra));
            }
        }
        return new GalleryPage.StageSection(stage.anchor(), stage.title(), stage.summary(), measured, bench, twins,
                shownGraphs, foldedLabels, foldedGraphs, extras);
    }

    /** The stage's times per call from results.json, or null without runs. */
    private static GalleryPage.Measured measured(Context c, Stage stage) {
        List<Integer> sizes = c.results.sizes();
        if (c.results.runs().isEmpty()) {
            return null;
        }
        int largest = sizes.get(sizes.size() - 1);
        List<GalleryPage.MeasuredRow> rows = new ArrayList<>();
        for (String backend : c.results.backends()) {
            List<Double> millis = new ArrayList<>();
            for (int n : sizes) {
                millis.add(c.results.record(backend, n).map(x -> x.stages().millis(stage.key())).orElse(null));
            }
            Double share = c.results.record(backend, largest).filter(x -> x.totalMillis() > 0)
                    .map(x -> x.stages().millis(stage.key()) / x.totalMillis()).orElse(null);
            rows.add(new GalleryPage.MeasuredRow(backend, millis, share));
        }
        return new GalleryPage.Measured(sizes, largest, rows);
    }

    /** The stage's bytes and roof fraction from bench-summary.json, at the largest n per backend. */
    private static GalleryPage.Bench bench(Context c, Stage stage) {
        if (c.benchProblem != null || c.bench == null) {
            return new GalleryPage.Bench(c.benchProblem, false, List.of());
        }
        Map<String, BenchEntry> largest = new LinkedHashMap<>();
        for (BenchEntry e : c.bench.entries()) {
            String entryKernel = e.kernel() == null ? "relu" : e.kernel();
            if (!e.stage().equals(stage.key()) || !entryKernel.equals(c.kernel)) {
                continue;
            }
            largest.merge(e.backend(), e, (a, b) -> b.n() > a.n() ? b : a);
        }
        return new GalleryPage.Bench(null, true, List.copyOf(largest.values()));
    }

    private static List<GalleryPage.Twin> twins(Context c, Stage stage) {
        Map<String, List<String>> byClass = new LinkedHashMap<>();
        for (TwinMethod m : stage.twin()) {
            byClass.computeIfAbsent(m.className(), k -> new ArrayList<>()).add(m.method());
        }
        List<GalleryPage.Twin> twins = new ArrayList<>();
        for (Map.Entry<String, List<String>> entry : byClass.entrySet()) {
            Optional<SourceFile> source = JavaSources.twin(entry.getKey());
            if (source.isEmpty()) {
                twins.add(new GalleryPage.Twin(entry.getKey(), true, null, null, null, List.of()));
                continue;
            }
            c.sourceOrigins.add(source.get().origin());
            GalleryPage.CodeBlock comment = JavaSources.classComment(source.get())
                    .map(snippet -> javaBlock(snippet, c.nextId("t-" + stage.anchor()), List.of())).orElse(null);
            List<GalleryPage.TwinMethod> methods = new ArrayList<>();
            for (String method : entry.getValue()) {
                methods.add(new GalleryPage.TwinMethod(method, JavaSources.method(source.get(), method)
                        .map(snippet -> javaBlock(snippet, c.nextId("t-" + stage.anchor() + "-" + method), List.of()))
                        .orElse(null)));
            }
            twins.add(new GalleryPage.Twin(entry.getKey(), false, JavaSources.TWIN_PACKAGE + entry.getKey() + ".java",
                    source.get().origin(), comment, methods));
        }
        return twins;
    }

    // ---------------------------------------------------------------------------------------- graphs

    private static GalleryPage.Graph graph(Context c, Graph graph) {
        Dump dump = c.dumps.get(graph.file());
        List<Entry> entries = entries(c, graph, dump);
        GalleryPage.NoGraphCode noCode = null;
        if (dump == null && c.causal && c.hasCausalDumps()) {
            noCode = GalleryPage.NoGraphCode.CAUSAL_RUN;
        } else if (dump == null && !c.dumps.isEmpty()) {
            noCode = graph.variant().ranBy(c.attention) ? GalleryPage.NoGraphCode.NOT_IN_FOLDER
                    : GalleryPage.NoGraphCode.DID_NOT_RUN;
        }
        List<GalleryPage.DumpLink> also = new ArrayList<>();
        for (Dump other : c.otherDumps) {
            if (other.stem().equals(graph.file())) {
                also.add(link(other));
            }
        }
        List<GalleryPage.Kernel> kernels = new ArrayList<>();
        int index = 0;
        for (Entry entry : entries) {
            kernels.add(kernel(c, graph, entry, dump, index++));
        }
        return new GalleryPage.Graph(false, "g-" + graph.file(), graph.graph(), graph.variant().label(), graph.executes(),
                sortLaunches(c, graph), dump == null ? null : link(dump), noCode, also, kernels);
    }

    private static GalleryPage.DumpLink link(Dump dump) {
        return new GalleryPage.DumpLink(Html.href(dump.relative()), dump.relative(), dump.backend(), dump.language().label());
    }

    /** Launches per call of the sort graphs at the run's largest n, from the plan's structure. */
    private static GalleryPage.SortLaunches sortLaunches(Context c, Graph graph) {
        boolean local = graph.file().equals("sort-local");
        if (!local && !graph.file().equals("sort-global")) {
            return null;
        }
        Optional<Integer> n = c.results.largestN();
        if (n.isEmpty()) {
            return null;
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
        return new GalleryPage.SortLaunches(n.get(), padded, launches);
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

    private static GalleryPage.Kernel kernel(Context c, Graph graph, Entry entry, Dump dump, int index) {
        Task task = entry.task();
        String id = "k-" + graph.file() + "-" + index + "-" + task.method();
        List<GalleryPage.Launch> launches = new ArrayList<>();
        for (KernelLaunch launch : launchesOf(c, graph, task)) {
            launches.add(new GalleryPage.Launch(launch, dimensions(launch.global()), dimensions(launch.local())));
        }

        Optional<SourceFile> source = task.kernelClass() == null ? Optional.empty() : c.kernelSource(task.kernelClass());
        Optional<Snippet> method = source.flatMap(s -> JavaSources.method(s, task.method()));
        Map<Mark, String> javaAnchors = new EnumMap<>(Mark.class);
        Map<Mark, String> deviceAnchors = new EnumMap<>(Mark.class);

        GalleryPage.JavaSide java = null;
        if (method.isPresent()) {
            Snippet snippet = method.get();
            GalleryPage.CodeBlock taskCall = null;
            if (task.task() != null && c.plan.isPresent()) {
                taskCall = JavaSources.taskCall(c.plan.get(), task.task(), task.kernelClass(), task.method())
                        .map(call -> javaBlock(call, id + "-task", List.of())).orElse(null);
            }
            GalleryPage.CodeBlock code = javaBlock(snippet, id + "-j", javaMarks(snippet, task.method()));
            javaAnchors.putAll(anchors(code));
            List<GalleryPage.Helper> helpers = new ArrayList<>();
            for (Snippet helper : helpers(snippet, task.method())) {
                helpers.add(new GalleryPage.Helper(helper.file().className(), javaBlock(helper, id + "-h" + helper.first(), List.of())));
            }
            java = new GalleryPage.JavaSide(snippet.file().className(), snippet.first(), snippet.last(), snippet.file().origin(),
                    snippet.file().fromRun(), taskCall, code, helpers);
        }

        GalleryPage.DeviceSide device = null;
        GalleryPage.NoKernelCode noDevice = null;
        if (entry.device() != null) {
            DeviceCode.Kernel k = entry.device();
            GalleryPage.CodeBlock code = codeBlock(dump.language().id(), k.lines(), k.first(), id + "-d", k.marks(),
                    k.loopBody(), null);
            deviceAnchors.putAll(anchors(code));
            device = new GalleryPage.DeviceSide(dump.language().label(), Html.href(dump.relative()), dump.relative(), code);
        } else if (c.dumps.isEmpty()) {
            noDevice = GalleryPage.NoKernelCode.NO_DUMPS;
        } else if (graph.variant().ranBy(c.attention)) {
            noDevice = GalleryPage.NoKernelCode.NOT_IN_FOLDER;
        } else {
            noDevice = GalleryPage.NoKernelCode.NOT_RUN;
        }
        return new GalleryPage.Kernel(id, index + 1, task.method(), task.kernelClass(), task.role(), launches,
                markLinks(javaAnchors, deviceAnchors), java, device, noDevice, graph.variant().label());
    }

    /** A task of ForwardPlan that the catalogue does not list, shown under the stage of its kernel class. */
    private static GalleryPage.Graph extraTask(Context c, TaskRef ref) {
        Graph graph = new Graph("extra-" + ref.taskName(), "(see ForwardPlan)", Variant.BOTH, "–",
                List.of(new Task(ref.taskName(), ref.className(), ref.method(), "a task of ForwardPlan not yet in the gallery's catalogue")));
        GalleryPage.Kernel kernel = kernel(c, graph, new Entry(graph.tasks().get(0), null, false), null, 0);
        return new GalleryPage.Graph(true, null, graph.graph(), graph.variant().label(), graph.executes(), null, null, null,
                List.of(), List.of(kernel));
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
     * them; each kernel beside its Java, found by name. Null where the run dumped none.
     */
    private static List<GalleryPage.Graph> causal(Context c) {
        List<Dump> dumps = c.dumps.values().stream().filter(KernelGallery::isCausal).toList();
        if (dumps.isEmpty()) {
            return null;
        }
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
        List<GalleryPage.Graph> graphs = new ArrayList<>();
        for (Dump d : sorted) {
            String executes = d.stem().startsWith("causal-scan") || d.stem().startsWith("causal-level")
                    ? "once per level, log2(padded n / 32) times a call"
                    : d.stem().startsWith("causal-sort") ? "as the sort's schedule decides, stage by stage" : "once per call";
            graphs.add(graph(c, new Graph(d.stem(), d.stem(), Variant.CAUSAL, executes, List.of())));
        }
        return graphs;
    }

    /** Dumps of no stage and ForwardPlan tasks of no known kernel class: shown last, never hidden. Null where none. */
    private static GalleryPage.Other unplaced(Context c) {
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
            return null;
        }
        List<GalleryPage.Graph> graphs = new ArrayList<>();
        for (Dump d : strays) {
            graphs.add(graph(c, new Graph(d.stem(), d.stem(), Variant.OTHER, "as its caller decides", List.of())));
        }
        for (TaskRef ref : orphans) {
            graphs.add(extraTask(c, ref));
        }
        return new GalleryPage.Other(graphs);
    }

    /** The mark table: for each mark on either side, the first line it marks on each. */
    private static List<GalleryPage.MarkLink> markLinks(Map<Mark, String> java, Map<Mark, String> device) {
        List<GalleryPage.MarkLink> links = new ArrayList<>();
        for (Mark mark : Mark.values()) {
            if (java.containsKey(mark) || device.containsKey(mark)) {
                links.add(new GalleryPage.MarkLink(mark, java.get(mark), device.get(mark)));
            }
        }
        return links;
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

    /** A Java snippet as a block of code. */
    private static GalleryPage.CodeBlock javaBlock(Snippet snippet, String idPrefix, List<Set<Mark>> marks) {
        List<Set<Mark>> own = marks.isEmpty() ? Collections.nCopies(snippet.lines().size(), EnumSet.noneOf(Mark.class)) : marks;
        return codeBlock("java", snippet.lines(), snippet.first(), idPrefix, own, javaLoopBody(snippet.lines(), own),
                snippet.file().resource());
    }

    /**
     * A block of code: one line per source line with its number, marks and an anchor id
     * ({@code idPrefix + lineNumber}). The highlighter, when the page runs scripts, colours the text
     * inside the lines and leaves them in place.
     */
    private static GalleryPage.CodeBlock codeBlock(String language, List<String> lines, int firstLine, String idPrefix,
                                                   List<Set<Mark>> marks, List<Boolean> body, String source) {
        List<GalleryPage.Line> out = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            StringBuilder classes = new StringBuilder("ln");
            for (Mark mark : marks.get(i)) {
                classes.append(" m-").append(mark.css());
            }
            if (body.get(i)) {
                classes.append(" in-loop");
            }
            out.add(new GalleryPage.Line(classes.toString(), idPrefix + (firstLine + i), firstLine + i,
                    lines.get(i).replace("\t", "    "), marks.get(i)));
        }
        return new GalleryPage.CodeBlock(language, source, firstLine, out);
    }

    /** The anchor of the first line of each mark in a block. */
    private static Map<Mark, String> anchors(GalleryPage.CodeBlock block) {
        Map<Mark, String> anchors = new EnumMap<>(Mark.class);
        for (GalleryPage.Line line : block.lines()) {
            for (Mark mark : line.marks()) {
                anchors.putIfAbsent(mark, line.id());
            }
        }
        return anchors;
    }
}
