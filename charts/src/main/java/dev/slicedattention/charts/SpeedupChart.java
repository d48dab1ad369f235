package dev.slicedattention.charts;

import dev.slicedattention.results.RunRecord;
import dev.slicedattention.results.RunResults;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * Speedup of each backend over jvm-seq against the sequence length n (log₂ axis), one line per
 * backend, with the jvm-seq baseline (1×) marked. Written as {@code speedup.png} / {@code speedup.svg}.
 */
public final class SpeedupChart {
    public static final String FILE_BASE = "speedup";

    static {
        ChartStyle.headless();
    }

    private SpeedupChart() {}

    /** Renders {@code speedup.png} and {@code speedup.svg} into {@code folder} at the default size. */
    public static ChartFiles write(Path folder, RunResults results) throws IOException {
        return write(folder, results, ChartStyle.WIDTH, ChartStyle.HEIGHT);
    }

    public static ChartFiles write(Path folder, RunResults results, int width, int height) throws IOException {
        return ChartIO.write(create(results), folder, FILE_BASE, width, height);
    }

    /** The chart. Never throws for empty or partial results: it says what is missing instead. */
    public static JFreeChart create(RunResults results) {
        Map<String, TreeMap<Integer, RunRecord>> byBackend = Series.byBackend(results);
        List<String> backends = new ArrayList<>(byBackend.keySet());
        // Each point carries the interval its timing spreads allow (jvm-seq's quartiles over this
        // backend's): error bars, so that a difference within the noise does not read as a trend.
        YIntervalSeriesCollection dataset = new YIntervalSeriesCollection();
        TreeMap<Integer, RunRecord> seq = byBackend.getOrDefault("jvm-seq", new TreeMap<>());
        List<Double> values = new ArrayList<>();
        double minN = Double.POSITIVE_INFINITY;
        double maxN = 0;
        for (Map.Entry<String, TreeMap<Integer, RunRecord>> entry : byBackend.entrySet()) {
            YIntervalSeries series = new YIntervalSeries(entry.getKey(), true, false);
            for (RunRecord run : entry.getValue().values()) {
                double speedup = run.speedupOverSeq();
                if (speedup > 0 && Double.isFinite(speedup) && run.n() > 0) {
                    double[] interval = run.speedupInterval(seq.get(run.n()));
                    double low = interval == null ? speedup : Math.min(speedup, interval[0]);
                    double high = interval == null ? speedup : Math.max(speedup, interval[1]);
                    series.add(run.n(), speedup, low, high);
                    values.add(low);
                    values.add(high);
                    minN = Math.min(minN, run.n());
                    maxN = Math.max(maxN, run.n());
                }
            }
            if (series.getItemCount() > 0) {
                dataset.addSeries(series);
            }
        }

        ValueAxis xAxis = ChartStyle.sizeAxis("sequence length n (keys per head, log₂ scale)",
                values.isEmpty() ? 0 : minN, values.isEmpty() ? 0 : maxN);
        values.add(1.0); // keep the 1× baseline in view
        ValueAxis yAxis;
        double minY = values.stream().mapToDouble(Double::doubleValue).min().orElse(1);
        double maxY = values.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        if (ChartStyle.spans(values, 20)) {
            yAxis = ChartStyle.decadeAxis("speedup over jvm-seq (×, log scale)", minY, maxY);
        } else {
            var linear = ChartStyle.linearAxis("speedup over jvm-seq (×)");
            linear.setAutoRangeIncludesZero(true);
            linear.setUpperMargin(0.12);
            yAxis = linear;
        }

        XYErrorRenderer renderer = new XYErrorRenderer();
        renderer.setDefaultLinesVisible(true);
        renderer.setDrawXError(false);
        renderer.setCapLength(6);
        for (int i = 0; i < dataset.getSeriesCount(); i++) {
            String backend = (String) dataset.getSeriesKey(i);
            renderer.setSeriesPaint(i, ChartStyle.backendColour(backend, backends));
            renderer.setSeriesStroke(i, ChartStyle.LINE);
            renderer.setSeriesShape(i, new Ellipse2D.Double(-4.5, -4.5, 9, 9));
        }
        XYPlot plot = new XYPlot(dataset, xAxis, yAxis, renderer);
        ChartStyle.styleXYPlot(plot);
        plot.setNoDataMessage("No timed runs in these results: nothing to compare with jvm-seq.");

        ValueMarker baseline = new ValueMarker(1.0, new Color(0x636363), ChartStyle.MARKER);
        baseline.setLabel("jvm-seq = 1×");
        baseline.setLabelFont(ChartStyle.TICK_FONT);
        baseline.setLabelPaint(new Color(0x444444));
        baseline.setLabelBackgroundColor(ChartStyle.LABEL_BACKGROUND);
        baseline.setLabelAnchor(RectangleAnchor.BOTTOM_RIGHT);
        baseline.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
        plot.addRangeMarker(baseline, Layer.BACKGROUND);

        List<String> subtitles = new ArrayList<>();
        subtitles.add(ChartStyle.machineLine(results.machine()));
        subtitles.add(ChartStyle.deviceLine(results));
        String shape = ChartStyle.shapeLine(results);
        subtitles.add((shape.isEmpty() ? "" : shape + " · ")
                + "speedup = jvm-seq time / backend time at the same n (whole forward pass, transfers included); "
                + "bars: the range the two timings' interquartile ranges allow");
        if (dataset.getSeriesCount() > 0 && !byBackend.containsKey("jvm-seq")) {
            subtitles.add("note: jvm-seq was not run; speedups are as recorded by the CLI");
        }
        boolean bump = results.config() != null && "bump".equals(results.config().kernel());
        return ChartStyle.chart("Speedup of sliced ReLU" + (bump ? "-bump" : "") + " attention over jvm-seq", plot, subtitles, true);
    }
}
