package dev.slicedattention.charts;

import dev.slicedattention.results.RunRecord;
import dev.slicedattention.results.RunResults;
import dev.slicedattention.results.StageTimes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Throughput (queries per second = heads·m / time) of every device of several runs — e.g. the
 * same showcase on a laptop, a workstation GPU and a cloud GPU — side by side: one bar group per
 * sequence length that all the runs measured ({@code comparison.png/.svg}), and per stage at the
 * largest shared length ({@code comparison-stages.png/.svg}).
 */
public final class ComparisonChart {
    public static final String FILE_BASE = "comparison";
    public static final String STAGES_FILE_BASE = "comparison-stages";

    static {
        ChartStyle.headless();
    }

    private ComparisonChart() {}

    /** The sequence lengths n that every input has at least one record for, ascending. */
    public static List<Integer> sharedSizes(List<RunResults> inputs) {
        if (inputs.isEmpty()) {
            return List.of();
        }
        TreeSet<Integer> shared = new TreeSet<>(inputs.get(0).sizes());
        for (RunResults input : inputs.subList(1, inputs.size())) {
            shared.retainAll(input.sizes());
        }
        return List.copyOf(shared);
    }

    /**
     * The bar labels, one per (input, backend), in input order: "hostname · device (backend)";
     * when two inputs share a hostname the run id is added so labels stay distinct.
     */
    public static Map<DeviceKey, String> deviceLabels(List<RunResults> inputs) {
        Map<String, Integer> hostCount = new HashMap<>();
        for (RunResults input : inputs) {
            hostCount.merge(hostname(input), 1, Integer::sum);
        }
        Map<DeviceKey, String> labels = new LinkedHashMap<>();
        Set<String> used = new LinkedHashSet<>();
        for (int i = 0; i < inputs.size(); i++) {
            RunResults input = inputs.get(i);
            String host = hostname(input);
            if (hostCount.get(host) > 1) {
                host = host + " [" + ChartStyle.nonBlank(input.runId(), "run " + (i + 1)) + "]";
            }
            for (String backend : input.backends()) {
                String device = input.device(backend).map(d -> d.deviceName())
                        .or(() -> input.runs().stream().filter(r -> r.backend().equals(backend))
                                .map(RunRecord::device).filter(d -> d != null).findFirst())
                        .orElse("unknown device");
                String label = host + " · " + device + " (" + backend + ")";
                String unique = label;
                for (int k = 2; used.contains(unique); k++) {
                    unique = label + " #" + k;
                }
                used.add(unique);
                labels.put(new DeviceKey(i, backend), unique);
            }
        }
        return labels;
    }

    /** One bar series: the index of the input in the list and a backend of it. */
    public record DeviceKey(int input, String backend) {}

    /**
     * Whole-pass throughput: rows (series) are devices ({@link #deviceLabels}), columns are the
     * shared sizes ("n = 1024"), one column per shared size; values in queries per second
     * (missing where that device did not run that size).
     */
    public static DefaultCategoryDataset throughputDataset(List<RunResults> inputs) {
        DefaultCategoryDataset dataset = new DefaultCategoryDataset();
        List<Integer> shared = sharedSizes(inputs);
        Map<DeviceKey, String> labels = deviceLabels(inputs);
        for (Map.Entry<DeviceKey, String> entry : labels.entrySet()) {
            RunResults input = inputs.get(entry.getKey().input());
            for (int n : shared) {
                Double value = input.record(entry.getKey().backend(), n)
                        .map(RunRecord::tokensPerSecond).filter(v -> v > 0).orElse(null);
                dataset.addValue(value, entry.getValue(), column(n));
            }
        }
        return dataset;
    }

    /**
     * Per-stage throughput at the largest shared size: rows are devices, columns the stages
     * (compute stages; transfers when some device has them), values heads·m / stage time.
     */
    public static DefaultCategoryDataset stageDataset(List<RunResults> inputs) {
        DefaultCategoryDataset dataset = new DefaultCategoryDataset();
        List<Integer> shared = sharedSizes(inputs);
        if (shared.isEmpty()) {
            return dataset;
        }
        int n = shared.get(shared.size() - 1);
        Map<DeviceKey, String> labels = deviceLabels(inputs);
        boolean transfers = inputs.stream().flatMap(r -> r.runs().stream())
                .anyMatch(r -> r.n() == n && r.stages().hasTransfers());
        List<String> stages = transfers ? StageTimes.KEYS : StageTimes.COMPUTE_KEYS;
        for (Map.Entry<DeviceKey, String> entry : labels.entrySet()) {
            RunResults input = inputs.get(entry.getKey().input());
            RunRecord run = input.record(entry.getKey().backend(), n).orElse(null);
            for (String stage : stages) {
                Double value = null;
                if (run != null) {
                    double tps = run.stageTokensPerSecond(stage);
                    value = Double.isFinite(tps) && tps > 0 ? tps : null;
                }
                dataset.addValue(value, entry.getValue(), StageTimes.label(stage));
            }
        }
        return dataset;
    }

    /** Writes comparison.png/.svg and comparison-stages.png/.svg into {@code folder}. */
    public static List<ChartFiles> write(Path folder, List<RunResults> inputs) throws IOException {
        return List.of(
                ChartIO.write(create(inputs), folder, FILE_BASE, ChartStyle.WIDTH, ChartStyle.HEIGHT),
                ChartIO.write(createStages(inputs), folder, STAGES_FILE_BASE, ChartStyle.WIDTH, ChartStyle.HEIGHT));
    }

