package dev.slicedattention.tornado.coalescing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The calls that {@link KernelInstrumenter} puts in place of a kernel's {@code FloatArray}/{@code IntArray}
 * get and set, of its {@code @Parallel} loop-index stores and of its {@code KernelContext} fields,
 * barriers and local arrays. Each global access is kept as (site, array, element, work-item,
 * occurrence): the occurrence is how many times this work-item has executed this site before, so
 * that the i-th execution of a load by each of a warp's 32 work-items is one request, as a GPU
 * executes it in lockstep.
 *
 * <p>One launch is recorded at a time ({@link #begin}, {@link #end}). {@code @Parallel} kernels run
 * sequentially on the calling thread, which TornadoVM's sequential semantics allow; a
 * {@code KernelContext} kernel runs one virtual thread per work-item of a work-group, its barriers
 * a {@link CyclicBarrier} and its local arrays shared by the group (see {@link Launcher}).
 */
public final class AccessRecorder {
    /** The work-item a thread is running: its coordinates and its per-site occurrence counters. */
    static final class WorkItem {
        /** {@code @Parallel}: the loop indices, outermost first, −1 where unset. KernelContext: group, local. */
        final int[] coordinates = {-1, -1};
        /** Per site: how often this work-item executed it, valid where its generation is the current one. */
        private int[] counts = new int[256];
        private int[] generations = new int[256];
        private int generation = 1;
        /** KernelContext only: the thread's ids and its group's barrier and local arrays. */
        int globalX, globalY, localX, localY, groupX, groupY, localSizeX, localSizeY;
        CyclicBarrier barrier;
        Map<Integer, Object> locals;

        void newWorkItem() {
            generation++;
        }

        /** The number of times this work-item executed {@code site} before, counting this one in. */
        int occurrence(int site) {
            if (site >= counts.length) {
                counts = Arrays.copyOf(counts, Math.max(site + 1, 2 * counts.length));
                generations = Arrays.copyOf(generations, counts.length);
            }
            if (generations[site] != generation) {
                generations[site] = generation;
                counts[site] = 0;
            }
            return counts[site]++;
        }
    }

    /** The accesses of one launch, as parallel primitive columns. */
    static final class Launch {
        final boolean context;
        final int groupSize;
        int size;
        int[] site = new int[1 << 16], array = new int[1 << 16], element = new int[1 << 16];
        int[] first = new int[1 << 16], second = new int[1 << 16], occurrence = new int[1 << 16];
        final int[] extent = {0, 0};

        Launch(boolean context, int groupSize) {
            this.context = context;
            this.groupSize = groupSize;
        }

        synchronized void add(int siteId, int arrayId, int index, WorkItem item) {
            if (size == site.length) {
                int grown = size * 2;
                site = Arrays.copyOf(site, grown);
                array = Arrays.copyOf(array, grown);
                element = Arrays.copyOf(element, grown);
                first = Arrays.copyOf(first, grown);
                second = Arrays.copyOf(second, grown);
                occurrence = Arrays.copyOf(occurrence, grown);
            }
            site[size] = siteId;
            array[size] = arrayId;
            element[size] = index;
            first[size] = item.coordinates[0];
            second[size] = item.coordinates[1];
            occurrence[size] = item.occurrence(siteId);
            extent[0] = Math.max(extent[0], item.coordinates[0] + 1);
            extent[1] = Math.max(extent[1], item.coordinates[1] + 1);
            size++;
        }
    }

    private static final ThreadLocal<WorkItem> ITEM = ThreadLocal.withInitial(WorkItem::new);
    private static final IdentityHashMap<Object, Integer> ARRAY_IDS = new IdentityHashMap<>();
    private static final List<String> ARRAY_NAMES = new ArrayList<>();
    private static volatile Launch current;

    private AccessRecorder() {}

    /** The name an array goes by in the figures (the kernel's argument as the plan calls it). */
    static synchronized int name(Object array, String name) {
        Integer id = ARRAY_IDS.get(array);
        if (id != null) {
            return id;
        }
        ARRAY_IDS.put(array, ARRAY_NAMES.size());
        ARRAY_NAMES.add(name);
        return ARRAY_NAMES.size() - 1;
    }

    static synchronized String arrayName(int id) {
        return ARRAY_NAMES.get(id);
    }

    private static synchronized int arrayId(Object array) {
        Integer id = ARRAY_IDS.get(array);
        return id != null ? id : name(array, "array" + ARRAY_NAMES.size());
    }

    static void begin(Launch launch) {
        current = launch;
        WorkItem item = ITEM.get();
        item.coordinates[0] = -1;
        item.coordinates[1] = -1;
        item.newWorkItem();
    }

    static Launch end() {
        Launch launch = current;
        current = null;
        return launch;
    }

    static WorkItem workItem() {
        return ITEM.get();
    }

    private static void record(Object array, int index, int site) {
        Launch launch = current;
        if (launch != null) {
            launch.add(site, arrayId(array), index, ITEM.get());
        }
    }

    // ---- the replacements of the kernels' calls (their names are KernelInstrumenter's) ----

    public static float floatGet(FloatArray array, int index, int site) {
        record(array, index, site);
        return array.get(index);
    }

    public static void floatSet(FloatArray array, int index, float value, int site) {
        record(array, index, site);
        array.set(index, value);
    }

    public static int intGet(IntArray array, int index, int site) {
        record(array, index, site);
        return array.get(index);
    }

    public static void intSet(IntArray array, int index, int value, int site) {
        record(array, index, site);
        array.set(index, value);
    }

    /** A {@code @Parallel} loop index was stored: level 0 is the outer loop; storing it unsets the inner ones. */
    public static void parallelIndex(int value, int level) {
        WorkItem item = ITEM.get();
        item.coordinates[level] = value;
        for (int inner = level + 1; inner < item.coordinates.length; inner++) {
            item.coordinates[inner] = -1;
        }
        item.newWorkItem();
    }

    /** A read of one of KernelContext's id fields, answered from the running work-item. */
    public static Integer contextField(KernelContext context, String field) {
        WorkItem item = ITEM.get();
        return switch (field) {
            case "globalIdx" -> item.globalX;
            case "globalIdy" -> item.globalY;
            case "localIdx" -> item.localX;
            case "localIdy" -> item.localY;
            case "groupIdx" -> item.groupX;
            case "groupIdy" -> item.groupY;
            case "localGroupSizeX" -> item.localSizeX;
            case "localGroupSizeY" -> item.localSizeY;
            default -> throw new UnsupportedOperationException("KernelContext." + field + " is not simulated");
        };
    }

    public static void localBarrier(KernelContext context) {
        try {
            ITEM.get().barrier.await();
        } catch (InterruptedException | BrokenBarrierException e) {
            throw new IllegalStateException("a work-group's barrier broke", e);
        }
    }

    public static float[] localFloats(KernelContext context, int size, int site) {
        return (float[]) local(site, () -> new float[size]);
    }

    public static int[] localInts(KernelContext context, int size, int site) {
        return (int[]) local(site, () -> new int[size]);
    }

    private static Object local(int site, java.util.function.Supplier<Object> make) {
        Map<Integer, Object> locals = ITEM.get().locals;
        synchronized (locals) {
            return locals.computeIfAbsent(site, s -> make.get());
        }
    }
}
