package dev.slicedattention;

import dev.slicedattention.error.UnknownBackendException;
import dev.slicedattention.spi.BackendProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * The entry point: sliced ReLU attention (Vialard and Boufadène, arXiv:2512.11411), O(n log n),
 * on the JVM or on an OpenCL/CUDA device through TornadoVM.
 *
 * <pre>{@code
 * try (Backend backend = SlicedAttention.open("jvm-par")) {
 *     Tensor out = backend.forward(q, k, v, theta);   // [m, e]
 * }
 * }</pre>
 *
 * <p>Backend names: {@code jvm-seq} (the sequential path every other backend is validated against),
 * {@code jvm-par} (multi-threaded Java), {@code tornado} (TornadoVM's default device) and
 * {@code tornado:B:D} (backend B, device D, as {@code tornado --devices} numbers them), and
 * {@code fastest}. The TornadoVM backends exist only when the JVM runs with TornadoVM and the
 * {@code sliced-attention-tornado} jar is on the class path.
 *
 * <p>Inputs are {@link Tensor}s: over {@code float[]} ({@link Tensor#wrap}), read from {@code .npy}
 * ({@link Tensor#readNpy}), or viewing TornadoVM's off-heap {@code FloatArray}s without a copy
 * ({@code dev.slicedattention.tornado.TornadoTensors.wrap}, which a TornadoVM backend sends to its
 * device as they are).
 *
 * <p>All methods are thread-safe; the {@link Backend}s they return are not.
 */
public final class SlicedAttention {
    /**
     * The system property that, set to {@code off}, hides the TornadoVM backends from this JVM (the CLI's
     * {@code --no-tornado}; the launcher script then does not start TornadoVM at all).
     */
    public static final String TORNADO_SWITCH = "sliced.attention.tornado";

    /** The name that picks the fastest available backend. */
    public static final String FASTEST = "fastest";

    private SlicedAttention() {}

    /** The installed providers, in class-path order (the JVM ones first), less TornadoVM's when {@link #TORNADO_SWITCH} is off. */
    public static List<BackendProvider> providers() {
        boolean tornadoOff = "off".equalsIgnoreCase(System.getProperty(TORNADO_SWITCH, ""));
        List<BackendProvider> providers = new ArrayList<>();
        for (BackendProvider provider : ServiceLoader.load(BackendProvider.class, SlicedAttention.class.getClassLoader())) {
            if (!(tornadoOff && provider.family().equals("tornado"))) {
                providers.add(provider);
            }
        }
        return providers;
    }

    /** Every backend that can be opened here. */
    public static List<BackendInfo> backends() {
        List<BackendInfo> all = new ArrayList<>();
        for (BackendProvider provider : providers()) {
            all.addAll(provider.devices());
        }
        return all;
    }

    /** Opens a backend by name ({@code jvm-seq}, {@code jvm-par}, {@code tornado}, {@code tornado:B:D}, {@code fastest}). */
    public static Backend open(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        if (wanted.equals(FASTEST)) {
            return open(fastest().name());
        }
        List<BackendProvider> providers = providers();
        for (BackendProvider provider : providers) {
            if (provider.accepts(wanted)) {
                if (provider.devices().isEmpty()) {
                    throw new UnknownBackendException("backend '" + name + "' is not available: "
                            + provider.unavailableReason().orElse("its provider found no device"));
                }
                return new Backend(provider.open(wanted));
            }
        }
        StringBuilder known = new StringBuilder();
        for (BackendInfo info : backends()) {
            known.append(known.length() == 0 ? "" : ", ").append(info.name());
        }
        String hint = wanted.startsWith("tornado")
                ? " (TornadoVM backends need the JVM to run with TornadoVM: install its SDK; scripts/sliced-attention finds it in the usual places or at TORNADOVM_HOME)"
                : "";
        throw new UnknownBackendException("unknown backend '" + name + "'; available here: " + known + hint);
    }

    /** Opens the fastest available backend ({@link #fastest()}). */
    public static Backend openFastest() {
        return open(fastest().name());
    }

    /**
     * The backend expected to be fastest here: a TornadoVM GPU or accelerator when there is one, else
     * {@code jvm-par}. On a CPU, a TornadoVM OpenCL device does not beat well-written multi-threaded
     * Java at this operator's sort (see the README's performance table), so it is not preferred.
     */
    public static BackendInfo fastest() {
        List<BackendInfo> all = backends();
        BackendInfo best = null;
        for (BackendInfo info : all) {
            if (best == null || preference(info) > preference(best)) {
                best = info;
            }
        }
        if (best == null) {
            throw new UnknownBackendException("no backend is installed (is sliced-attention-api on the class path?)");
        }
        return best;
    }

    private static int preference(BackendInfo info) {
        if (info.kind() != DeviceKind.CPU) {
            return 3;
        }
        return switch (info.family()) {
            case "jvm-par" -> 2;
            case "tornado" -> 1;
            default -> 0;
        };
    }
}
