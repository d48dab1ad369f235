package dev.slicedattention.charts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.fixtures.Fixtures;
import dev.slicedattention.results.RunRecord;
import dev.slicedattention.results.RunResults;
import dev.slicedattention.results.StageTimes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntToDoubleFunction;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.Layer;
import org.junit.jupiter.api.Test;

class CrossoverTest {
    private static List<RunRecord> records(IntToDoubleFunction sliced, IntToDoubleFunction softmax, int... sizes) {
        List<RunRecord> list = new ArrayList<>();
        for (int n : sizes) {
            list.add(new RunRecord("jvm-seq", "cpu", 1, n, n, 16, 16, StageTimes.ZERO, sliced.applyAsDouble(n), null,
                    softmax.applyAsDouble(n), 1.0, 1e-7, 1e-7, 1e-5, RunRecord.REFERENCE_NAIVE, true));
        }
        return list;
    }

    @Test
    void crossingBetween1024And2048IsFoundThere() {
        RunResults results = Fixtures.showcase();
        Optional<CrossoverChart.Crossover> crossing = CrossoverChart.crossover(results.recordsFor("jvm-seq"));
        assertTrue(crossing.isPresent());
        assertEquals(1024, crossing.get().lowerN());
        assertEquals(2048, crossing.get().upperN());
        assertTrue(crossing.get().n() > 1024 && crossing.get().n() < 2048, "n* = " + crossing.get().n());
        // the fixture's sliced and softmax times are equal at n = 1448; interpolation is close to it
        assertEquals(1448, crossing.get().n(), 60);
        assertEquals("jvm-seq", crossing.get().backend());
    }

    @Test
    void theChartMarksTheCrossoverInRange() {
        JFreeChart chart = CrossoverChart.create(Fixtures.showcase());
        XYPlot plot = chart.getXYPlot();
        boolean found = false;
        for (Object marker : plot.getDomainMarkers(Layer.FOREGROUND)) {
            ValueMarker value = (ValueMarker) marker;
            if (value.getLabel().endsWith("(jvm-seq)")) {
                found = true;
                assertTrue(value.getValue() > 1024 && value.getValue() < 2048, "marker at " + value.getValue());
                assertTrue(value.getLabel().startsWith("n* ≈ 1"), value.getLabel());
            }
        }
        assertTrue(found, "a marker for jvm-seq");
    }

    @Test
    void powerLawsCrossExactlyWhereTheyMeet() {
        // sliced = n, softmax = n² / 3000: equal at n = 3000, straight lines on log-log
        List<RunRecord> list = records(n -> n, n -> (double) n * n / 3000.0, 1024, 2048, 4096, 8192);
        CrossoverChart.Crossover crossing = CrossoverChart.crossover(list).orElseThrow();
        assertEquals(3000, crossing.n(), 1e-6);
        assertEquals(2048, crossing.lowerN());
        assertEquals(4096, crossing.upperN());
    }

    @Test
    void noCrossoverWhenSoftmaxIsAlwaysFaster() {
        List<RunRecord> list = records(n -> 10.0 * n, n -> n, 256, 512, 1024, 2048);
        assertTrue(CrossoverChart.crossover(list).isEmpty());
        JFreeChart chart = CrossoverChart.create(results(list));
        String subtitles = ChartsRenderTest.subtitles(chart);
        assertTrue(subtitles.contains("no crossover within the measured range"), subtitles);
        assertTrue(subtitles.contains("softmax is faster up to n = 2048"), subtitles);
        assertTrue(chart.getXYPlot().getDomainMarkers(Layer.FOREGROUND) == null
                || chart.getXYPlot().getDomainMarkers(Layer.FOREGROUND).isEmpty());
    }

    @Test
    void noCrossoverWhenSlicedIsAlwaysFaster() {
        List<RunRecord> list = records(n -> n, n -> 10.0 * n * n, 256, 512, 1024);
        assertTrue(CrossoverChart.crossover(list).isEmpty());
        String subtitles = ChartsRenderTest.subtitles(CrossoverChart.create(results(list)));
        assertTrue(subtitles.contains("sliced is faster from n = 256"), subtitles);
    }

    @Test
    void noisyDataUsesTheLastChangeToFaster() {
        // slower, faster, slower, faster, faster: the last bracket is 1024..2048
        double[] ratio = {2.0, 0.5, 1.5, 0.5, 0.25};
        int[] sizes = {256, 512, 1024, 2048, 4096};
        List<RunRecord> list = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            final double r = ratio[i];
            list.addAll(records(n -> r, n -> 1.0, sizes[i]));
        }
        CrossoverChart.Crossover crossing = CrossoverChart.crossover(list).orElseThrow();
        assertEquals(1024, crossing.lowerN());
        assertEquals(2048, crossing.upperN());
    }

    @Test
    void recordsWithoutSoftmaxOrTooFewSizesGiveNothing() {
        assertTrue(CrossoverChart.crossover(List.of()).isEmpty());
        assertTrue(CrossoverChart.crossover(records(n -> 1, n -> 2, 512)).isEmpty());
        List<RunRecord> noSoftmax = new ArrayList<>();
        for (RunRecord r : records(n -> 1, n -> 2, 512, 1024)) {
            noSoftmax.add(new RunRecord(r.backend(), r.device(), r.heads(), r.m(), r.n(), r.d(), r.e(), r.stages(),
                    r.totalMillis(), null, null, 1, 0, 0, 1e-5, r.reference(), true));
        }
        assertTrue(CrossoverChart.crossover(noSoftmax).isEmpty());
        Map<String, Optional<CrossoverChart.Crossover>> all = CrossoverChart.crossovers(results(noSoftmax));
        assertTrue(all.isEmpty());
    }

    private static RunResults results(List<RunRecord> records) {
        return RunResults.of("t", "2025-01-01T00:00:00Z", "test", Fixtures.machine("h", "cpu"), List.of(), null,
                records, List.of());
    }
}
