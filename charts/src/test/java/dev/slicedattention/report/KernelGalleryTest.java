package dev.slicedattention.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.fixtures.Fixtures;
import dev.slicedattention.results.KernelDump;
import dev.slicedattention.results.KernelLaunch;
import dev.slicedattention.results.ResultsIO;
import dev.slicedattention.results.RunResults;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel gallery (kernels.html): written for runs with and without device dumps; every kernel
 * of the chain has its Java, and with a device its device code; the Java shown is the packaged
 * source; the marks point at the lines they describe.
 */
class KernelGalleryTest {
    @TempDir
    Path tmp;

    /** The fixture showcase without kernel dumps (a run without a device). */
    static RunResults withoutDevice() {
        RunResults r = Fixtures.showcase();
        return RunResults.of(r.runId(), r.createdAt(), r.command(), r.machine(), r.devices(), r.config(), r.runs(), List.of());
    }

    /** The fixture showcase with two small hand-made OpenCL dumps (test resources gallery/*.cl) copied into the folder. */
    static RunResults withDevice(Path folder) throws IOException {
        Path kernels = folder.resolve("kernels");
        Files.createDirectories(kernels);
        for (String name : List.of("prefix-sum.cl", "sort-local.cl")) {
            try (InputStream in = KernelGalleryTest.class.getResourceAsStream("/gallery/" + name)) {
                Files.write(kernels.resolve(name), in.readAllBytes());
            }
        }
        RunResults r = Fixtures.showcase();
        return RunResults.of(r.runId(), r.createdAt(), r.command(), r.machine(), r.devices(), r.config(), r.runs(),
                List.of(new KernelDump("prefix-sum", "tornado:0:0", "kernels/prefix-sum.cl"),
                        new KernelDump("sort-local", "tornado:0:0", "kernels/sort-local.cl"),
                        new KernelDump("combine", "tornado:0:0", "kernels/combine.cl")));   // listed, absent
    }

    /** Writes a run (results, report and gallery) into folder; returns the gallery's path. */
    static Path writeRun(Path folder, RunResults results) throws IOException {
        ResultsIO.write(folder, results);
        ReportWriter.write(folder, results);
        return folder.resolve(KernelGallery.FILE);
    }

    @Test
    void theReportLinksTheGalleryWithAndWithoutADevice() throws Exception {
        for (boolean device : List.of(false, true)) {
            Path folder = tmp.resolve(device ? "device" : "jvm");
            Files.createDirectories(folder);
            Path gallery = writeRun(folder, device ? withDevice(folder) : withoutDevice());
            assertTrue(Files.isRegularFile(gallery));
            String index = Files.readString(folder.resolve(ReportWriter.INDEX_HTML));
            assertTrue(index.contains("href=\"kernels.html\""), "index.html links the gallery");
            ReportWriterTest.assertReferencesExist(folder.resolve(ReportWriter.INDEX_HTML));
            ReportWriterTest.assertReferencesExist(gallery);
            String html = Files.readString(gallery);
            assertTrue(html.startsWith("<!DOCTYPE html>"));
            assertTrue(html.contains("Content-Security-Policy"), "the page forbids network requests");
            assertFalse(Pattern.compile("(?i)(src|href)=\"(https?:)?//").matcher(html).find(), "nothing fetched from a network");
            assertFalse(html.contains("<script src"), "scripts are inlined");
            assertTrue(html.contains("Prism " + Highlighter.version()), "the highlighter is credited");
            assertTrue(html.contains("window.Prism.manual = true"), "the highlighter is inlined");
            assertEquals(device, !html.contains("No device code in this run"));
            for (KernelCatalog.Stage stage : KernelCatalog.STAGES) {
                assertTrue(html.contains("id=\"" + stage.anchor() + "\""), "a section per stage: " + stage.key());
            }
        }
    }

