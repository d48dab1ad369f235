package dev.slicedattention.report;

import static dev.slicedattention.fixtures.ImageChecks.assertPngChart;
import static dev.slicedattention.fixtures.ImageChecks.assertSvg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.fixtures.Fixtures;
import dev.slicedattention.results.KernelDump;
import dev.slicedattention.results.ResultsIO;
import dev.slicedattention.results.RunRecord;
import dev.slicedattention.results.RunResults;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
    /** Where a full fixture report is left for people to look at (target/report-preview). */
    static final Path PREVIEW = Path.of("target", "report-preview");

    @TempDir
    Path tmp;

    /** Writes the fixture run (results, kernels, bench summary) and its report into {@code folder}. */
    static Path writeFixtureReport(Path folder) throws Exception {
        RunResults results = Fixtures.showcase();
        ResultsIO.write(folder, results);
        ResultsIO.writeBenchSummary(folder, Fixtures.bench(results));
        Path kernel = folder.resolve("kernels/tornado-0-0/sort.ptx");
        Files.createDirectories(kernel.getParent());
        Files.writeString(kernel, "// bitonic sort\n");
        // combine.ptx is listed but deliberately absent
        return ReportWriter.write(folder, results);
    }

    static void assertReferencesExist(Path index) throws Exception {
        String html = Files.readString(index, StandardCharsets.UTF_8);
        List<HtmlLinks.Reference> refs = HtmlLinks.references(html);
        assertFalse(refs.isEmpty());
        for (HtmlLinks.Reference ref : refs) {
            assertFalse(ref.value().matches("(?i)^[a-z][a-z0-9+.-]*:.*"), "no absolute or network URL: " + ref);
            Path target = HtmlLinks.target(index.getParent(), ref.value());
            if (target != null) {
                assertTrue(Files.isRegularFile(target), ref + " points at a file that exists: " + target);
            } else {
                String id = ref.value().substring(1);
                assertTrue(html.contains("id=\"" + id + "\""), "anchor target " + id);
            }
        }
    }

    @Test
    void reportReferencesOnlyFilesThatExist() throws Exception {
        Path index = writeFixtureReport(tmp);
        assertEquals(tmp.resolve("index.html"), index);
        assertReferencesExist(index);
        String html = Files.readString(index);
        List<HtmlLinks.Reference> images = HtmlLinks.references(html).stream().filter(r -> r.tag().equals("img")).toList();
        assertEquals(List.of("speedup.png", "stages.png", "crossover.png", "error.png", "comparison.png",
                        "comparison-stages.png"),
                images.stream().map(HtmlLinks.Reference::value).toList());
        for (String base : List.of("speedup", "stages", "crossover", "error", "comparison", "comparison-stages")) {
            assertTrue(html.contains("href=\"" + base + ".svg\""), "SVG link for " + base);
            assertPngChart(tmp.resolve(base + ".png"), 1000, 600, 5);
            assertSvg(tmp.resolve(base + ".svg"));
        }
        assertTrue(html.contains("href=\"kernels/tornado-0-0/sort.ptx\""));
        assertFalse(html.contains("href=\"kernels/tornado-0-0/combine.ptx\""), "no link to a missing kernel");
        assertTrue(html.contains("kernels/tornado-0-0/combine.ptx <em>(file not found"));
        assertTrue(html.contains("href=\"results.csv\"") && html.contains("href=\"results.json\""));
    }

    @Test
    void reportIsSelfContainedAndComplete() throws Exception {
        String html = Files.readString(writeFixtureReport(tmp));
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertTrue(html.contains("<style>"));
        assertFalse(html.contains("<script"), "no script needed");
        assertFalse(html.contains("http://") || html.contains("https://"), "no network");
        assertTrue(html.contains("class=\"banner pass\">PASS"));
        assertTrue(html.contains("AMD Ryzen 9 7950X 16-Core Processor"));
        assertTrue(html.contains("NVIDIA GeForce RTX 4090"));
        assertTrue(html.contains("n* ≈ 1"), "crossover headline");
        assertTrue(html.contains("<th>prefix sum ms</th>"));
        assertTrue(html.contains("<th>transfer in ms</th>"));
        assertTrue(html.contains("<th>rel. error</th>"));
        assertEquals(Fixtures.showcase().runs().size(), count(html, "<span class=\"pass\">PASS</span>"));
        assertTrue(html.contains("id=\"bench\""), "stage efficiency section from bench-summary.json");
        assertTrue(html.contains("Stage efficiency"));
        assertTrue(html.contains("17.0 %"), "jvm-seq sort roof fraction 0.17");
        assertTrue(html.contains("id=\"kernels\""));
    }

    @Test
    void failuresAndHostileTextAreShownEscaped() throws Exception {
        RunResults base = Fixtures.showcase();
        List<RunRecord> runs = new ArrayList<>(base.runs());
        RunRecord r = runs.get(0);
        runs.set(0, new RunRecord(r.backend(), "<b>evil</b> & co", r.heads(), r.m(), r.n(), r.d(), r.e(), r.stages(),
                r.totalMillis(), r.firstCallMillis(), r.softmaxMillis(), r.speedupOverSeq(), 1e-2, 1e-2,
                r.tolerance(), r.reference(), false));
        RunResults results = RunResults.of("<script>alert(1)</script>", base.createdAt(), "run --x \"a&b\"",
                base.machine(), base.devices(), base.config(), runs,
                List.of(new KernelDump("sort", "tornado:0:0", "../outside.cl")));
        Files.writeString(tmp.resolve("outside.cl"), "x");
        Path index = ReportWriter.write(tmp.resolve("run"), results);
        String html = Files.readString(index);
        assertFalse(html.contains("<script>"));
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assertTrue(html.contains("&lt;b&gt;evil&lt;/b&gt; &amp; co"));
        // Element text: jte escapes & < > (a quote needs no escaping there, and stays a quote).
        assertTrue(html.contains("<code>run --x \"a&amp;b\"</code>"));
        assertTrue(html.contains("class=\"banner fail\">FAIL — 1 of"));
        assertTrue(html.contains("<span class=\"fail\">FAIL</span>"));
        assertFalse(html.contains("href=\"../outside.cl\""), "kernel links stay inside the results folder");
        assertReferencesExist(index);
    }

    @Test
    void writeFromFolderReadsResultsJson() throws Exception {
        ResultsIO.write(tmp, Fixtures.showcase());
        Path index = ReportWriter.write(tmp);
        assertTrue(Files.isRegularFile(index));
        assertFalse(Files.readString(index).contains("id=\"bench\""), "no bench section without bench-summary.json");
    }

    @Test
    void malformedBenchSummaryIsReportedNotFatal() throws Exception {
        Files.writeString(tmp.resolve("bench-summary.json"), "{ broken");
        Path index = ReportWriter.write(tmp, Fixtures.showcase());
        String html = Files.readString(index);
        assertTrue(html.contains("Malformed benchmark summary file"), "the page says what is wrong");
        assertReferencesExist(index);
    }

    @Test
    void emptyResultsStillGiveAPage() throws Exception {
        RunResults empty = RunResults.of("empty", "2025-01-01T00:00:00Z", "x", null, null, null, List.of(), null);
        Path index = ReportWriter.write(tmp, empty);
        String html = Files.readString(index);
        assertTrue(html.contains("No runs were recorded."));
        assertReferencesExist(index);
    }

    @Test
    void comparisonOfTwoFolders() throws Exception {
        Path laptop = tmp.resolve("laptop");
        Path cloud = tmp.resolve("cloud");
        ResultsIO.write(laptop, Fixtures.run("laptop", "Intel Core i7-1165G7", "Intel Iris Xe Graphics",
                List.of(256, 512, 1024, 2048, 4096), 0.4, true));
        ReportWriter.write(laptop);
        ResultsIO.write(cloud, Fixtures.run("cloud-gpu", "Intel Xeon Platinum 8480+", "NVIDIA H100 80GB HBM3",
                List.of(1024, 2048, 4096, 8192), 3.0, true));
        Path out = tmp.resolve("compare");
        Path index = ReportWriter.writeComparisonOfFolders(out, List.of(laptop, cloud));
        assertReferencesExist(index);
        String html = Files.readString(index);
        assertTrue(html.contains("href=\"../laptop/index.html\""), "link to the laptop run's own report");
        assertTrue(html.contains("laptop") && html.contains("cloud-gpu"));
        assertTrue(html.contains("Intel Xeon Platinum 8480+"));
        assertTrue(html.contains("<strong>1024, 2048, 4096</strong>"));
        for (String base : List.of("comparison", "comparison-stages")) {
            assertPngChart(out.resolve(base + ".png"), 1000, 600, 5);
            assertSvg(out.resolve(base + ".svg"));
        }
        assertEquals(3, count(html, "<th>n = "), "throughput table: one column per shared size");
    }

    @Test
    void noTemporaryFilesRemain() throws Exception {
        writeFixtureReport(tmp);
        try (Stream<Path> files = Files.walk(tmp)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    @Test
    void previewForPeople() throws Exception {
        Path run = PREVIEW.resolve("run");
        Path index = writeFixtureReport(run);
        Path laptop = PREVIEW.resolve("laptop");
        ResultsIO.write(laptop, Fixtures.run("laptop", "Intel Core i7-1165G7", "Intel Iris Xe Graphics",
                List.of(256, 512, 1024, 2048, 4096), 0.4, true));
        ReportWriter.write(laptop);
        Path compare = ReportWriter.writeComparisonOfFolders(PREVIEW.resolve("comparison"), List.of(laptop, run));
        assertReferencesExist(index);
        assertReferencesExist(compare);
    }

    static int count(String text, String part) {
        int count = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            count++;
        }
        return count;
    }

}
