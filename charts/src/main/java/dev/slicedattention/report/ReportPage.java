package dev.slicedattention.report;

import dev.slicedattention.results.BenchEntry;
import dev.slicedattention.results.DeviceInfo;
import dev.slicedattention.results.PeerResults;
import dev.slicedattention.results.RunConfig;
import dev.slicedattention.results.RunRecord;
import java.util.List;

/**
 * What a run's {@code index.html} shows, gathered and computed by {@link ReportWriter}; its markup is
 * {@code src/main/jte/report/index.jte}. Numbers stay numbers here: the template formats them
 * ({@link Html}). A field that may be absent is null where the page leaves its part out.
 *
 * @param verdict      the banner
 * @param fastest      the fastest backend at the largest n, or null
 * @param crossovers   per backend with a softmax timing, where sliced attention overtakes it
 * @param charts       the run's charts, in the page's order
 * @param dataFiles    the raw data files present beside the page (results.json, ...)
 * @param machine      the machine table's rows
 * @param config       the run's configuration, or null
 * @param kernelFiles  the device code files the run dumped
 * @param bench        the stage-efficiency section from bench-summary.json, or null without the file
 * @param peers        the end-to-end comparison from peers.json, or null without the file
 */
public record ReportPage(String title, Verdict verdict, String createdAt, String command, String machineSummary,
                         Fastest fastest, List<Crossover> crossovers, String galleryHref, Charts charts, ResultsTable results,
                         List<String> dataFiles, List<Row> machine, List<DeviceInfo> devices, RunConfig config,
                         List<KernelFile> kernelFiles, Bench bench, Peers peers) {

    /** The pass/fail banner: every run, and the failing ones ({@code backend at n = ...}, at most ten). */
    public record Verdict(int runs, long failed, boolean allPassed, List<String> failing, boolean moreFailing) {}

    public record Fastest(int n, RunRecord run) {}

    /** {@code label} is null where the lines do not cross within the measured sizes. */
    public record Crossover(String backend, String label) {}

    /** A chart's two files, as relative links. */
    public record Chart(String png, String svg) {}

    public record Charts(Chart speedup, Chart stages, Chart crossover, Chart error, Chart devices, Chart deviceStages) {}

    /**
     * The results table: the runs in backend order, then by n; the stage columns shown, and whether
     * the optional columns are.
     */
    public record ResultsTable(List<String> stages, List<String> stageLabels, boolean firstCall, boolean softmax,
                               List<ResultRow> rows) {}

    public record ResultRow(RunRecord run, String spread) {}

    /** A key/value row of a two-column table. */
    public record Row(String key, String value) {}

    /** A dumped kernel file; {@code href} is null where the file is not inside the results folder. */
    public record KernelFile(String backend, String stage, String file, String href) {}

    /**
     * The stage-efficiency section: {@code problem} when bench-summary.json cannot be read; else the
     * table (the largest n per backend and stage) and the memory roofs measured.
     */
    public record Bench(String problem, List<String> stageLabels, List<BenchRow> rows, List<String> roofs) {}

    /** A backend's entries, one per column of {@link Bench#stageLabels}, null where it has none. */
    public record BenchRow(String backend, List<BenchEntry> cells) {}

    /** {@code problem} when peers.json cannot be read; {@code numpySeconds} is null without a NumPy time. */
    public record Peers(String problem, PeerResults results, Double numpySeconds) {}
}