    /**
     * A causal showcase on a device writes no dumps (its plan is CausalPlan): the page says so, names
     * the causal kernels' source, and does not claim that no TornadoVM backend took part; the bump's
     * graphs are the ones shown for a causal bump run ("causal bump" is the bump kernel).
     */
    @Test
    void aCausalRunSaysItsKernelsAreNotShownAndUnfoldsItsAttentionKernelsGraphs() throws Exception {
        RunResults r = Fixtures.showcase();
        for (String kernel : List.of("causal relu", "causal bump")) {
            dev.slicedattention.results.RunConfig config = new dev.slicedattention.results.RunConfig(r.config().sizes(),
                    r.config().heads(), r.config().dim(), r.config().valueDim(), r.config().repeats(), r.config().backends(), kernel, null);
            RunResults causal = RunResults.of(r.runId(), r.createdAt(), r.command(), r.machine(), r.devices(), config, r.runs(), List.of());
            Path folder = tmp.resolve(kernel.replace(' ', '-'));
            Files.createDirectories(folder);
            String html = Files.readString(writeRun(folder, causal));
            assertTrue(html.contains("A causal run."), kernel);
            assertTrue(html.contains("CausalKernels.java"), kernel);
            assertTrue(html.contains("No device code in this page"), "a TornadoVM backend ran it: " + kernel);
            assertFalse(html.contains("no TornadoVM backend took part"), kernel);
            String folded = html.substring(html.indexOf("id=\"prefix-sum\""));
            folded = folded.substring(folded.indexOf("Task graphs of this stage that did not run here"));
            folded = folded.substring(0, folded.indexOf("</summary>"));
            assertTrue(folded.contains(kernel.endsWith("bump") ? "prefix-sum (" : "prefix-sum-bump"),
                    "the other kernel's graph is the folded one: " + kernel + ": " + folded);
        }
        // With causal mode's own dump (CausalPlan's causal-level.cl), its section shows the kernel beside its Java.
        Path dumped = tmp.resolve("causal-dumped");
        Path kernels = dumped.resolve("kernels");
        Files.createDirectories(kernels);
        try (InputStream in = KernelGalleryTest.class.getResourceAsStream("/gallery/causal-level.cl")) {
            Files.write(kernels.resolve("causal-level.cl"), in.readAllBytes());
        }
        dev.slicedattention.results.RunConfig causalRelu = new dev.slicedattention.results.RunConfig(r.config().sizes(),
                r.config().heads(), r.config().dim(), r.config().valueDim(), r.config().repeats(), r.config().backends(), "causal relu", null);
        String page = Files.readString(writeRun(dumped, RunResults.of(r.runId(), r.createdAt(), r.command(), r.machine(), r.devices(),
                causalRelu, r.runs(), List.of(new KernelDump("causal-level", "tornado:0:0", "kernels/causal-level.cl")))));
        assertTrue(page.contains("id=\"causal-kernels\""), "a Causal mode section");
        assertTrue(page.contains("href=\"#causal-kernels\""), "linked from the contents and the note");
        String section = page.substring(page.indexOf("id=\"causal-kernels\""));
        assertTrue(section.contains("CausalKernels.java"), "the level kernel's Java is found by name in CausalKernels");
        assertTrue(section.contains("kernels/causal-level.cl"), "the dump is linked");
        assertTrue(page.contains("a causal run executes CausalPlan's graphs"), "the forward graphs say why they have no code");
        assertFalse(page.contains("id=\"other\""), "causal dumps are not 'other kernels'");

        // A causal run without a device keeps the page's advice for getting device code.
        RunResults jvmOnly = withoutDevice();
        dev.slicedattention.results.RunConfig config = new dev.slicedattention.results.RunConfig(r.config().sizes(),
                r.config().heads(), r.config().dim(), r.config().valueDim(), r.config().repeats(), List.of("jvm-seq"), "causal relu", null);
        List<dev.slicedattention.results.RunRecord> runs = jvmOnly.runs().stream().filter(x -> !x.backend().startsWith("tornado")).toList();
        Path folder = tmp.resolve("causal-jvm");
        Files.createDirectories(folder);
        String html = Files.readString(writeRun(folder, RunResults.of(r.runId(), r.createdAt(), r.command(), r.machine(), List.of(),
                config, runs, List.of())));
        assertTrue(html.contains("No device code in this run"));
    }

