package dev.slicedattention.timing;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wall-clock time spent in each {@link Stage} of one forward pass, in nanoseconds. Backends add to
 * it stage by stage; a batched pass adds the time of every head. Not thread-safe.
 */
public final class StageTimes {
    private final EnumMap<Stage, Long> nanos = new EnumMap<>(Stage.class);
    private long setupNanos;
    private final Map<String, Long> setupParts = new LinkedHashMap<>();

    /**
     * Time spent preparing to run rather than running: building a device execution plan and JIT
     * compiling its kernels on the first call for a shape. Kept apart from the stages (and from
     * {@link #totalNanos()}) because a steady-state call does not pay it.
     */
    public void addSetup(long elapsedNanos) {
        setupNanos += elapsedNanos;
    }

    public long setupNanos() {
        return setupNanos;
    }

    /**
     * Adds to a named, measured part of a first call (a device backend's plan building, kernel
     * compilation, first transfers...); parts are a breakdown for reports and add nothing to
     * {@link #setupNanos()} or the stages.
     */
    public void addSetupPart(String part, long elapsedNanos) {
        setupParts.merge(part, elapsedNanos, Long::sum);
    }

    /** The named parts of a first call, in the order they were first added (empty when none were reported). */
    public Map<String, Long> setupParts() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(setupParts));
    }

    public void add(Stage stage, long elapsedNanos) {
        nanos.merge(stage, elapsedNanos, Long::sum);
    }

    public long nanos(Stage stage) {
        return nanos.getOrDefault(stage, 0L);
    }

    public double millis(Stage stage) {
        return nanos(stage) / 1e6;
    }

    /** Sum over all stages, transfers included, setup excluded. */
    public long totalNanos() {
        long total = 0;
        for (long value : nanos.values()) {
            total += value;
        }
        return total;
    }

    public Map<Stage, Long> asMap() {
        return Map.copyOf(nanos);
    }

    /** Runs {@code body} and charges its wall-clock time to {@code stage}. */
    public void time(Stage stage, Runnable body) {
        long start = System.nanoTime();
        body.run();
        add(stage, System.nanoTime() - start);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("StageTimes[");
        for (Stage stage : Stage.values()) {
            if (nanos.containsKey(stage)) {
                text.append(stage.key()).append('=').append(String.format("%.3f", millis(stage))).append("ms ");
            }
        }
        if (setupNanos > 0) {
            text.append("setup=").append(String.format("%.3f", setupNanos / 1e6)).append("ms ");
        }
        return text.append("total=").append(String.format("%.3f", totalNanos() / 1e6)).append("ms]").toString();
    }
}
