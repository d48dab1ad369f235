package dev.slicedattention.tornado.coalescing;

import java.util.HashMap;
import java.util.Map;

/**
 * Counts the 32-byte sectors of each warp-level request in a recorded launch, for one mapping of
 * work-items to warps. A request is one site executed for the i-th time by the work-items of one
 * warp (the GPU runs them in lockstep); its sectors are the distinct 32-byte pieces of memory its
 * active work-items address. Element k of a TornadoVM array lies at byte {@link #HEADER_BYTES} + 4k of
 * its buffer (the OpenCL C that TornadoVM generates addresses {@code (k + 4) << 2}), buffers taken
 * as starting at a sector boundary.
 */
final class Sectors {
    /** TornadoVM's array header, before element 0 (TornadoNativeArray.ARRAY_HEADER). */
    static final int HEADER_BYTES = 16;
    static final int SECTOR_BYTES = 32;
    static final int WARP = 32;
    /** The inverse of 0x9E3779B97F4A7C15 modulo 2^64. */
    private static final long UNSCRAMBLE = inverse(0x9E3779B97F4A7C15L);

    /** How a recorded work-item becomes a position in the launch's linear order of threads. */
    enum Mapping {
        /** PTX: the inner {@code @Parallel} loop is x, the fast dimension. */
        PTX,
        /** OpenCL C: the outer {@code @Parallel} loop is dimension 0, the fast dimension. */
        OPENCL;

        long thread(AccessRecorder.Launch launch, int record) {
            int outer = launch.first[record];
            int inner = launch.second[record];
            if (launch.context) {
                // group, then the local id: a warp never spans two work-groups
                int padded = (launch.groupSize + WARP - 1) / WARP * WARP;
                return (long) outer * padded + inner;
            }
            if (launch.extent[1] == 0) {
                return outer;
            }
            return this == PTX ? (long) outer * launch.extent[1] + inner : (long) inner * launch.extent[0] + outer;
        }
    }

    /** Per site: requests and sectors summed over the launches added. */
    static final class Totals {
        long requests;
        long sectors;
    }

    private Sectors() {}

    /** The multiplicative inverse of an odd number modulo 2^64 (Newton's iteration doubles the correct bits). */
    private static long inverse(long odd) {
        long x = odd;
        for (int i = 0; i < 5; i++) {
            x *= 2 - odd * x;
        }
        return x;
    }

    /** Adds {@code launch}'s requests and sectors per site under {@code mapping} into {@code totals}. */
    static void count(AccessRecorder.Launch launch, Mapping mapping, Map<Integer, Totals> totals) {
        Map<Long, long[]> requests = new HashMap<>();
        for (int r = 0; r < launch.size; r++) {
            long sector = ((long) launch.array[r] << 40) | ((HEADER_BYTES + 4L * launch.element[r]) / SECTOR_BYTES);
            if (launch.first[r] < 0) {
                // Before the @Parallel loops: every work-item executes it at the same address, a broadcast.
                Totals site = totals.computeIfAbsent(launch.site[r], s -> new Totals());
                site.requests++;
                site.sectors++;
                continue;
            }
            if (launch.extent[1] > 0 && launch.second[r] < 0 && !launch.context) {
                throw new IllegalStateException("site " + launch.site[r] + " is in the outer @Parallel loop's body, outside the inner loop");
            }
            long warp = mapping.thread(launch, r) / WARP;
            int occurrence = launch.occurrence[r];
            if (occurrence >= 1 << 20 || launch.site[r] >= 1 << 11 || warp >= 1L << 32) {
                throw new IllegalStateException("launch too large to key its requests: use smaller sizes");
            }
            long key = ((long) launch.site[r] << 52) | ((long) occurrence << 32) | warp;
            // Scrambled (an odd multiplier is a bijection): Long.hashCode folds the site and occurrence onto the
            // warp, and the plain keys collided into HashMap tree bins.
            long[] set = requests.computeIfAbsent(key * 0x9E3779B97F4A7C15L, k -> new long[WARP + 1]);
            int count = (int) set[0];
            boolean seen = false;
            for (int i = 1; i <= count; i++) {
                seen |= set[i] == sector;
            }
            if (!seen) {
                set[0] = count + 1;
                set[count + 1] = sector;
            }
        }
        for (Map.Entry<Long, long[]> request : requests.entrySet()) {
            Totals site = totals.computeIfAbsent((int) ((request.getKey() * UNSCRAMBLE) >>> 52), s -> new Totals());
            site.requests++;
            site.sectors += request.getValue()[0];
        }
    }
}
