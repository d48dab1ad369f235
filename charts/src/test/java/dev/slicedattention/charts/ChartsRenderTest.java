package dev.slicedattention.charts;

import static dev.slicedattention.fixtures.ImageChecks.assertPngChart;
import static dev.slicedattention.fixtures.ImageChecks.assertSvg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.fixtures.Fixtures;
import dev.slicedattention.results.RunResults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.title.TextTitle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsRenderTest {
    @TempDir
    Path folder;

    private final RunResults results = Fixtures.showcase();

    @Test
    void speedupChartRendersPngAndSvg() throws Exception {
        ChartFiles files = SpeedupChart.write(folder, results);
        assertEquals(folder.resolve("speedup.png"), files.png());
        assertPngChart(files.png(), 1000, 600, 5);
        assertSvg(files.svg());
    }

    @Test
    void stageChartRendersPngAndSvg() throws Exception {
        ChartFiles files = StageChart.write(folder, results);
        assertEquals(folder.resolve("stages.svg"), files.svg());
        assertPngChart(files.png(), 1000, 600, 6);
        assertSvg(files.svg());
        // every backend at the largest n; transfers appear because the GPU backend has them
        assertEquals(3, StageChart.dataset(results, 16384).getColumnCount());
        assertTrue(StageChart.dataset(results, 16384).getRowKeys().contains("transferIn"));
    }

    @Test
    void crossoverChartRendersPngAndSvg() throws Exception {
        ChartFiles files = CrossoverChart.write(folder, results);
        assertPngChart(files.png(), 1000, 600, 5);
        assertSvg(files.svg());
    }

    @Test
    void errorChartRendersPngAndSvg() throws Exception {
        ChartFiles files = ErrorChart.write(folder, results);
        assertPngChart(files.png(), 1000, 600, 5);
        assertSvg(files.svg());
    }

    @Test
    void comparisonChartsRenderPngAndSvg() throws Exception {
        List<RunResults> inputs = List.of(results,
                Fixtures.run("laptop", "Intel Core i7-1165G7", "Intel Iris Xe", List.of(512, 1024, 2048, 4096), 0.4, false));
        List<ChartFiles> files = ComparisonChart.write(folder, inputs);
        assertEquals(folder.resolve("comparison.png"), files.get(0).png());
        assertEquals(folder.resolve("comparison-stages.png"), files.get(1).png());
        for (ChartFiles f : files) {
            assertPngChart(f.png(), 1000, 600, 5);
            assertSvg(f.svg());
        }
    }

    @Test
    void customSizeIsHonoured() throws Exception {
        ChartFiles files = ErrorChart.write(folder, results, 640, 400);
        assertPngChart(files.png(), 640, 400, 4);
    }

    @Test
    void emptyResultsRenderWithoutThrowing() throws Exception {
        RunResults empty = RunResults.of("empty", "2025-01-01T00:00:00Z", "x", null, null, null, List.of(), null);
        SpeedupChart.write(folder, empty);
        StageChart.write(folder, empty);
        CrossoverChart.write(folder, empty);
        ErrorChart.write(folder, empty);
        ComparisonChart.write(folder, List.of(empty));
        ComparisonChart.write(folder, List.of());
        for (String base : List.of("speedup", "stages", "crossover", "error", "comparison", "comparison-stages")) {
            assertPngChart(folder.resolve(base + ".png"), 1000, 600, 2);
            assertSvg(folder.resolve(base + ".svg"));
        }
    }

    @Test
    void crossoverChartWithoutSoftmaxSaysSo() throws Exception {
        RunResults noSoftmax = Fixtures.run("box", "cpu", "gpu", Fixtures.SIZES, 1.0, false);
        JFreeChart chart = CrossoverChart.create(noSoftmax);
        assertTrue(subtitles(chart).contains("no softmax timings"), subtitles(chart));
        ChartFiles files = CrossoverChart.write(folder, noSoftmax);
        assertPngChart(files.png(), 1000, 600, 2);
    }

    @Test
    void titlesSayWhatAndWhere() {
        for (JFreeChart chart : List.of(SpeedupChart.create(results), StageChart.create(results),
                CrossoverChart.create(results), ErrorChart.create(results))) {
            String text = chart.getTitle().getText() + " | " + subtitles(chart);
            assertTrue(text.contains("AMD Ryzen 9 7950X"), text);
            assertTrue(text.contains("NVIDIA GeForce RTX 4090"), text);
            assertTrue(chart.getLegend() != null, "legend on " + chart.getTitle().getText());
        }
    }

    @Test
    void noTemporaryFilesAreLeft() throws Exception {
        SpeedupChart.write(folder, results);
        try (Stream<Path> files = Files.list(folder)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    static String subtitles(JFreeChart chart) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < chart.getSubtitleCount(); i++) {
            if (chart.getSubtitle(i) instanceof TextTitle title) {
                text.append(title.getText()).append(" | ");
            }
        }
        return text.toString();
    }
}
