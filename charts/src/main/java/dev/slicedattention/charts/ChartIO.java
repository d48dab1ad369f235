package dev.slicedattention.charts;

import dev.slicedattention.io.AtomicFiles;
import java.awt.Rectangle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.svg.SVGGraphics2D;

/** Renders a chart to PNG and SVG and writes both atomically as {@code <base>.png} and {@code <base>.svg}. */
public final class ChartIO {
    static {
        ChartStyle.headless();
    }

    private ChartIO() {}

    /** The chart as PNG bytes. */
    public static byte[] png(JFreeChart chart, int width, int height) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        ChartUtils.writeChartAsPNG(bytes, chart, width, height);
        return bytes.toByteArray();
    }

    /** The chart as a standalone SVG document. */
    public static String svg(JFreeChart chart, int width, int height) {
        SVGGraphics2D g2 = new SVGGraphics2D(width, height);
        chart.draw(g2, new Rectangle(0, 0, width, height));
        return g2.getSVGDocument();
    }

    /** Writes {@code folder/<baseName>.png} and {@code folder/<baseName>.svg}, each atomically. */
    public static ChartFiles write(JFreeChart chart, Path folder, String baseName, int width, int height)
            throws IOException {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("chart size must be positive, got " + width + "x" + height);
        }
        Path png = folder.resolve(baseName + ".png");
        Path svg = folder.resolve(baseName + ".svg");
        AtomicFiles.writeBytes(png, png(chart, width, height));
        AtomicFiles.writeString(svg, svg(chart, width, height));
        return new ChartFiles(png, svg);
    }
}
