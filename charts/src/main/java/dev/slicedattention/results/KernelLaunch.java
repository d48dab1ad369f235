package dev.slicedattention.results;

import java.util.List;

/**
 * How a device kernel was launched, as a backend may record it beside its kernel dumps in
 * {@code kernels/launches.json} (a JSON array of these). The kernel gallery shows it under the
 * kernel. The TornadoVM backend writes it (graphs/KernelLaunches): TornadoVM's thread info of each task's
 * first launch, and its count of graph executes per call.
 *
 * @param backend         the backend, e.g. "tornado:0:0"
 * @param file            the dump's file stem the kernel is in, e.g. "sort-global"
 * @param task            the task's name in its graph, e.g. "global"; may be null
 * @param kernel          the kernel's name, as in the dump, e.g. "globalPass"
 * @param n               the keys per problem of the plan it was recorded for
 * @param global          the global work size, one value per dimension
 * @param local           the local work size (work-group), one value per dimension; null when the driver chose it
 * @param launchesPerCall how often one forward call launches it
 */
public record KernelLaunch(String backend, String file, String task, String kernel, Integer n, List<Long> global,
                           List<Long> local, Long launchesPerCall) {
    /** The file a backend writes into the run's kernels folder. */
    public static final String FILE = "launches.json";

    public KernelLaunch {
        global = global == null ? null : List.copyOf(global);
        local = local == null ? null : List.copyOf(local);
    }
}
