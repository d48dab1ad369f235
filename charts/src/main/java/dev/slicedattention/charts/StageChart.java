package dev.slicedattention.charts;

import dev.slicedattention.results.RunRecord;
import dev.slicedattention.results.RunResults;
import dev.slicedattention.results.StageTimes;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.text.NumberFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.annotations.CategoryTextAnnotation;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.CategoryAnchor;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.StackedBarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Where the time goes: for every backend at the largest n, the median time of each stage
 * (projection, sort, prefix sum, rank, combine; host↔device transfers for device backends) as
 * stacked horizontal bars, in ms on the left and as a share of the backend's total on the right.
 * Written as {@code stages.png} / {@code stages.svg}.
 */
public final class StageChart {
    public static final String FILE_BASE = "stages";

    /** Series key of the time the stages do not account for (total − sum of stages), when noticeable. */
    static final String OTHER = "other";

    static {
        ChartStyle.headless();
    }

    private StageChart() {}

    public static ChartFiles write(Path folder, RunResults results) throws IOException {
        return write(folder, results, ChartStyle.WIDTH, ChartStyle.HEIGHT);
    }

    public static ChartFiles write(Path folder, RunResults results, int width, int height) throws IOException {
        return ChartIO.write(create(results), folder, FILE_BASE, width, height);
    }

    /**
     * The per-backend stage times (ms) at n: rows are stage keys ({@link StageTimes#KEYS}, transfers
     * only when some backend has them, plus "other" when the total exceeds the stage sum by more
     * than 2%), columns are backends that have a record at n.
     */
    public static DefaultCategoryDataset dataset(RunResults results, int n) {
        Map<String, RunRecord> atN = recordsAt(results, n);
        boolean transfers = atN.values().stream().anyMatch(r -> r.stages().hasTransfers());
        boolean other = atN.values().stream().anyMatch(r -> otherMillis(r) > 0);
        DefaultCategoryDataset dataset = new DefaultCategoryDataset();
        for (String key : StageTimes.KEYS) {
            if (!transfers && (key.equals("transferIn") || key.equals("transferOut"))) {
                continue;
            }
            for (Map.Entry<String, RunRecord> entry : atN.entrySet()) {
                dataset.addValue(entry.getValue().stages().millis(key), key, entry.getKey());
            }
        }
        if (other) {
            for (Map.Entry<String, RunRecord> entry : atN.entrySet()) {
                dataset.addValue(otherMillis(entry.getValue()), OTHER, entry.getKey());
            }
        }
        return dataset;
    }

