package dev.slicedattention.charts;

import dev.slicedattention.results.RunRecord;
import dev.slicedattention.results.RunResults;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.chart.util.ShapeUtils;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Relative error max‖O − R‖∞ / max‖R‖∞ against the float64 reference, per backend, against n,
 * both axes logarithmic, with the tolerance each record was checked against (a horizontal line
 * where a backend's tolerance is the same at every n, a dashed line otherwise). Runs that failed
 * are marked with a red cross. Written as {@code error.png} / {@code error.svg}.
 */
public final class ErrorChart {
    public static final String FILE_BASE = "error";

    static {
        ChartStyle.headless();
    }

    private ErrorChart() {}

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
        XYSeries failures = new XYSeries("FAIL (above tolerance)", true, true);
        double minN = Double.POSITIVE_INFINITY;
        double maxN = 0;
        double minE = Double.POSITIVE_INFINITY;
        double maxE = 0;
        int exact = 0;
        int total = 0;
        int failed = 0;
        // tolerance value → backends whose tolerance is that constant
        Map<Double, Set<String>> constantTolerances = new LinkedHashMap<>();
        List<XYSeries> varyingTolerances = new ArrayList<>();

        for (Map.Entry<String, TreeMap<Integer, RunRecord>> entry : Series.byBackend(results).entrySet()) {
            String backend = entry.getKey();
            XYSeries errors = new XYSeries(backend, true, false);
            XYSeries tolerance = new XYSeries("tolerance (" + backend + ")", true, false);
            Set<Double> tolerances = new LinkedHashSet<>();
            for (RunRecord run : entry.getValue().values()) {
                total++;
                if (!run.pass()) {
                    failed++;
                }
                if (run.n() <= 0) {
                    continue;
                }
                if (run.tolerance() > 0 && Double.isFinite(run.tolerance())) {
                    tolerance.add(run.n(), run.tolerance());
                    tolerances.add(run.tolerance());
                    minE = Math.min(minE, run.tolerance());
                    maxE = Math.max(maxE, run.tolerance());
                }
                double error = run.relError();
                if (!(error > 0) || !Double.isFinite(error)) {
                    if (error == 0) {
                        exact++;
                    }
                    continue;
                }
                errors.add(run.n(), error);
                if (!run.pass()) {
                    failures.add(run.n(), error);
                }
                minN = Math.min(minN, run.n());
                maxN = Math.max(maxN, run.n());
                minE = Math.min(minE, error);
                maxE = Math.max(maxE, error);
            }
            if (errors.getItemCount() > 0) {
                int index = dataset.getSeriesCount();
                dataset.addSeries(errors);
                renderer.setSeriesPaint(index, ChartStyle.backendColour(backend, backends));
                renderer.setSeriesStroke(index, ChartStyle.LINE);
                renderer.setSeriesShape(index, new Ellipse2D.Double(-4.5, -4.5, 9, 9));
            }
            if (tolerances.size() == 1) {
                constantTolerances.computeIfAbsent(tolerances.iterator().next(), t -> new LinkedHashSet<>())
                        .add(backend);
            } else if (tolerances.size() > 1) {
                varyingTolerances.add(tolerance);
            }
        }
        for (XYSeries tolerance : varyingTolerances) {
            int index = dataset.getSeriesCount();
            dataset.addSeries(tolerance);
            String backend = ((String) tolerance.getKey()).replaceAll("^tolerance \\((.*)\\)$", "$1");
            renderer.setSeriesPaint(index, ChartStyle.backendColour(backend, backends));
            renderer.setSeriesStroke(index, ChartStyle.DASHED);
            renderer.setSeriesShapesVisible(index, false);
        }
        if (failures.getItemCount() > 0) {
            int index = dataset.getSeriesCount();
            dataset.addSeries(failures);
            Shape cross = ShapeUtils.createDiagonalCross(7f, 1.6f);
            renderer.setSeriesShape(index, cross);
            renderer.setSeriesPaint(index, new Color(0xC00000));
            renderer.setSeriesLinesVisible(index, false);
            renderer.setSeriesStroke(index, new BasicStroke(1f));
        }
        boolean any = minN <= maxN;
        XYPlot plot = new XYPlot(dataset,
                ChartStyle.sizeAxis("sequence length n (keys per head, log₂ scale)", any ? minN : 0, any ? maxN : 0),
                ChartStyle.decadeAxis("relative error max‖O − R‖∞ / max‖R‖∞ (log scale)",
                        minE <= maxE ? minE : 1e-7, minE <= maxE ? maxE : 1e-3),
                renderer);
        ChartStyle.styleXYPlot(plot);
        plot.setNoDataMessage("No accuracy checks in these results.");

        int markerIndex = 0;
        for (Map.Entry<Double, Set<String>> entry : constantTolerances.entrySet()) {
            List<String> who = new ArrayList<>(entry.getValue());
            Color colour = who.size() == 1 && constantTolerances.size() > 1
                    ? ChartStyle.backendColour(who.get(0), backends)
                    : new Color(0xB00000);
            ValueMarker marker = new ValueMarker(entry.getKey(), colour, ChartStyle.MARKER);
            String scope = constantTolerances.size() == 1 ? "" : " (" + String.join(", ", who) + ")";
            marker.setLabel("tolerance " + sci(entry.getKey()) + scope);
            marker.setLabelFont(ChartStyle.ANNOTATION_FONT);
            marker.setLabelPaint(colour.darker());
            marker.setLabelBackgroundColor(ChartStyle.LABEL_BACKGROUND);
            marker.setLabelAnchor(markerIndex % 2 == 0 ? RectangleAnchor.TOP_LEFT : RectangleAnchor.TOP_RIGHT);
            marker.setLabelTextAnchor(markerIndex % 2 == 0 ? TextAnchor.BOTTOM_LEFT : TextAnchor.BOTTOM_RIGHT);
            plot.addRangeMarker(marker, Layer.FOREGROUND);
            markerIndex++;
        }

        List<String> subtitles = new ArrayList<>();
        subtitles.add(ChartStyle.machineLine(results.machine()));
        subtitles.add(ChartStyle.deviceLine(results));
        StringBuilder verdict = new StringBuilder();
        String references = results.runs().stream().map(RunRecord::reference).filter(r -> r != null)
                .distinct().reduce((a, b) -> a + ", " + b).orElse("float64 reference");
        verdict.append("against ").append(references).append(" · ");
        if (total == 0) {
            verdict.append("no runs");
        } else if (failed == 0) {
            verdict.append("all ").append(total).append(" runs within tolerance (PASS)");
        } else {
            verdict.append(failed).append(" of ").append(total).append(" runs above tolerance (FAIL)");
        }
        if (exact > 0) {
            verdict.append(" · ").append(exact).append(" run(s) with error exactly 0 not shown on the log axis");
        }
        subtitles.add(verdict.toString());
        return ChartStyle.chart("Accuracy: relative error against n", plot, subtitles, true);
    }

    static String sci(double value) {
        return String.format(java.util.Locale.ROOT, "%.1e", value).replace("e-0", "e-").replace("e+0", "e");
    }
}
