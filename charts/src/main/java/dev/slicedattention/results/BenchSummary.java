package dev.slicedattention.results;

import java.util.List;

/**
 * What the JMH suite writes as {@code bench-summary.json} beside a run's results.json.
 *
 * @param runId     the run id (the folder's name)
 * @param createdAt ISO-8601 instant
 * @param machine   where it ran
 * @param entries   one per (benchmark, backend, stage, shape)
 * @param firstCalls the first call of each forward-pass configuration with its measured parts (empty in
 *                  summaries written before they were recorded)
 */
public record BenchSummary(String runId, String createdAt, MachineInfo machine, List<BenchEntry> entries,
                           List<FirstCall> firstCalls) {
    public BenchSummary {
        entries = entries == null ? List.of() : List.copyOf(entries);
        firstCalls = firstCalls == null ? List.of() : List.copyOf(firstCalls);
    }

    /** A summary without first calls. */
    public BenchSummary(String runId, String createdAt, MachineInfo machine, List<BenchEntry> entries) {
        this(runId, createdAt, machine, entries, List.of());
    }
}
