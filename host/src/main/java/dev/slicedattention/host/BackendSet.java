package dev.slicedattention.host;

import dev.slicedattention.Backend;
import dev.slicedattention.BackendInfo;
import dev.slicedattention.SlicedAttention;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The backends a command runs on, opened once and kept open across sizes (so a device backend
 * reuses its plans), closed together at the end. Opening them all first means an unknown name
 * fails before any work is done.
 */
final class BackendSet implements AutoCloseable {
    private final Map<String, Backend> open = new LinkedHashMap<>();

    /** {@code names} empty: every available backend. jvm-seq is always included: it is the baseline. */
    static BackendSet open(List<String> names) {
        List<String> wanted = new ArrayList<>();
        wanted.add("jvm-seq");
        if (names == null || names.isEmpty()) {
            for (BackendInfo info : SlicedAttention.backends()) {
                wanted.add(info.name());
            }
        } else {
            wanted.addAll(names);
        }
        BackendSet set = new BackendSet();
        try {
            for (String name : wanted) {
                // Validate and showcase judge every result against the full float64 reference (and time the
                // calls): the per-call spot check would only repeat part of that and add to the timings.
                Backend backend = SlicedAttention.open(name).spotCheck(0);
                if (set.open.putIfAbsent(backend.info().name(), backend) != null) {
                    backend.close();
                }
            }
        } catch (RuntimeException failure) {
            set.close();
            throw failure;
        }
        return set;
    }

    List<Backend> backends() {
        return List.copyOf(open.values());
    }

    List<String> names() {
        return List.copyOf(open.keySet());
    }

    boolean anyTornado() {
        return open.values().stream().anyMatch(b -> b.info().family().equals("tornado"));
    }

    @Override
    public void close() {
        for (Backend backend : open.values()) {
            backend.close();
        }
        open.clear();
    }
}