    @Test
    void withoutADeviceEveryKernelOfTheChainHasItsJavaAndThePageSaysHowToGetTheDeviceCode() throws Exception {
        String html = Files.readString(writeRun(tmp, withoutDevice()));
        assertTrue(html.contains("TORNADOVM_HOME"));
        assertTrue(html.contains("--backends jvm-seq,tornado:0:0"));
        assertTrue(html.contains("setvars.sh"));
        for (KernelCatalog.Stage stage : KernelCatalog.STAGES) {
            for (KernelCatalog.Graph graph : stage.graphs()) {
                for (int i = 0; i < graph.tasks().size(); i++) {
                    KernelCatalog.Task task = graph.tasks().get(i);
                    String article = article(html, "k-" + graph.file() + "-" + i + "-" + task.method());
                    assertTrue(article.contains("data-source=\"" + JavaSources.ROOT + "tornado"),
                            "the Java of " + graph.file() + " " + task.method());
                    assertTrue(article.contains("Launched by <code>ForwardPlan.java</code>"),
                            "the task-graph line of " + task.method());
                    assertFalse(article.contains("was not found"));
                }
            }
            for (KernelCatalog.TwinMethod twin : stage.twin()) {
                assertTrue(html.contains("data-source=\"" + JavaSources.ROOT + "validation/" + JavaSources.TWIN_PACKAGE
                        + twin.className() + ".java\""), "the twin " + twin.className());
            }
        }
        assertTrue(html.contains(">@Parallel<") || html.contains("@Parallel int"), "the loops are shown");
    }

    @Test
    void everyTaskOfForwardPlanIsInTheGallery() throws Exception {
        String html = Files.readString(writeRun(tmp, withoutDevice()));
        JavaSources.SourceFile plan = JavaSources.forwardPlan().orElseThrow();
        List<JavaSources.TaskRef> tasks = JavaSources.tasks(plan);
        assertTrue(tasks.size() >= 20, "ForwardPlan's tasks were found: " + tasks);
        Set<String> catalogued = new LinkedHashSet<>();
        for (KernelCatalog.Stage stage : KernelCatalog.STAGES) {
            for (KernelCatalog.Graph graph : stage.graphs()) {
                for (KernelCatalog.Task task : graph.tasks()) {
                    catalogued.add(task.task() + "/" + task.kernelClass() + "::" + task.method());
                    assertTrue(JavaSources.kernel(task.kernelClass()).flatMap(s -> JavaSources.method(s, task.method())).isPresent(),
                            "the catalogue's " + task.kernelClass() + "::" + task.method() + " exists in the sources");
                }
            }
        }
        for (JavaSources.TaskRef task : tasks) {
            assertTrue(html.contains("-" + task.method() + "\""), "ForwardPlan's task " + task + " has a kernel on the page");
            JavaSources.SourceFile source = JavaSources.kernel(task.className()).orElseThrow();
            assertTrue(JavaSources.method(source, task.method()).isPresent(), "the Java of " + task);
        }
        // Not a failure when ForwardPlan gains a kernel (the page shows it under "Also in ForwardPlan's task graphs"),
        // but the catalogue should say which graph file it is in: this lists what to add to KernelCatalog.
        List<String> missing = new ArrayList<>();
        for (JavaSources.TaskRef task : tasks) {
            String key = task.taskName() + "/" + task.className() + "::" + task.method();
            if (!catalogued.contains(key)) {
                missing.add(key);
                assertTrue(html.contains("Also in ForwardPlan's task graphs"));
            }
        }
        System.out.println("KernelCatalog: ForwardPlan tasks not catalogued: " + (missing.isEmpty() ? "none" : missing));
    }

