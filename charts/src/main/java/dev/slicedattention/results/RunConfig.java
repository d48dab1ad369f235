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
 * @param kernel   the kernel, {@code relu} or {@code bump} (results written before it existed read as relu)
 * @param bandwidth how the bump's b was chosen ("0.7", or "0.5 × std of projected keys"); null for relu
 */
public record RunConfig(List<Integer> sizes, int heads, int dim, int valueDim, int repeats, List<String> backends,
                        String kernel, String bandwidth) {
    public RunConfig {
        sizes = sizes == null ? List.of() : List.copyOf(sizes);
        backends = backends == null ? List.of() : List.copyOf(backends);
        kernel = kernel == null ? "relu" : kernel;
    }

    /** A ReLU-kernel run. */
    public RunConfig(List<Integer> sizes, int heads, int dim, int valueDim, int repeats, List<String> backends) {
        this(sizes, heads, dim, valueDim, repeats, backends, "relu", null);
    }

    /** "relu", or "bump (b = …)". */
    public String kernelText() {
        return bandwidth == null ? kernel : kernel + " (b = " + bandwidth + ")";
    }
}
