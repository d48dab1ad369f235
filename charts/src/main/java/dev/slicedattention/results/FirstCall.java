package dev.slicedattention.results;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The first, untimed call of a benchmarked shape: its wall time and, for a device backend, the measured
 * parts the backend reported (for TornadoVM: {@code planBuild}, {@code tornadoCompile}, {@code
 * deviceBuild}, {@code firstTransfers}, {@code firstKernels}, {@code allocationAndDispatch}; see the
 * backend's ForwardPlan). {@code otherMillis} is the wall time the parts do not cover (host copies, the
 * executes after each graph's first, JIT of the host code).
 *
 * @param backend         the backend measured
 * @param kernel          relu or bump
 * @param heads           problems per call
 * @param n               keys (and queries) per problem
 * @param d               query/key dimension
 * @param e               value dimension
 * @param firstCallMillis wall time of the first call
 * @param setupMillis     the part the backend reported as setup (plan building and compilation)
 * @param partsMillis     the measured parts, in ms, in the backend's order (empty for the JVM backends)
 * @param otherMillis     firstCallMillis less the sum of the parts; null when there are no parts
 */
public record FirstCall(String backend, String kernel, int heads, int n, int d, int e, double firstCallMillis,
                        double setupMillis, Map<String, Double> partsMillis, Double otherMillis) {
    public FirstCall {
        partsMillis = partsMillis == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(partsMillis));
    }
}
