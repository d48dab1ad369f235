package dev.slicedattention.charts;

import dev.slicedattention.results.RunRecord;
import dev.slicedattention.results.RunResults;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Sliced attention (whole pass) against softmax attention on the same backend and shapes, time
 * against n on log-log axes, one colour per backend (solid: sliced, dashed: softmax). The
 * crossover length n*, above which sliced is faster, is marked per backend. Written as
 * {@code crossover.png} / {@code crossover.svg}.
 */
public final class CrossoverChart {
    public static final String FILE_BASE = "crossover";

    static {
        ChartStyle.headless();
    }

    private CrossoverChart() {}

    /**
     * Where sliced attention becomes faster than softmax on one backend.
     *
     * @param backend the backend
     * @param n       the crossover length n*, interpolated on log-log axes
     * @param lowerN  the largest measured n at which softmax was still at least as fast
     * @param upperN  the next measured n, where sliced was faster (and stays faster for every larger measured n)
     */
    public record Crossover(String backend, double n, int lowerN, int upperN) {}

    /**
     * The crossover n* of one backend's records (those with both a total and a softmax time;
     * records of other backends must not be mixed in). Let Δ(n) = ln(sliced) − ln(softmax); with
     * k the largest measured n where Δ ≥ 0 and k' the next measured n (Δ &lt; 0 there and at every
     * larger n), n* is where the straight line between (ln k, Δ(k)) and (ln k', Δ(k')) crosses 0.
     *
     * @return empty when fewer than two usable sizes, when sliced is faster at every measured n
     *     (n* below the range), or when softmax is at least as fast at the largest n (n* above it)
     */
    public static Optional<Crossover> crossover(List<RunRecord> recordsOfOneBackend) {
        List<RunRecord> usable = usable(recordsOfOneBackend);
        if (usable.size() < 2) {
            return Optional.empty();
        }
        int last = -1;
        for (int i = 0; i < usable.size(); i++) {
            if (delta(usable.get(i)) >= 0) {
                last = i;
            }
        }
        if (last < 0 || last == usable.size() - 1) {
            return Optional.empty();
        }
        RunRecord below = usable.get(last);
        RunRecord above = usable.get(last + 1);
        double d0 = delta(below);
        double d1 = delta(above);
        double x0 = Math.log(below.n());
        double x1 = Math.log(above.n());
        double x = d0 == d1 ? x0 : x0 + (x1 - x0) * d0 / (d0 - d1);
        return Optional.of(new Crossover(below.backend(), Math.exp(x), below.n(), above.n()));
    }

    /** {@link #crossover(List)} for every backend that has softmax timings, in backend order. */
    public static Map<String, Optional<Crossover>> crossovers(RunResults results) {
        Map<String, Optional<Crossover>> map = new LinkedHashMap<>();
        for (String backend : results.backends()) {
            List<RunRecord> records = results.recordsFor(backend);
            if (!usable(records).isEmpty()) {
                map.put(backend, crossover(records));
            }
        }
        return map;
    }

    public static ChartFiles write(Path folder, RunResults results) throws IOException {
        return write(folder, results, ChartStyle.WIDTH, ChartStyle.HEIGHT);
    }

    public static ChartFiles write(Path folder, RunResults results, int width, int height) throws IOException {
        return ChartIO.write(create(results), folder, FILE_BASE, width, height);
    }

