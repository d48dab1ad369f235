package dev.slicedattention.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CostFitTest {
    private static List<Calibration.Point> points(CostModel truth, double noise) {
        List<Calibration.Point> points = new ArrayList<>();
        int[][] shapes = {{1, 256}, {4, 1024}, {1, 8192}, {2, 32768}};
        for (int i = 0; i < shapes.length; i++) {
            Calibration.Point shape = new Calibration.Point(shapes[i][0], shapes[i][1], 64, 64, 0);
            double nanos = truth.predictNanos(shape.work()) * (1 + (i % 2 == 0 ? noise : -noise));
            points.add(new Calibration.Point(shapes[i][0], shapes[i][1], 64, 64, nanos / 1e6));
        }
        return points;
    }

    @Test
    void exactPointsGiveTheirModelBack() {
        CostModel truth = new CostModel(50_000, 0.7, 3.0);
        CostModel fitted = CostFit.fit(points(truth, 0));
        assertEquals(truth.fixedNanos(), fitted.fixedNanos(), 1e-6 * truth.fixedNanos());
        assertEquals(truth.elementNanos(), fitted.elementNanos(), 1e-6 * truth.elementNanos());
        assertEquals(truth.sortNanos(), fitted.sortNanos(), 1e-6 * truth.sortNanos());
    }

    @Test
    void onePointIsExplainedByTheSortTermNotByAFixedCost() {
        CostModel fitted = CostFit.fit(List.of(new Calibration.Point(1, 1024, 64, 64, 2.0)));
        assertEquals(0, fitted.fixedNanos());
        assertEquals(0, fitted.elementNanos());
        assertEquals(2e6, fitted.predictNanos(ProblemWork.uniform(1, 1024, 1024, 64, 64)), 1e-6);
    }

    @Test
    void noCoefficientGoesNegativeAndTheFitStaysClose() {
        // Without a fixed cost and with noise the unconstrained fit would want a negative one.
        CostModel truth = new CostModel(0, 1.0, 0.5);
        List<Calibration.Point> points = points(truth, 0.1);
        CostModel fitted = CostFit.fit(points);
        assertTrue(fitted.isValid(), fitted.toString());
        for (Calibration.Point point : points) {
            double relative = fitted.predictNanos(point.work()) / (point.millis() * 1e6);
            assertTrue(relative > 0.8 && relative < 1.25, point + " predicted " + fitted);
        }
    }
}
