package dev.slicedattention.tornado.coalescing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import uk.ac.manchester.tornado.api.KernelContext;

/**
 * Runs kernels' instrumented copies as a plan would launch them and keeps, per kernel and access
 * site, the sectors per request under both mappings ({@link Sectors.Mapping}), summed over every
 * launch of that kernel. The arrays are the caller's: a scenario runs the stages in order on real
 * data, so that data-dependent addresses (the gather's sorted indices, the rank's binary search)
 * are the ones a forward pass produces.
 */
public final class Launcher {
    /** The instrumented kernels' package, and the fixtures that test the measure itself. */
    static final String[] INSTRUMENTED = {"dev.slicedattention.tornado.kernels.", "dev.slicedattention.tornado.coalescing.fixtures."};

    private record Key(String stage, String kernel, int site) {}

    private final KernelInstrumenter loader = new KernelInstrumenter(Launcher.class.getClassLoader(), INSTRUMENTED);
    private final Map<Key, Sectors.Totals[]> totals = new LinkedHashMap<>();
    private final Map<Key, String> arrays = new HashMap<>();

    /** Gives {@code array} the name it has in the figures; returns it. */
    public <T> T name(T array, String name) {
        AccessRecorder.name(array, name);
        return array;
    }

    /** One launch of a {@code @Parallel} kernel (run sequentially, as TornadoVM's Java semantics allow). */
    public void parallel(String stage, Class<?> kernels, String method, Object... args) {
        AccessRecorder.Launch launch = new AccessRecorder.Launch(false, 0);
        AccessRecorder.begin(launch);
        try {
            invoke(find(kernels, method), args);
        } finally {
            AccessRecorder.end();
        }
        add(stage, kernels, method, launch);
    }

    /**
     * One launch of a {@code KernelContext} kernel over a global size of globalX × globalY work-items in
     * work-groups of localX × localY: each group's work-items run as virtual threads that share the
     * group's barrier and local arrays. {@code args[0]} is the kernel's context (any; its ids are simulated).
     */
    public void context(String stage, Class<?> kernels, String method, int globalX, int globalY, int localX, int localY,
                        Object... args) {
        Method target = find(kernels, method);
        int groupSize = localX * localY;
        AccessRecorder.Launch launch = new AccessRecorder.Launch(true, groupSize);
        AccessRecorder.begin(launch);
        try {
            for (int gy = 0; gy < globalY / localY; gy++) {
                for (int gx = 0; gx < globalX / localX; gx++) {
                    runGroup(target, args, launch, gx, gy, globalX / localX, localX, localY);
                }
            }
        } finally {
            AccessRecorder.end();
        }
        add(stage, kernels, method, launch);
    }

    private void runGroup(Method target, Object[] args, AccessRecorder.Launch launch, int gx, int gy, int groupsX,
                          int localX, int localY) {
        CyclicBarrier barrier = new CyclicBarrier(localX * localY);
        Map<Integer, Object> locals = new HashMap<>();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int ly = 0; ly < localY; ly++) {
            for (int lx = 0; lx < localX; lx++) {
                int x = lx;
                int y = ly;
                threads.add(Thread.ofVirtual().start(() -> {
                    AccessRecorder.begin(launch);
                    AccessRecorder.WorkItem item = AccessRecorder.workItem();
                    item.localX = x;
                    item.localY = y;
                    item.groupX = gx;
                    item.groupY = gy;
                    item.globalX = gx * localX + x;
                    item.globalY = gy * localY + y;
                    item.localSizeX = localX;
                    item.localSizeY = localY;
                    item.barrier = barrier;
                    item.locals = locals;
                    item.coordinates[0] = gy * groupsX + gx;
                    item.coordinates[1] = y * localX + x;
                    try {
                        invoke(target, args);
                    } catch (Throwable t) {
                        failures.add(t);
                        barrier.reset();
                    }
                }));
            }
        }
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("work-group (" + gx + ", " + gy + ") failed", failures.getFirst());
        }
    }

    private Method find(Class<?> kernels, String method) {
        try {
            Class<?> copy = loader.loadClass(kernels.getName());
            for (Method candidate : copy.getMethods()) {
                if (candidate.getName().equals(method)) {
                    return candidate;
                }
            }
            throw new IllegalArgumentException(kernels.getSimpleName() + " has no method " + method);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void invoke(Method method, Object[] args) {
        try {
            method.invoke(null, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private void add(String stage, Class<?> kernels, String method, AccessRecorder.Launch launch) {
        String kernel = kernels.getSimpleName() + "." + method;
        Sectors.Mapping[] mappings = Sectors.Mapping.values();
        for (int m = 0; m < mappings.length; m++) {
            Map<Integer, Sectors.Totals> perSite = new HashMap<>();
            Sectors.count(launch, mappings[m], perSite);
            for (Map.Entry<Integer, Sectors.Totals> site : perSite.entrySet()) {
                Sectors.Totals[] both = totals.computeIfAbsent(new Key(stage, kernel, site.getKey()),
                        k -> new Sectors.Totals[] {new Sectors.Totals(), new Sectors.Totals()});
                both[m].requests += site.getValue().requests;
                both[m].sectors += site.getValue().sectors;
            }
        }
        java.util.Set<Long> pairs = new java.util.HashSet<>();
        for (int r = 0; r < launch.size; r++) {
            pairs.add(((long) launch.site[r] << 32) | launch.array[r]);
        }
        for (long pair : pairs.stream().sorted().toList()) {
            Key key = new Key(stage, kernel, (int) (pair >>> 32));
            String name = AccessRecorder.arrayName((int) pair);
            arrays.merge(key, name, (a, b) -> a.equals(b) || a.contains(b) ? a : a + "|" + b);
        }
    }

    /** The figures of every access of every kernel launched so far, in launch and source order. */
    public List<AccessFigure> figures() {
        List<AccessFigure> figures = new ArrayList<>();
        for (Map.Entry<Key, Sectors.Totals[]> entry : totals.entrySet()) {
            Key key = entry.getKey();
            Sectors.Totals[] both = entry.getValue();
            KernelInstrumenter.Site site = loader.site(key.site());
            figures.add(new AccessFigure(key.stage(), key.kernel(), arrays.get(key), site.write(), site.line(),
                    both[0].requests, ratio(both[0]), ratio(both[1])));
        }
        // Kernels in the order they were first launched, each kernel's accesses in source order.
        Map<String, Integer> launched = new HashMap<>();
        totals.keySet().forEach(key -> launched.putIfAbsent(key.kernel(), launched.size()));
        figures.sort(java.util.Comparator.comparingInt((AccessFigure f) -> launched.get(f.kernel()))
                .thenComparingInt(AccessFigure::line).thenComparing(AccessFigure::store));
        return figures;
    }

    private static double ratio(Sectors.Totals totals) {
        return totals.requests == 0 ? 0.0 : (double) totals.sectors / totals.requests;
    }

    /** A context for {@link #context} calls' first argument. */
    public static KernelContext anyContext() {
        return new KernelContext();
    }
}
