package dev.slicedattention.charts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.fixtures.Fixtures;
import dev.slicedattention.results.ResultsIO;
import dev.slicedattention.results.RunResults;
import java.nio.file.Path;
import java.util.List;
import org.jfree.data.category.DefaultCategoryDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComparisonChartTest {
    @Test
    void twoFixtureFoldersGiveOneBarGroupPerSharedSize(@TempDir Path tmp) throws Exception {
        Path laptop = tmp.resolve("laptop");
        Path cloud = tmp.resolve("cloud");
        ResultsIO.write(laptop, Fixtures.run("laptop", "Intel Core i7-1165G7", "Intel Iris Xe Graphics",
                List.of(256, 512, 1024, 2048, 4096), 0.4, true));
        ResultsIO.write(cloud, Fixtures.run("cloud-gpu", "Intel Xeon Platinum 8480+", "NVIDIA H100 80GB HBM3",
                List.of(1024, 2048, 4096, 8192, 16384), 3.0, true));
        List<RunResults> inputs = List.of(ResultsIO.read(laptop), ResultsIO.read(cloud));

        assertEquals(List.of(1024, 2048, 4096), ComparisonChart.sharedSizes(inputs));
        DefaultCategoryDataset dataset = ComparisonChart.throughputDataset(inputs);
        assertEquals(3, dataset.getColumnCount(), "one bar group per shared size");
        assertEquals(List.of("n = 1024", "n = 2048", "n = 4096"), dataset.getColumnKeys());
        assertEquals(6, dataset.getRowCount(), "one bar per (machine, backend)");
        assertTrue(((String) dataset.getRowKey(0)).startsWith("laptop · Intel Core i7-1165G7 (jvm-seq)"));
        assertTrue(((String) dataset.getRowKey(5)).startsWith("cloud-gpu · NVIDIA H100 80GB HBM3 (tornado:0:0)"));
        // tokens per second = heads·m / seconds
        double expected = Fixtures.HEADS * 1024 / (inputs.get(0).record("jvm-seq", 1024).orElseThrow().totalMillis() / 1e3);
        assertEquals(expected, dataset.getValue(0, 0).doubleValue(), expected * 1e-12);

        DefaultCategoryDataset stages = ComparisonChart.stageDataset(inputs);
        assertEquals(7, stages.getColumnCount(), "five stages plus two transfers");
        assertEquals(6, stages.getRowCount());
        assertNull(stages.getValue(0, stages.getColumnIndex("transfer in")), "no transfer on jvm-seq");
        assertNotNull(stages.getValue(5, stages.getColumnIndex("transfer in")));
    }

    @Test
    void noSharedSizeGivesNoColumns() {
        List<RunResults> inputs = List.of(
                Fixtures.run("a", "cpu", "gpu", List.of(256, 512), 1, false),
                Fixtures.run("b", "cpu", "gpu", List.of(1024), 1, false));
        assertTrue(ComparisonChart.sharedSizes(inputs).isEmpty());
        assertEquals(0, ComparisonChart.throughputDataset(inputs).getColumnCount());
        assertEquals(0, ComparisonChart.stageDataset(inputs).getColumnCount());
        assertNotNull(ComparisonChart.create(inputs));
    }

    @Test
    void sameHostTwiceGetsDistinctLabels() {
        RunResults one = Fixtures.run("box", "cpu", "gpu", List.of(512), 1, false);
        RunResults two = Fixtures.run("box", "cpu", "gpu", List.of(512), 2, false);
        RunResults twoRenamed = new RunResults("second", two.createdAt(), two.command(), two.machine(), two.devices(),
                two.config(), two.runs(), two.kernels(), two.allPassed());
        DefaultCategoryDataset dataset = ComparisonChart.throughputDataset(List.of(one, twoRenamed));
        assertEquals(6, dataset.getRowCount());
        assertTrue(dataset.getRowKeys().stream().anyMatch(k -> k.toString().contains("[second]")));
    }
}
