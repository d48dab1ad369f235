package dev.slicedattention.report;

import dev.slicedattention.report.ReportPage.Chart;
import dev.slicedattention.results.MachineInfo;
import dev.slicedattention.results.RunRecord;
import java.util.List;

/**
 * What the comparison of several runs ({@code sliced-attention chart DIR DIR...}) shows, gathered by
 * {@link ReportWriter}; its markup is {@code src/main/jte/report/comparison.jte}.
 *
 * @param sharedSizes the sequence lengths every run measured
 * @param machines    one row per run compared
 * @param throughput  one row per device of every run, a cell per shared size (null where it has none)
 */
public record ComparisonPage(String title, int runs, long failing, List<Integer> sharedSizes, List<MachineRow> machines,
                             Chart devices, Chart deviceStages, List<ThroughputRow> throughput) {

    /**
     * A run compared: its machine (null where results.json names none), its devices as
     * {@code backend: device} pairs, and a link to its own report (null where it has none).
     */
    public record MachineRow(int number, MachineInfo machine, List<String> devices, String runId, String reportHref,
                             String createdAt, boolean passed) {}

    public record ThroughputRow(String device, List<RunRecord> cells) {}
}
