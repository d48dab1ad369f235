package dev.slicedattention.results;

import java.util.List;

/**
 * What the JMH suite writes as {@code bench-summary.json} beside a run's results.json.
 *
 * @param runId     the run id (the folder's name)
 * @param createdAt ISO-8601 instant
 * @param machine   where it ran
 * @param entries   one per (benchmark, backend, stage, shape)
 */
public record BenchSummary(String runId, String createdAt, MachineInfo machine, List<BenchEntry> entries) {
    public BenchSummary {
        entries = entries == null ? List.of() : List.copyOf(entries);
    }
}