    @Test
    void withADeviceEachDumpedKernelStandsBesideItsJavaWithItsMarks() throws Exception {
        String html = Files.readString(writeRun(tmp, withDevice(tmp)));
        List<String> prefix = List.of("scale", "gather", "blockTotals", "blockOffsets", "addBack", "residualMeans");
        for (int i = 0; i < prefix.size(); i++) {
            String article = article(html, "k-prefix-sum-" + i + "-" + prefix.get(i));
            assertTrue(article.contains("data-lang=\"opencl\""), "device code of " + prefix.get(i));
            assertTrue(article.contains("data-lang=\"java\""), "Java of " + prefix.get(i));
            assertTrue(article.contains("__kernel void " + prefix.get(i) + "("), "the kernel's own code");
        }
        String local = article(html, "k-sort-local-0-localPasses");
        String localDevice = local.substring(local.indexOf("class=\"side device\""));
        String localJava = local.substring(0, local.indexOf("class=\"side device\""));
        for (String mark : List.of("m-sig", "m-lid", "m-barrier", "m-local")) {
            assertTrue(local.contains("<span class=\"tag " + mark + "\">"), mark + " in the mark table");
            Pattern marked = Pattern.compile("class=\"ln[^\"]*\\b" + mark + "\\b");
            assertTrue(marked.matcher(localDevice).find(), mark + " on a line of the device code");
            assertTrue(marked.matcher(localJava).find(), mark + " on a line of the Java");
        }
        assertTrue(local.contains("barrier(CLK_LOCAL_MEM_FENCE);"));
        assertTrue(local.contains("context.localBarrier();"));
        // A two-dimensional kernel (column, block): two loop indices on each side.
        String totals = article(html, "k-prefix-sum-2-blockTotals");
        String totalsDevice = totals.substring(totals.indexOf("class=\"side device\""));
        String totalsJava = totals.substring(0, totals.indexOf("class=\"side device\""));
        assertEquals(2, count(totalsDevice, "class=\"ln m-gid"), "two get_global_id in the device code");
        assertEquals(2, count(totalsDevice, "m-loop"), "two parallel loops in the device code");
        assertEquals(2, count(totalsJava, "class=\"ln m-gid m-loop"), "two @Parallel loops in the Java");
        assertTrue(totals.contains("m-stride"));
        assertTrue(totals.contains("in-loop"), "the loop body is shaded");
        assertTrue(totals.contains("i_8 &lt; 1024"), "device code is escaped");
        // A one-dimensional one (a work-item per row) with a sequential loop inside: one of each.
        String gather = article(html, "k-prefix-sum-1-gather");
        String gatherDevice = gather.substring(gather.indexOf("class=\"side device\""));
        String gatherJava = gather.substring(0, gather.indexOf("class=\"side device\""));
        assertEquals(1, count(gatherDevice, "class=\"ln m-gid"), "one get_global_id in the device code");
        assertEquals(1, count(gatherJava, "class=\"ln m-gid m-loop"), "one @Parallel loop in the Java");
        // Every mark link points at an anchor of the page.
        Matcher links = Pattern.compile("href=\"#([^\"]+)\"").matcher(html);
        int checked = 0;
        while (links.find()) {
            assertTrue(html.contains("id=\"" + links.group(1) + "\""), "anchor " + links.group(1));
            checked++;
        }
        assertTrue(checked > 20);
        // A graph that did not run (the bump's) is folded, and says it has no device code.
        assertTrue(html.contains("Task graphs of this stage that did not run here"));
        assertTrue(html.contains("No device code: this graph did not run here."));
        // The dump listed in results.json but absent is not linked.
        assertFalse(html.contains("href=\"kernels/combine.cl\""));
    }

