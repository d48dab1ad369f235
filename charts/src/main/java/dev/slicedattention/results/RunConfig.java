package dev.slicedattention.results;

import java.util.List;

/**
 * What the run was asked to measure.
 *
 * @param sizes    the sequence lengths n (m = n unless a record says otherwise)
 * @param heads    problems per launch (batch × heads)
 * @param dim      d, the query/key dimension
 * @param valueDim e, the value dimension
 * @param repeats  timed repetitions per (backend, size); stage times are their medians
 * @param backends the backend ids asked for
 */
public record RunConfig(List<Integer> sizes, int heads, int dim, int valueDim, int repeats, List<String> backends) {
    public RunConfig {
        sizes = sizes == null ? List.of() : List.copyOf(sizes);
        backends = backends == null ? List.of() : List.copyOf(backends);
    }
}
