package dev.slicedattention.host;

import dev.slicedattention.calibration.Calibration;
import dev.slicedattention.calibration.CostModel;
import dev.slicedattention.calibration.ProblemWork;
import dev.slicedattention.validation.Kernel;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A calibration as {@code calibrate} and {@code devices} print it: the fitted models, then auto's choice for a few shapes. */
final class CalibrationTable {
    /** P and n of the shapes whose predictions are shown (d = e = 64, ReLU). */
    private static final int[][] SHAPES = {{1, 1 << 10}, {1, 1 << 14}, {16, 1 << 14}, {8, 1 << 16}, {1 << 4, 1 << 18}, {1, 1 << 20}};

    private CalibrationTable() {}

    static void print(Calibration calibration, PrintStream out) {
        out.printf("measured %s by version %s on %s, in %.1f s%n", calibration.created(), calibration.version(),
                calibration.machine(), calibration.sweepSeconds());
        Table models = new Table("backend", "call", "points", "fixed ms", "ns/element", "ns/sort unit");
        for (Map.Entry<String, Map<String, Calibration.Fit>> backend : calibration.models().entrySet()) {
            for (Map.Entry<String, Calibration.Fit> mode : backend.getValue().entrySet()) {
                CostModel model = mode.getValue().model();
                models.add(backend.getKey(), mode.getKey(), mode.getValue().points().size(), Table.ms(model.fixedNanos() / 1e6),
                        String.format("%.3f", model.elementNanos()), String.format("%.3f", model.sortNanos()));
            }
        }
        models.print(out);
        out.println("model: time = fixed + ns/element x (L+M)(d+e) + ns/sort unit x (L log2 L + M log2 M), summed over the P problems"
                + " (L keys, M queries each); a causal call without its own points uses its kernel's model");

        List<String> header = new ArrayList<>(List.of("P", "n"));
        List<String> backends = calibration.backends().stream().filter(calibration.models()::containsKey).toList();
        for (String backend : backends) {
            header.add(backend + " ms");
        }
        header.add("auto");
        Table predictions = new Table(header.toArray(String[]::new));
        for (int[] shape : SHAPES) {
            ProblemWork work = ProblemWork.uniform(shape[0], shape[1], shape[1], 64, 64);
            List<Object> row = new ArrayList<>(List.of(shape[0], "2^" + Integer.numberOfTrailingZeros(shape[1])));
            String best = "-";
            double bestNanos = Double.POSITIVE_INFINITY;
            for (String backend : backends) {
                Optional<Double> nanos = calibration.predictNanos(backend, Kernel.RELU, false, work);
                row.add(nanos.map(v -> Table.ms(v / 1e6)).orElse("-"));
                if (nanos.isPresent() && nanos.get() < bestNanos) {
                    bestNanos = nanos.get();
                    best = backend;
                }
            }
            row.add(best);
            predictions.add(row.toArray());
        }
        out.println("predicted ReLU calls, d = e = 64, and the backend auto runs them on:");
        predictions.print(out);
    }
}