    @Test
    void launchesRecordedByTheBackendAreShownUnderTheirKernel() throws Exception {
        RunResults results = withDevice(tmp);
        Files.writeString(tmp.resolve("kernels").resolve(KernelLaunch.FILE), """
                [{"backend": "tornado:0:0", "file": "sort-local", "task": "local", "kernel": "localPasses", "n": 65536,
                  "global": [32768, 1, 1], "local": [256, 1, 1], "launchesPerCall": 8},
                 {"backend": "tornado:0:0", "file": "prefix-sum", "kernel": "gather", "global": [65536, 64]}]
                """);
        String html = Files.readString(writeRun(tmp, results));
        assertTrue(article(html, "k-sort-local-0-localPasses").contains(
                "Launch geometry (tornado:0:0, n = 65536): global 32768 × 1 × 1, local 256 × 1 × 1; 8 launches per call"));
        assertTrue(article(html, "k-prefix-sum-1-gather").contains("global 65536 × 64, local chosen by the driver"));
        assertFalse(article(html, "k-prefix-sum-0-scale").contains("Launch geometry"));
        assertFalse(html.contains("is not recorded by the backend"));

        Files.writeString(tmp.resolve("kernels").resolve(KernelLaunch.FILE), "[{ broken");
        html = Files.readString(writeRun(tmp, results));
        assertTrue(html.contains("Malformed kernel launches file"), "a broken file is named, the page still written");
    }

    @Test
    void theJavaShownIsThePackagedSourceAndThePackagedSourceIsTheProjects() throws Exception {
        String html = Files.readString(writeRun(tmp, withDevice(tmp)));
        Matcher block = Pattern.compile("<code data-lang=\"java\" data-source=\"([^\"]+)\" data-first=\"(\\d+)\" "
                + "data-last=\"(\\d+)\">(.*?)</code>", Pattern.DOTALL).matcher(html);
        Pattern line = Pattern.compile("<span class=\"[^\"]*\" id=\"[^\"]*\" data-n=\"(\\d+)\">(.*?)</span>", Pattern.DOTALL);
        int blocks = 0;
        Set<String> resources = new LinkedHashSet<>();
        while (block.find()) {
            String resource = block.group(1);
            int first = Integer.parseInt(block.group(2)), last = Integer.parseInt(block.group(3));
            List<String> packaged = resourceLines(resource);
            Matcher m = line.matcher(block.group(4));
            int expected = first;
            while (m.find()) {
                assertEquals(expected, Integer.parseInt(m.group(1)));
                assertEquals(packaged.get(expected - 1).replace("\t", "    "), HtmlLinks.unescape(m.group(2)),
                        resource + " line " + expected);
                expected++;
            }
            assertEquals(last + 1, expected, "every line of " + resource + " " + first + ".." + last);
            resources.add(resource);
            blocks++;
        }
        assertTrue(blocks > 40, blocks + " Java blocks");
        // The packaged copies are the project's sources as they are now (the build copied them).
        Path root = Path.of("..").toAbsolutePath().normalize();
        for (String resource : resources) {
            String relative = resource.substring(JavaSources.ROOT.length());
            Path source = relative.startsWith("validation/")
                    ? root.resolve("validation/src/main/java").resolve(relative.substring("validation/".length()))
                    : root.resolve("tornado-tasks/src/main/java").resolve(relative.substring(relative.indexOf('/') + 1));
            assertEquals(Files.readString(source).lines().toList(), resourceLines(resource),
                    resource + " is packaged from " + source + " (rebuild if the source changed)");
        }
    }

