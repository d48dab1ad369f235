package dev.slicedattention.split;

import dev.slicedattention.calibration.ProblemWork;
import java.util.List;

/**
 * Divides the P problems of a call among lanes (backends) as contiguous ranges, lane 0 first, so that
 * the predicted time of the slowest lane is as small as contiguous ranges allow. Each lane's time is
 * its own model: a fixed cost, paid only when it gets a problem, plus each problem's time from that
 * problem's work ({@link ProblemWork}: its own lengths, so ragged problems weigh by their cost, not
 * their count). A lane too slow to help (its fixed cost alone beyond the best finish) gets nothing.
 *
 * <p>For a candidate finish time T, filling the lanes in order, each with as many problems as fit in
 * T, is the best contiguous division; the smallest T for which that places every problem is found by
 * bisection. Within the slowest lane's last problem the balance is exact: ranges keep each backend's
 * inputs and outputs contiguous, with no gather or scatter.
 */
final class ProblemShares {
    /** One lane's predicted time: nanoseconds for the work of the problems it gets. */
    interface LaneCost {
        double fixedNanos();

        double nanos(ProblemWork problem);
    }

    private ProblemShares() {}

    /** Cut points: lane i gets problems {@code cuts[i]..cuts[i+1]-1}; cuts[0] = 0, cuts[lanes] = P. */
    static int[] cut(ProblemWork[] work, List<? extends LaneCost> lanes) {
        double[][] nanos = new double[lanes.size()][work.length];
        double hi = Double.POSITIVE_INFINITY;
        for (int i = 0; i < lanes.size(); i++) {
            double alone = lanes.get(i).fixedNanos();
            for (int p = 0; p < work.length; p++) {
                nanos[i][p] = lanes.get(i).nanos(work[p]);
                alone += nanos[i][p];
            }
            hi = Math.min(hi, alone);      // one lane alone: always a division
        }
        double lo = 0;
        for (int step = 0; step < 200 && hi - lo > 1e-9 * hi; step++) {
            double mid = (lo + hi) / 2;
            if (fill(nanos, lanes, mid, work.length) == null) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        int[] cuts = fill(nanos, lanes, hi, work.length);
        // hi is feasible by construction; rounding can only leave the fastest lane's division
        return cuts != null ? cuts : fill(nanos, lanes, Double.POSITIVE_INFINITY, work.length);
    }

    /** Each lane in turn takes the problems that fit in {@code finish}; null when some are left over. */
    private static int[] fill(double[][] nanos, List<? extends LaneCost> lanes, double finish, int problems) {
        int[] cuts = new int[lanes.size() + 1];
        int next = 0;
        for (int i = 0; i < lanes.size(); i++) {
            double time = lanes.get(i).fixedNanos();
            while (next < problems && time + nanos[i][next] <= finish) {
                time += nanos[i][next];
                next++;
            }
            cuts[i + 1] = next;
        }
        if (next < problems) {
            return null;
        }
        return cuts;
    }
}
