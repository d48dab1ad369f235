package dev.slicedattention.charts;

import dev.slicedattention.results.DeviceInfo;
import dev.slicedattention.results.MachineInfo;
import dev.slicedattention.results.RunResults;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Stroke;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.TickUnits;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.HorizontalAlignment;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;

/** The look shared by every chart: size, fonts, colours, log axes, titles. */
public final class ChartStyle {
    /** Default chart size in pixels. */
    public static final int WIDTH = 1000;
    public static final int HEIGHT = 600;

    static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 20);
    static final Font SUBTITLE_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    static final Font AXIS_LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 15);
    static final Font TICK_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    static final Font LEGEND_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    static final Font ANNOTATION_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 13);
    static final Font NO_DATA_FONT = new Font(Font.SANS_SERIF, Font.ITALIC, 16);

    static final Color GRID = new Color(0xD0D0D0);
    static final Color MINOR_GRID = new Color(0xEDEDED);
    static final Color TEXT = new Color(0x222222);

    static final Stroke LINE = new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    static final Stroke DASHED = new BasicStroke(2.0f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
            new float[] {8f, 6f}, 0f);
    static final Stroke MARKER = new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
            new float[] {5f, 4f}, 0f);

    private static final Color[] BACKEND_PALETTE = {
        new Color(0xE6550D), // orange
        new Color(0x31A354), // green
        new Color(0xD62728), // red
        new Color(0x756BB1), // purple
        new Color(0x8C564B), // brown
        new Color(0xE377C2), // pink
        new Color(0x17BECF), // cyan
        new Color(0xBCBD22), // olive
    };
    private static final Color[] SERIES_PALETTE = {
        new Color(0x1F77B4), new Color(0xFF7F0E), new Color(0x2CA02C), new Color(0xD62728),
        new Color(0x9467BD), new Color(0x8C564B), new Color(0xE377C2), new Color(0x7F7F7F),
        new Color(0xBCBD22), new Color(0x17BECF),
    };
    private static final Map<String, Color> STAGE_COLOURS = Map.of(
            "projection", new Color(0x4E79A7),
            "sort", new Color(0xF28E2B),
            "prefixSum", new Color(0x59A14F),
            "rank", new Color(0xE15759),
            "combine", new Color(0x76B7B2),
            "transferIn", new Color(0xB07AA1),
            "transferOut", new Color(0x9C755F),
            "other", new Color(0xBAB0AC));

    private ChartStyle() {}

    /** Sets java.awt.headless=true unless the caller chose otherwise; charts never need a display. */
    public static void headless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /**
     * The colour of a backend, the same in every chart of a run: jvm-seq grey, jvm-par blue,
     * the others (device backends) from a palette in order of appearance.
     */
    static Color backendColour(String backend, List<String> allBackends) {
        if ("jvm-seq".equals(backend)) {
            return new Color(0x636363);
        }
        if ("jvm-par".equals(backend)) {
            return new Color(0x3182BD);
        }
        int index = 0;
        for (String other : allBackends) {
            if (other.equals(backend)) {
                break;
            }
            if (!"jvm-seq".equals(other) && !"jvm-par".equals(other)) {
                index++;
            }
        }
        return BACKEND_PALETTE[index % BACKEND_PALETTE.length];
    }

    /** The i-th colour of a general palette (for series that are not backends, e.g. devices). */
    static Color seriesColour(int index) {
        return SERIES_PALETTE[Math.floorMod(index, SERIES_PALETTE.length)];
    }

    static Color stageColour(String stageKey) {
        return STAGE_COLOURS.getOrDefault(stageKey, Color.GRAY);
    }

    /** A chart with the shared look: white background, fonts, legend at the bottom. */
    static JFreeChart chart(String title, Plot plot, List<String> subtitles, boolean legend) {
        JFreeChart chart = new JFreeChart(title, TITLE_FONT, plot, legend);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        chart.setPadding(new RectangleInsets(8, 10, 8, 16));
        chart.getTitle().setPaint(TEXT);
        chart.getTitle().setMargin(4, 0, 2, 0);
        int position = 0;
        for (String line : subtitles) {
            if (line == null || line.isBlank()) {
                continue;
            }
            TextTitle sub = new TextTitle(line, SUBTITLE_FONT);
            sub.setPaint(new Color(0x444444));
            sub.setMargin(1, 0, 1, 0);
            sub.setMaximumLinesToDisplay(2);
            chart.addSubtitle(position++, sub);
        }
        LegendTitle legendTitle = chart.getLegend();
        if (legendTitle != null) {
            legendTitle.setItemFont(LEGEND_FONT);
            legendTitle.setFrame(BlockBorder.NONE);
            legendTitle.setPosition(RectangleEdge.BOTTOM);
            legendTitle.setHorizontalAlignment(HorizontalAlignment.CENTER);
            legendTitle.setMargin(6, 0, 0, 0);
        }
        return chart;
    }

    static void styleXYPlot(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlinePaint(new Color(0x999999));
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        plot.setDomainGridlineStroke(new BasicStroke(0.8f));
        plot.setRangeGridlineStroke(new BasicStroke(0.8f));
        // Minor gridlines only along log axes (2..9 × 10^k); on linear axes they are clutter.
        plot.setDomainMinorGridlinesVisible(plot.getDomainAxis() instanceof LogAxis);
        plot.setRangeMinorGridlinesVisible(plot.getRangeAxis() instanceof LogAxis);
        plot.setDomainMinorGridlinePaint(MINOR_GRID);
        plot.setRangeMinorGridlinePaint(MINOR_GRID);
        plot.setDomainMinorGridlineStroke(new BasicStroke(0.6f));
        plot.setRangeMinorGridlineStroke(new BasicStroke(0.6f));
        plot.setAxisOffset(new RectangleInsets(4, 4, 4, 4));
        plot.setNoDataMessageFont(NO_DATA_FONT);
        plot.setNoDataMessagePaint(new Color(0x555555));
    }

    static void styleCategoryPlot(CategoryPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlinePaint(new Color(0x999999));
        plot.setRangeGridlinePaint(GRID);
        plot.setRangeGridlineStroke(new BasicStroke(0.8f));
        plot.setRangeMinorGridlinesVisible(plot.getRangeAxis() instanceof LogAxis);
        plot.setRangeMinorGridlinePaint(MINOR_GRID);
        plot.setDomainGridlinesVisible(false);
        plot.setNoDataMessageFont(NO_DATA_FONT);
        plot.setNoDataMessagePaint(new Color(0x555555));
    }

    static <A extends ValueAxis> A styleAxis(A axis) {
        axis.setLabelFont(AXIS_LABEL_FONT);
        axis.setTickLabelFont(TICK_FONT);
        axis.setLabelPaint(TEXT);
        axis.setTickLabelPaint(TEXT);
        return axis;
    }

    /**
     * A log₂ axis for sequence lengths, ticks at powers of two labelled as plain integers, the
     * range padded a little beyond the data.
     */
    static LogAxis sizeAxis(String label, double min, double max) {
        LogAxis axis = styleAxis(new LogAxis(label));
        axis.setBase(2);
        axis.setSmallestValue(1);
        NumberFormat format = new DecimalFormat("0", DecimalFormatSymbols.getInstance(Locale.ROOT));
        axis.setNumberFormatOverride(format);
        TickUnits units = new TickUnits();
        for (int size : new int[] {1, 2, 3, 4, 5, 6, 8, 10}) {
            units.add(new NumberTickUnit(size, format, 1));
        }
        axis.setStandardTickUnits(units);
        axis.setAutoTickUnitSelection(true);
        if (min > 0 && max >= min) {
            axis.setRange(min / Math.pow(2, 0.3), max * Math.pow(2, 0.3));
        } else {
            axis.setRange(256, 8192);
        }
        axis.setMinorTickMarksVisible(false);
        return axis;
    }

    /**
     * A log₁₀ axis covering [min, max] with some room (out to whole decades where needed so that
     * there are always at least two labelled ticks), with minor gridlines at 2..9 × 10^k and numbers written plainly
     * (0.01, 1, 1000) or in E-notation outside [1e-3, 1e6].
     */
    static LogAxis decadeAxis(String label, double min, double max) {
        LogAxis axis = styleAxis(new DecadeAxis(label));
        axis.setSmallestValue(1e-300);
        NumberFormat format = new CompactNumberFormat();
        axis.setNumberFormatOverride(format);
        TickUnits units = new TickUnits();
        for (int size : new int[] {1, 2, 3, 4, 5, 10, 20}) {
            units.add(new NumberTickUnit(size, format, size == 1 ? 9 : 1));
        }
        axis.setStandardTickUnits(units);
        axis.setAutoTickUnitSelection(true);
        axis.setMinorTickMarksVisible(true);
        double lo = min > 0 ? min : 1;
        double hi = max > 0 ? max : lo * 10;
        if (hi < lo) {
            hi = lo;
        }
        // A little room around the data; out to whole decades only where that would leave fewer than
        // two labelled decade ticks. The 2% beyond a decade keeps its tick (and label) inside the range.
        double lower = lo / 1.4;
        double upper = hi * 1.4;
        if (Math.floor(Math.log10(upper)) - Math.ceil(Math.log10(lower)) < 1) {
            lower = Math.pow(10, Math.floor(Math.log10(lower))) * 0.98;
            upper = Math.pow(10, Math.ceil(Math.log10(upper))) * 1.02;
        }
        axis.setRange(lower, upper);
        return axis;
    }

    /** A linear axis with the shared fonts. */
    static NumberAxis linearAxis(String label) {
        NumberAxis axis = styleAxis(new NumberAxis(label));
        axis.setNumberFormatOverride(new CompactNumberFormat());
        return axis;
    }

    /** Whether values spread over more than {@code ratio} (max/min of the positive ones). */
    static boolean spans(List<Double> values, double ratio) {
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (double v : values) {
            if (v > 0 && Double.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        return max > 0 && max / min > ratio;
    }

    /** "Intel Xeon … (16 cores, 64 GiB) on host, JDK 21.0.2" — where a run was measured. */
    static String machineLine(MachineInfo machine) {
        if (machine == null) {
            return "unknown machine";
        }
        StringBuilder text = new StringBuilder();
        text.append(nonBlank(machine.cpuModel(), machine.arch()));
        List<String> details = new ArrayList<>();
        if (machine.cores() > 0) {
            details.add(machine.cores() + " cores");
        }
        if (machine.memoryBytes() > 0) {
            details.add(gib(machine.memoryBytes()));
        }
        if (!details.isEmpty()) {
            text.append(" (").append(String.join(", ", details)).append(')');
        }
        text.append(" on ").append(nonBlank(machine.hostname(), "unknown host"));
        if (machine.jdk() != null) {
            text.append(", JDK ").append(machine.jdk());
        }
        if (machine.tornadoVersion() != null) {
            text.append(", TornadoVM ").append(machine.tornadoVersion());
        }
        return text.toString();
    }

    /** The devices of a run, "tornado:0:0 = NVIDIA H100 (GPU, OpenCL)", without the JVM ones. */
    static String deviceLine(RunResults results) {
        List<String> parts = new ArrayList<>();
        for (DeviceInfo device : results.devices()) {
            if (device.backend() != null && device.backend().startsWith("jvm")) {
                continue;
            }
            StringBuilder text = new StringBuilder(String.valueOf(device.backend())).append(" = ")
                    .append(nonBlank(device.deviceName(), "unknown device"));
            List<String> details = new ArrayList<>();
            if (device.kind() != null) {
                details.add(device.kind());
            }
            if (device.tornadoBackend() != null) {
                details.add(device.tornadoBackend());
            }
            if (!details.isEmpty()) {
                text.append(" (").append(String.join(", ", details)).append(')');
            }
            parts.add(text.toString());
        }
        return parts.isEmpty() ? "" : "devices: " + String.join("; ", parts);
    }

    /** "kernel relu, heads = 8, d = 64, e = 64" from the run's config, or "" when unknown. */
    static String shapeLine(RunResults results) {
        if (results.config() == null) {
            return "";
        }
        return "kernel " + results.config().kernelText() + ", heads = " + results.config().heads() + ", d = "
                + results.config().dim() + ", e = " + results.config().valueDim();
    }

    static String gib(long bytes) {
        double gib = bytes / (1024.0 * 1024 * 1024);
        return gib >= 10 ? String.format(Locale.ROOT, "%.0f GiB", gib) : String.format(Locale.ROOT, "%.1f GiB", gib);
    }

    static String nonBlank(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    /** Plain numbers with up to three significant decimals; E-notation outside [1e-3, 1e6). */
    static String compact(double value) {
        return new CompactNumberFormat().format(value);
    }

    /** Plain numbers ("0.25", "1,500" → "1500", "12.5") in a readable range, E-notation outside it. */
    static final class CompactNumberFormat extends NumberFormat {
        private static final DecimalFormatSymbols ROOT = DecimalFormatSymbols.getInstance(Locale.ROOT);

        @Override
        public StringBuffer format(double number, StringBuffer toAppendTo, FieldPosition pos) {
            double abs = Math.abs(number);
            String text;
            if (number == 0) {
                text = "0";
            } else if (!Double.isFinite(number)) {
                text = Double.toString(number);
            } else if (abs >= 1e6 || abs < 1e-3) {
                text = new DecimalFormat("0.##E0", ROOT).format(number).replace('E', 'e');
            } else if (abs >= 100) {
                text = new DecimalFormat("0", ROOT).format(number);
            } else if (abs >= 1) {
                text = new DecimalFormat("0.##", ROOT).format(number);
            } else {
                text = new DecimalFormat("0.###", ROOT).format(number);
            }
            return toAppendTo.append(text);
        }

        @Override
        public StringBuffer format(long number, StringBuffer toAppendTo, FieldPosition pos) {
            return format((double) number, toAppendTo, pos);
        }

        @Override
        public Number parse(String source, ParsePosition parsePosition) {
            return new DecimalFormat("0.###E0", ROOT).parse(source, parsePosition);
        }
    }

    /** A marker label background that keeps the label readable over gridlines. */
    static final Color LABEL_BACKGROUND = new Color(255, 255, 255, 225);

    /** The paint of the n-th item in a legend-less list (helper for annotations). */
    static Paint darker(Paint paint) {
        return paint instanceof Color c ? c.darker() : paint;
    }
}
