package dev.slicedattention.jvm.par;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AccumulatorRowsTest {
    /** More rows than one batch holds, at scattered places, into a middle range of columns: each lands at its place, nothing else is touched. */
    @Test
    void rowsLandAtTheirQueriesColumnsAndNowhereElse() {
        int e = 7, c0 = 2, c1 = 5, queries = 150;
        for (boolean withScalars : new boolean[] {false, true}) {
            double[] a = new double[queries * e], d = withScalars ? new double[queries] : null;
            java.util.Arrays.fill(a, -1.0);
            AccumulatorRows rows = new AccumulatorRows(a, d, e, c0, c1);
            for (int k = 0; k < queries; k++) {
                int i = (k * 37) % queries;                     // every query once, out of order
                rows.put(i, new double[] {i, i + 0.25, i + 0.5}, 10.0 * i);
            }
            rows.flush();
            for (int i = 0; i < queries; i++) {
                for (int c = 0; c < e; c++) {
                    double expected = c < c0 || c >= c1 ? -1.0 : i + 0.25 * (c - c0);
                    assertEquals(expected, a[i * e + c], "query " + i + " column " + c);
                }
                if (withScalars) {
                    assertEquals(10.0 * i, d[i], "D of query " + i);
                }
            }
        }
    }
}