    public static JFreeChart create(RunResults results) {
        List<String> backends = results.backends();
        XYSeriesCollection dataset = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        double minN = Double.POSITIVE_INFINITY;
        double maxN = 0;
        double minT = Double.POSITIVE_INFINITY;
        double maxT = 0;
        Map<String, Optional<Crossover>> crossovers = new LinkedHashMap<>();
        for (Map.Entry<String, TreeMap<Integer, RunRecord>> entry : Series.byBackend(results).entrySet()) {
            List<RunRecord> usable = usable(Series.ordered(entry.getValue()));
            if (usable.isEmpty()) {
                continue;
            }
            String backend = entry.getKey();
            crossovers.put(backend, crossover(usable));
            XYSeries sliced = new XYSeries(backend + " sliced", true, false);
            XYSeries softmax = new XYSeries(backend + " softmax", true, false);
            for (RunRecord run : usable) {
                sliced.add(run.n(), run.totalMillis());
                softmax.add(run.n(), run.softmaxMillis().doubleValue());
                minN = Math.min(minN, run.n());
                maxN = Math.max(maxN, run.n());
                minT = Math.min(minT, Math.min(run.totalMillis(), run.softmaxMillis()));
                maxT = Math.max(maxT, Math.max(run.totalMillis(), run.softmaxMillis()));
            }
            Color colour = ChartStyle.backendColour(backend, backends);
            int slicedIndex = dataset.getSeriesCount();
            dataset.addSeries(sliced);
            renderer.setSeriesPaint(slicedIndex, colour);
            renderer.setSeriesStroke(slicedIndex, ChartStyle.LINE);
            renderer.setSeriesShape(slicedIndex, new Ellipse2D.Double(-4.5, -4.5, 9, 9));
            dataset.addSeries(softmax);
            renderer.setSeriesPaint(slicedIndex + 1, colour);
            renderer.setSeriesStroke(slicedIndex + 1, ChartStyle.DASHED);
            renderer.setSeriesShape(slicedIndex + 1, new Rectangle2D.Double(-4, -4, 8, 8));
        }
        boolean any = dataset.getSeriesCount() > 0;
        ValueAxis xAxis = ChartStyle.sizeAxis("sequence length n (keys per head, log₂ scale)",
                any ? minN : 0, any ? maxN : 0);
        ValueAxis yAxis = ChartStyle.decadeAxis("time per forward pass (ms, log scale)",
                any ? minT : 1, any ? maxT : 10);

        XYPlot plot = new XYPlot(dataset, xAxis, yAxis, renderer);
        ChartStyle.styleXYPlot(plot);
        plot.setNoDataMessage("No softmax timings were recorded in this run: there is nothing to compare.");

        int markerIndex = 0;
        for (Map.Entry<String, Optional<Crossover>> entry : crossovers.entrySet()) {
            if (entry.getValue().isEmpty()) {
                continue;
            }
            Crossover crossing = entry.getValue().get();
            Color colour = ChartStyle.backendColour(entry.getKey(), backends);
            ValueMarker marker = new ValueMarker(crossing.n(), colour, ChartStyle.MARKER);
            marker.setLabel(label(crossing));
            marker.setLabelFont(ChartStyle.ANNOTATION_FONT);
            marker.setLabelPaint(colour.darker());
            marker.setLabelBackgroundColor(ChartStyle.LABEL_BACKGROUND);
            marker.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            marker.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            marker.setLabelOffset(new RectangleInsets(6 + 22 * markerIndex, 4, 4, 4));
            plot.addDomainMarker(marker, Layer.FOREGROUND);
            markerIndex++;
        }

        List<String> subtitles = new ArrayList<>();
        subtitles.add(ChartStyle.machineLine(results.machine()));
        subtitles.add(ChartStyle.deviceLine(results));
        subtitles.add(summary(results, crossovers));
        return ChartStyle.chart("Sliced ReLU vs softmax attention: time against n", plot, subtitles, true);
    }

    /** The marker's label: "n* ≈ 1448 (jvm-par)". */
    public static String label(Crossover crossing) {
        return "n* ≈ " + Math.round(crossing.n()) + " (" + crossing.backend() + ")";
    }

    private static String summary(RunResults results, Map<String, Optional<Crossover>> crossovers) {
        if (crossovers.isEmpty()) {
            return "no softmax timings in these results (the run did not time the softmax baseline)";
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Optional<Crossover>> entry : crossovers.entrySet()) {
            String backend = entry.getKey();
            if (entry.getValue().isPresent()) {
                parts.add(label(entry.getValue().get()));
                continue;
            }
            List<RunRecord> usable = usable(results.recordsFor(backend));
            if (usable.size() < 2) {
                parts.add(backend + ": too few sizes with softmax timings for a crossover");
            } else if (delta(usable.get(usable.size() - 1)) >= 0) {
                parts.add(backend + ": no crossover within the measured range, softmax is faster up to n = "
                        + usable.get(usable.size() - 1).n());
            } else {
                parts.add(backend + ": no crossover within the measured range, sliced is faster from n = "
                        + usable.get(0).n());
            }
        }
        return "solid: sliced (whole pass), dashed: softmax, same shapes · " + String.join(" · ", parts);
    }

    private static double delta(RunRecord run) {
        return Math.log(run.totalMillis()) - Math.log(run.softmaxMillis());
    }

    private static List<RunRecord> usable(List<RunRecord> records) {
        List<RunRecord> usable = new ArrayList<>();
        TreeMap<Integer, RunRecord> byN = new TreeMap<>();
        for (RunRecord run : records) {
            if (run.softmaxMillis() != null && run.softmaxMillis() > 0 && Double.isFinite(run.softmaxMillis())
                    && run.totalMillis() > 0 && Double.isFinite(run.totalMillis()) && run.n() > 0) {
                byN.putIfAbsent(run.n(), run);
            }
        }
        usable.addAll(byN.values());
        usable.sort(Comparator.comparingInt(RunRecord::n));
        return usable;
    }
}