    @Test
    void devicePagesAreSplitIntoKernelsAndMarked() {
        String text = """
                #pragma OPENCL EXTENSION cl_khr_fp64 : enable
                __kernel void first(__global uchar *a, __private int n)
                {
                  int i_1, i_2, i_3, i_4;
                  i_1  =  get_global_size(0);
                  i_2  =  get_global_id(0);
                  i_3  =  i_2;
                  for(;i_3 < 64;)
                  {
                    i_4  =  i_1 + i_3;
                    i_3  =  i_4;
                  }  // B1
                  return;
                }  //  kernel

                #pragma OPENCL EXTENSION cl_khr_fp64 : enable
                __kernel void second(__global uchar *a)
                {
                  __local float adf_1[16];
                  barrier(CLK_LOCAL_MEM_FENCE);
                }  //  kernel
                """;
        List<DeviceCode.Kernel> kernels = DeviceCode.kernels("x.cl", text, "x");
        assertEquals(List.of("first", "second"), kernels.stream().map(DeviceCode.Kernel::name).toList());
        DeviceCode.Kernel first = kernels.get(0);
        assertEquals(1, first.first());
        assertEquals(14, first.last());
        assertEquals(16, kernels.get(1).first(), "the pragma above the second kernel is its own");
        assertTrue(first.marks().get(1).contains(DeviceCode.Mark.SIGNATURE));
        assertTrue(first.marks().get(4).contains(DeviceCode.Mark.STRIDE));
        assertTrue(first.marks().get(5).contains(DeviceCode.Mark.GLOBAL_ID));
        assertTrue(first.marks().get(7).contains(DeviceCode.Mark.LOOP));
        assertTrue(first.marks().get(9).contains(DeviceCode.Mark.STRIDE), "index + stride");
        assertTrue(first.loopBody().get(9) && first.loopBody().get(10) && !first.loopBody().get(12));
        DeviceCode.Kernel second = kernels.get(1);
        assertTrue(second.marks().get(1).contains(DeviceCode.Mark.SIGNATURE));
        assertFalse(second.marks().get(1).contains(DeviceCode.Mark.LOCAL_MEMORY), "the signature's __local parameter is not an allocation");
        assertTrue(second.marks().get(3).contains(DeviceCode.Mark.LOCAL_MEMORY));
        assertTrue(second.marks().get(4).contains(DeviceCode.Mark.BARRIER));

        List<DeviceCode.Kernel> ptx = DeviceCode.kernels("combine.ptx", ".version 7.6\n.target sm_80\n.visible .entry combine(\n"
                + "  mov.u32 %r1, %ctaid.x;\n  bar.sync 0;\n}\n", "combine");
        assertEquals(DeviceCode.Language.PTX, DeviceCode.language("combine.ptx", ""));
        assertEquals("combine", ptx.get(0).name());
        assertTrue(ptx.get(0).marks().get(3).contains(DeviceCode.Mark.GLOBAL_ID));
        assertTrue(ptx.get(0).marks().get(4).contains(DeviceCode.Mark.BARRIER));
        assertEquals("odd", DeviceCode.kernels("odd.bin", "no kernel here", "odd").get(0).name());
    }

    @Test
    void methodsAreFoundWithTheirComments() {
        JavaSources.SourceFile sort = JavaSources.kernel("BitonicSortKernels").orElseThrow();
        JavaSources.Snippet order = JavaSources.method(sort, "order").orElseThrow();
        assertTrue(order.lines().get(0).trim().startsWith("/**"), "the Javadoc comes with the method");
        assertTrue(order.lines().get(order.lines().size() - 1).trim().equals("}"));
        assertTrue(order.lines().stream().anyMatch(l -> l.contains("public static int order(")));
        JavaSources.Snippet comment = JavaSources.classComment(sort).orElseThrow();
        assertTrue(comment.lines().get(0).trim().startsWith("/**"));
        assertTrue(comment.lines().get(comment.lines().size() - 1).trim().endsWith("*/"));
        assertTrue(JavaSources.method(sort, "noSuchMethod").isEmpty());
        assertTrue(JavaSources.twin("KeySort").isPresent());
    }

    private static List<String> resourceLines(String resource) throws IOException {
        try (InputStream in = KernelGalleryTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertTrue(in != null, "packaged: " + resource);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    /** The HTML of the article with this id. */
    static String article(String html, String id) {
        int start = html.indexOf("<article class=\"kernel\" id=\"" + id + "\"");
        assertTrue(start >= 0, "an article " + id);
        int end = html.indexOf("</article>", start);
        return html.substring(start, end);
    }

    static int count(String text, String part) {
        return ReportWriterTest.count(text, part);
    }
}
