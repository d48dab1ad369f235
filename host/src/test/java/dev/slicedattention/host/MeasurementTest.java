package dev.slicedattention.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.Backend;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.results.RunRecord;
import dev.slicedattention.results.RunResults;
import dev.slicedattention.results.StageTimes;
import dev.slicedattention.results.TimingSpread;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The showcase's timing: warm-up to steady state, a time budget, quartiles, and the flag for unrankable points. */
class MeasurementTest {
    @Test
    void quantilesInterpolateLikeNumPy() {
        double[] samples = {4, 1, 3, 2};
        assertEquals(1.75, Measurement.quantile(samples, 0.25), 1e-12);
        assertEquals(3.25, Measurement.quantile(samples, 0.75), 1e-12);
        assertEquals(2.5, Measurement.median(samples), 1e-12);
    }

    @Test
    void steadyNeedsThreeTotalsWithinTenPercent() {
        assertFalse(Measurement.steady(List.of(10.0, 10.0)));
        assertTrue(Measurement.steady(List.of(30.0, 10.0, 10.5, 9.6)));
        assertFalse(Measurement.steady(List.of(10.0, 10.0, 12.0)));
    }

    @Test
    void timedCallsFillTheBudgetAndAtLeastTheMinimum() {
        try (Backend backend = SlicedAttention.open("jvm-seq")) {
            var batch = InputGenerator.GAUSSIAN.generate(new Shape(1, 64, 64, 4, 4), 1);
            Measurement few = Measurement.run(backend, batch, 5, 1e-6);
            assertEquals(5, few.spread().calls(), "the minimum wins over a tiny budget");
            Measurement more = Measurement.run(backend, batch, 1, 0.05);
            assertTrue(more.spread().calls() > 5, "50 ms of 64-key calls is many calls: " + more.spread().calls());
            assertTrue(more.spread().p25Millis() <= more.totalMillis() && more.totalMillis() <= more.spread().p75Millis());
        }
    }

    @Test
    void overlappingOrWideSpreadsCannotBeRanked() {
        RunRecord a = record("jvm-seq", 10, new TimingSpread(9, 9, 11));
        RunRecord b = record("jvm-par", 5, new TimingSpread(9, 4.9, 5.1));
        RunRecord c = record("other", 10.5, new TimingSpread(9, 10.5, 10.6));
        RunResults separate = RunResults.of("r", "t", "test", null, List.of(), null, List.of(a, b), List.of());
        assertFalse(separate.unranked(a));
        assertFalse(separate.unranked(b));
        RunResults overlapping = RunResults.of("r", "t", "test", null, List.of(), null, List.of(a, b, c), List.of());
        assertTrue(overlapping.unranked(a) && overlapping.unranked(c));
        assertEquals("±10%/9 ≈", overlapping.spreadText(a));
        RunRecord wide = record("jvm-par", 5, new TimingSpread(9, 3, 7));
        assertTrue(RunResults.of("r", "t", "test", null, List.of(), null, List.of(a, wide), List.of()).unranked(wide));
    }

    private static RunRecord record(String backend, double total, TimingSpread spread) {
        return new RunRecord(backend, "cpu", 1, 64, 64, 4, 4, StageTimes.ZERO, total, null, null, 1.0, 0, 0, 1e-5,
                RunRecord.REFERENCE_NAIVE, true, spread);
    }
}
