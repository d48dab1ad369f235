package dev.slicedattention.results;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Everything one run of the host CLI measured: the contents of {@code results/<run-id>/results.json}.
 *
 * @param runId     the run's id, also the name of its folder
 * @param createdAt ISO-8601 instant the run started, e.g. "2025-06-01T12:00:00Z"
 * @param command   the command line that produced it
 * @param machine   the host machine
 * @param devices   the backends / devices that took part
 * @param config    what was asked for
 * @param runs      one record per (backend, size)
 * @param kernels   dumped device kernels (paths relative to the results folder); may be empty
 * @param allPassed every record passed its accuracy check
 */
public record RunResults(
        String runId,
        String createdAt,
        String command,
        MachineInfo machine,
        List<DeviceInfo> devices,
        RunConfig config,
        List<RunRecord> runs,
        List<KernelDump> kernels,
        boolean allPassed) {

    public RunResults {
        devices = devices == null ? List.of() : List.copyOf(devices);
        runs = runs == null ? List.of() : List.copyOf(runs);
        kernels = kernels == null ? List.of() : List.copyOf(kernels);
    }

    /** Builds results with {@code allPassed} computed: true when there is at least one record and all pass. */
    public static RunResults of(
            String runId,
            String createdAt,
            String command,
            MachineInfo machine,
            List<DeviceInfo> devices,
            RunConfig config,
            List<RunRecord> runs,
            List<KernelDump> kernels) {
        boolean all = runs != null && !runs.isEmpty() && runs.stream().allMatch(RunRecord::pass);
        return new RunResults(runId, createdAt, command, machine, devices, config, runs, kernels, all);
    }

    /** The backends that have records, in first-appearance order. */
    public List<String> backends() {
        LinkedHashSet<String> names = new LinkedHashSet<>();
        for (RunRecord run : runs) {
            names.add(run.backend());
        }
        return List.copyOf(names);
    }

    /** The distinct n of all records, ascending. */
    public List<Integer> sizes() {
        TreeSet<Integer> sizes = new TreeSet<>();
        for (RunRecord run : runs) {
            sizes.add(run.n());
        }
        return List.copyOf(sizes);
    }

    /** The largest n of any record. */
    public Optional<Integer> largestN() {
        List<Integer> sizes = sizes();
        return sizes.isEmpty() ? Optional.empty() : Optional.of(sizes.get(sizes.size() - 1));
    }

    /** The records of one backend, ascending in n (stable for equal n). */
    public List<RunRecord> recordsFor(String backend) {
        List<RunRecord> list = new ArrayList<>();
        for (RunRecord run : runs) {
            if (run.backend().equals(backend)) {
                list.add(run);
            }
        }
        list.sort(java.util.Comparator.comparingInt(RunRecord::n));
        return list;
    }

    /** The record of one backend at one n (the first if several), if any. */
    public Optional<RunRecord> record(String backend, int n) {
        return runs.stream().filter(r -> r.backend().equals(backend) && r.n() == n).findFirst();
    }

    /** The device entry of a backend, if listed. */
    public Optional<DeviceInfo> device(String backend) {
        return devices.stream().filter(d -> d.backend().equals(backend)).findFirst();
    }

    /** How many records failed their accuracy check. */
    public long failures() {
        return runs.stream().filter(r -> !r.pass()).count();
    }

    /**
     * Whether {@code record}'s timing cannot be ranked against another backend's at the same size:
     * its spread is too wide ({@link TimingSpread#wide}), or its interquartile range overlaps another
     * backend's. False when no spread was recorded.
     */
    public boolean unranked(RunRecord record) {
        TimingSpread spread = record.timing();
        if (spread == null) {
            return false;
        }
        if (spread.wide(record.totalMillis())) {
            return true;
        }
        for (RunRecord other : runs()) {
            if (other != record && other.n() == record.n() && !other.backend().equals(record.backend())
                    && spread.overlaps(other.timing())) {
                return true;
            }
        }
        return false;
    }

    /** "±4% of 37 calls", with " ≈" when {@link #unranked}; "–" without a recorded spread. */
    public String spreadText(RunRecord record) {
        TimingSpread spread = record.timing();
        if (spread == null) {
            return "–";
        }
        return String.format(java.util.Locale.ROOT, "±%.0f%%/%d%s", 50 * spread.relative(record.totalMillis()),
                spread.calls(), unranked(record) ? " ≈" : "");
    }
}
