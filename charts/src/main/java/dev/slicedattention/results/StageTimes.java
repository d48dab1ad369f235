package dev.slicedattention.results;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Median wall-clock time of each pipeline stage of one run, in milliseconds (SPEC §2). The
 * transfers are the host↔device copies of device backends and are 0 for the JVM backends.
 *
 * <p>The JSON property names are the stage keys used everywhere in the project ({@link #KEYS}),
 * the same strings as {@code dev.slicedattention.timing.Stage#key()}.
 */
public record StageTimes(
        double projection,
        double sort,
        double prefixSum,
        double rank,
        double combine,
        double transferIn,
        double transferOut) {

    /** The stage keys, in pipeline order: the five compute stages, then the two transfers. */
    public static final List<String> KEYS =
            List.of("projection", "sort", "prefixSum", "rank", "combine", "transferIn", "transferOut");

    /** The five compute stages' keys, in pipeline order. */
    public static final List<String> COMPUTE_KEYS = KEYS.subList(0, 5);

    /** All stages 0 ms. */
    public static final StageTimes ZERO = new StageTimes(0, 0, 0, 0, 0, 0, 0);

    /**
     * Builds stage times from milliseconds keyed by stage key ({@link #KEYS}); absent keys are 0.
     *
     * @throws IllegalArgumentException for a key that is not a stage key
     */
    public static StageTimes fromMillis(Map<String, ? extends Number> millisByKey) {
        Objects.requireNonNull(millisByKey, "millisByKey");
        for (String key : millisByKey.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown stage key '" + key + "', expected one of " + KEYS);
            }
        }
        double[] values = new double[KEYS.size()];
        for (int i = 0; i < values.length; i++) {
            Number value = millisByKey.get(KEYS.get(i));
            values[i] = value == null ? 0.0 : value.doubleValue();
        }
        return new StageTimes(values[0], values[1], values[2], values[3], values[4], values[5], values[6]);
    }

    /** The time of one stage, by key ({@link #KEYS}). */
    public double millis(String key) {
        return switch (key) {
            case "projection" -> projection;
            case "sort" -> sort;
            case "prefixSum" -> prefixSum;
            case "rank" -> rank;
            case "combine" -> combine;
            case "transferIn" -> transferIn;
            case "transferOut" -> transferOut;
            default -> throw new IllegalArgumentException("unknown stage key '" + key + "', expected one of " + KEYS);
        };
    }

    /** Sum of the five compute stages, in ms. */
    public double computeMillis() {
        return projection + sort + prefixSum + rank + combine;
    }

    /** Sum of all seven stages (compute and transfers), in ms. */
    public double sumMillis() {
        return computeMillis() + transferIn + transferOut;
    }

    /** Whether either transfer is non-zero (a device backend). */
    public boolean hasTransfers() {
        return transferIn > 0 || transferOut > 0;
    }

    /** The times as an ordered map key → ms, in {@link #KEYS} order. */
    public Map<String, Double> asMap() {
        Map<String, Double> map = new LinkedHashMap<>();
        for (String key : KEYS) {
            map.put(key, millis(key));
        }
        return map;
    }

    /** A human label for a stage key: "prefixSum" → "prefix sum", "transferIn" → "transfer in". */
    public static String label(String key) {
        return switch (key) {
            case "prefixSum" -> "prefix sum";
            case "transferIn" -> "transfer in";
            case "transferOut" -> "transfer out";
            default -> key;
        };
    }
}