    public static JFreeChart create(RunResults results) {
        Optional<Integer> largest = results.largestN();
        int n = largest.orElse(0);
        DefaultCategoryDataset dataset = largest.isPresent() ? dataset(results, n) : new DefaultCategoryDataset();
        Map<String, RunRecord> atN = largest.isPresent() ? recordsAt(results, n) : Map.of();

        CategoryAxis backendAxis = new CategoryAxis("backend");
        backendAxis.setLabelFont(ChartStyle.AXIS_LABEL_FONT);
        backendAxis.setTickLabelFont(ChartStyle.TICK_FONT);
        backendAxis.setCategoryMargin(0.25);
        backendAxis.setMaximumCategoryLabelWidthRatio(0.5f);

        // Left: absolute time, with the total written at the end of each bar.
        NumberAxis millisAxis = ChartStyle.linearAxis("time per stage at n = " + n + " (ms)");
        millisAxis.setUpperMargin(0.22);
        StackedBarRenderer absolute = renderer(dataset, false);
        CategoryPlot left = new CategoryPlot(dataset, null, millisAxis, absolute);
        ChartStyle.styleCategoryPlot(left);
        left.setRangeAxisLocation(AxisLocation.BOTTOM_OR_LEFT);
        for (Map.Entry<String, RunRecord> entry : atN.entrySet()) {
            RunRecord run = entry.getValue();
            double barEnd = Math.max(run.totalMillis(), run.stages().sumMillis());
            CategoryTextAnnotation label = new CategoryTextAnnotation(
                    "  " + ChartStyle.compact(run.totalMillis()) + " ms", entry.getKey(), barEnd);
            label.setFont(ChartStyle.ANNOTATION_FONT);
            label.setPaint(ChartStyle.TEXT);
            label.setTextAnchor(TextAnchor.CENTER_LEFT);
            label.setCategoryAnchor(CategoryAnchor.MIDDLE);
            left.addAnnotation(label);
        }

        // Right: each stage's share of the backend's time.
        NumberAxis shareAxis = ChartStyle.linearAxis("share of the backend's time");
        NumberFormat percent = NumberFormat.getPercentInstance(Locale.ROOT);
        shareAxis.setNumberFormatOverride(percent);
        shareAxis.setRange(0, 1);
        StackedBarRenderer share = renderer(dataset, true);
        CategoryPlot right = new CategoryPlot(dataset, null, shareAxis, share);
        ChartStyle.styleCategoryPlot(right);
        right.setRangeAxisLocation(AxisLocation.BOTTOM_OR_LEFT);

        CombinedDomainCategoryPlot plot = new CombinedDomainCategoryPlot(backendAxis);
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        plot.setGap(24);
        plot.add(left, 3);
        plot.add(right, 2);
        plot.setNoDataMessage("No timed runs in these results.");
        plot.setNoDataMessageFont(ChartStyle.NO_DATA_FONT);
        if (dataset.getRowCount() == 0 || dataset.getColumnCount() == 0) {
            // A combined plot draws empty subplots without a message: say it in the subplots.
            left.setNoDataMessage("No timed runs in these results.");
        }

        LegendItemCollection legend = new LegendItemCollection();
        for (int row = 0; row < dataset.getRowCount(); row++) {
            String key = (String) dataset.getRowKey(row);
            legend.add(new LegendItem(label(key), ChartStyle.stageColour(key)));
        }
        plot.setFixedLegendItems(legend);

        List<String> subtitles = new ArrayList<>();
        String where = ChartStyle.machineLine(results.machine());
        subtitles.add(where);
        subtitles.add(ChartStyle.deviceLine(results));
        StringBuilder shape = new StringBuilder();
        if (!atN.isEmpty()) {
            RunRecord any = atN.values().iterator().next();
            shape.append("n = ").append(n).append(", m = ").append(any.m()).append(", heads = ")
                    .append(any.heads()).append(", d = ").append(any.d()).append(", e = ").append(any.e())
                    .append(" · median ms per stage; the bar label is the whole pass");
        }
        List<String> missing = new ArrayList<>();
        for (String backend : results.backends()) {
            if (!atN.containsKey(backend)) {
                missing.add(backend);
            }
        }
        if (!missing.isEmpty() && largest.isPresent()) {
            shape.append(" · not run at n = ").append(n).append(": ").append(String.join(", ", missing));
        }
        subtitles.add(shape.toString());
        return ChartStyle.chart("Time per pipeline stage, largest n", plot, subtitles, true);
    }

    private static StackedBarRenderer renderer(DefaultCategoryDataset dataset, boolean percentages) {
        StackedBarRenderer renderer = new StackedBarRenderer(percentages);
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setDrawBarOutline(true);
        renderer.setDefaultOutlinePaint(Color.WHITE);
        renderer.setMaximumBarWidth(0.18);
        for (int row = 0; row < dataset.getRowCount(); row++) {
            renderer.setSeriesPaint(row, ChartStyle.stageColour((String) dataset.getRowKey(row)));
            renderer.setSeriesOutlinePaint(row, Color.WHITE);
        }
        return renderer;
    }

    private static String label(String key) {
        return OTHER.equals(key) ? "other (not in a stage)" : StageTimes.label(key);
    }

    private static Map<String, RunRecord> recordsAt(RunResults results, int n) {
        Map<String, RunRecord> atN = new LinkedHashMap<>();
        for (Map.Entry<String, TreeMap<Integer, RunRecord>> entry : Series.byBackend(results).entrySet()) {
            RunRecord run = entry.getValue().get(n);
            if (run != null) {
                atN.put(entry.getKey(), run);
            }
        }
        return atN;
    }

    private static double otherMillis(RunRecord run) {
        double gap = run.totalMillis() - run.stages().sumMillis();
        return gap > 0.02 * run.totalMillis() ? gap : 0;
    }
}