    /** The whole-pass chart: one bar group per shared size, one bar per device. */
    public static JFreeChart create(List<RunResults> inputs) {
        DefaultCategoryDataset dataset = throughputDataset(inputs);
        List<Integer> shared = sharedSizes(inputs);
        CategoryPlot plot = barPlot(dataset, "sequence length n (shared by all runs)",
                "queries per second (heads·m / s)", "queries per second (heads·m / s, log scale)");
        plot.setNoDataMessage(inputs.isEmpty() ? "No results to compare."
                : "No sequence length was measured by all " + inputs.size() + " runs: nothing to compare.");
        List<String> subtitles = new ArrayList<>();
        subtitles.add(machinesLine(inputs));
        subtitles.add("whole forward pass, transfers included · shared sizes: "
                + (shared.isEmpty() ? "none" : joinInts(shared)) + " · " + shapesLine(inputs));
        return ChartStyle.chart("Throughput of sliced ReLU attention by machine and device", plot, subtitles, true);
    }

    /** The per-stage chart at the largest shared size. */
    public static JFreeChart createStages(List<RunResults> inputs) {
        DefaultCategoryDataset dataset = stageDataset(inputs);
        List<Integer> shared = sharedSizes(inputs);
        String n = shared.isEmpty() ? "?" : Integer.toString(shared.get(shared.size() - 1));
        CategoryPlot plot = barPlot(dataset, "pipeline stage at n = " + n,
                "queries per second through the stage", "queries / s through the stage (log scale)");
        plot.setNoDataMessage(inputs.isEmpty() ? "No results to compare."
                : "No sequence length was measured by all " + inputs.size() + " runs: nothing to compare.");
        List<String> subtitles = new ArrayList<>();
        subtitles.add(machinesLine(inputs));
        subtitles.add("heads·m / median stage time, at the largest shared n = " + n + " · " + shapesLine(inputs));
        return ChartStyle.chart("Stage throughput by machine and device", plot, subtitles, true);
    }

    private static CategoryPlot barPlot(DefaultCategoryDataset dataset, String categoryLabel, String valueLabel,
            String logValueLabel) {
        List<Double> values = new ArrayList<>();
        for (int r = 0; r < dataset.getRowCount(); r++) {
            for (int c = 0; c < dataset.getColumnCount(); c++) {
                Number v = dataset.getValue(r, c);
                if (v != null) {
                    values.add(v.doubleValue());
                }
            }
        }
        double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(1);
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(10);
        BarRenderer renderer = new BarRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setItemMargin(0.04);
        renderer.setMaximumBarWidth(0.08);
        ValueAxis valueAxis;
        if (ChartStyle.spans(values, 20)) {
            LogAxis log = ChartStyle.decadeAxis(logValueLabel, min, max);
            renderer.setBase(log.getLowerBound());
            valueAxis = log;
        } else {
            NumberAxis linear = ChartStyle.linearAxis(valueLabel);
            linear.setUpperMargin(0.1);
            valueAxis = linear;
        }
        for (int r = 0; r < dataset.getRowCount(); r++) {
            renderer.setSeriesPaint(r, ChartStyle.seriesColour(r));
        }
        CategoryAxis categoryAxis = new CategoryAxis(categoryLabel);
        categoryAxis.setLabelFont(ChartStyle.AXIS_LABEL_FONT);
        categoryAxis.setTickLabelFont(ChartStyle.TICK_FONT);
        categoryAxis.setCategoryMargin(0.2);
        categoryAxis.setCategoryLabelPositions(CategoryLabelPositions.STANDARD);
        CategoryPlot plot = new CategoryPlot(dataset, categoryAxis, valueAxis, renderer);
        ChartStyle.styleCategoryPlot(plot);
        return plot;
    }

    private static String column(int n) {
        return "n = " + n;
    }

    private static String hostname(RunResults input) {
        return input.machine() == null ? "unknown host" : ChartStyle.nonBlank(input.machine().hostname(), "unknown host");
    }

    private static String machinesLine(List<RunResults> inputs) {
        List<String> parts = new ArrayList<>();
        for (RunResults input : inputs) {
            String cpu = input.machine() == null ? "?" : ChartStyle.nonBlank(input.machine().cpuModel(), "?");
            parts.add(hostname(input) + ": " + cpu);
        }
        return parts.isEmpty() ? "" : "machines: " + String.join("; ", parts);
    }

    private static String shapesLine(List<RunResults> inputs) {
        Set<String> shapes = new LinkedHashSet<>();
        for (RunResults input : inputs) {
            String shape = ChartStyle.shapeLine(input);
            if (!shape.isEmpty()) {
                shapes.add(shape);
            }
        }
        if (shapes.isEmpty()) {
            return "shapes unknown";
        }
        return shapes.size() == 1 ? shapes.iterator().next()
                : "note: the runs used different shapes (" + String.join(" / ", shapes) + ")";
    }

    private static String joinInts(List<Integer> values) {
        List<String> text = new ArrayList<>();
        for (int v : values) {
            text.add(Integer.toString(v));
        }
        return String.join(", ", text);
    }
}
