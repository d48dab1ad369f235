package dev.slicedattention.charts;

import dev.slicedattention.results.RunRecord;
import dev.slicedattention.results.RunResults;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Groups a run's records per backend and per n (one record per (backend, n): the first). */
final class Series {
    private Series() {}

    /** backend → (n → record), backends in first-appearance order, n ascending. */
    static Map<String, TreeMap<Integer, RunRecord>> byBackend(RunResults results) {
        Map<String, TreeMap<Integer, RunRecord>> map = new LinkedHashMap<>();
        for (RunRecord run : results.runs()) {
            map.computeIfAbsent(run.backend(), b -> new TreeMap<>()).putIfAbsent(run.n(), run);
        }
        return map;
    }

    static List<RunRecord> ordered(TreeMap<Integer, RunRecord> byN) {
        return new ArrayList<>(byN.values());
    }
}
