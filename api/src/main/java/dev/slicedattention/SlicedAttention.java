package dev.slicedattention;

import dev.slicedattention.calibration.AutoEngine;
import dev.slicedattention.calibration.Calibration;
import dev.slicedattention.calibration.CalibrationListener;
import dev.slicedattention.calibration.CalibrationStore;
import dev.slicedattention.calibration.Calibrations;
import dev.slicedattention.error.UnknownBackendException;
import dev.slicedattention.spi.BackendEngine;
import dev.slicedattention.spi.BackendProvider;
import dev.slicedattention.split.SplitEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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
 * {@code tornado:B:D} (backend B, device D, as {@code tornado --devices} numbers them),
 * {@code auto} (alias {@code fastest}: the backend this machine's calibration predicts fastest for
 * each call) and {@code split:A,B} (each call's problems divided among several backends at once). The TornadoVM backends exist only when the JVM runs with TornadoVM and the
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

    /** The name of the backend that runs each call where the machine's calibration predicts it fastest. */
    public static final String AUTO = "auto";

    /** The former name of {@link #AUTO}, kept as its alias. */
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

    /**
     * Opens a backend by name: {@code jvm-seq}, {@code jvm-par}, {@code tornado}, {@code tornado:B:D};
     * {@code auto} (alias {@code fastest}): each call on the backend the machine's calibration predicts
     * fastest for its shape ({@link #calibration}; measured first when missing or stale);
     * {@code split:A,B,...} (or {@code split:A+B+...}): each call's problems divided among the named backends, run at once;
     * {@code split} alone: among every available backend.
     */
    public static Backend open(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        if (wanted.equals(AUTO) || wanted.equals(FASTEST)) {
            return new Backend(auto(CalibrationListener.STDERR));
        }
        if (wanted.equals(SplitEngine.PREFIX) || wanted.startsWith(SplitEngine.PREFIX + ":")) {
            List<String> parts = splitParts(name, wanted);
            Calibration stored = Calibrations.standard().stored(backendNames()).orElse(null);
            return new Backend(SplitEngine.open(parts, SlicedAttention::openEngine, stored));
        }
        return new Backend(openEngine(name));
    }

    /** The backends a split name lists (every available one for {@code split} alone), each a single backend, none twice. */
    private static List<String> splitParts(String name, String wanted) {
        if (wanted.equals(SplitEngine.PREFIX)) {
            return backendNames();
        }
        List<String> parts = new ArrayList<>();
        for (String part : wanted.substring(SplitEngine.PREFIX.length() + 1).split("[,+]")) {
            String backend = part.trim();
            if (backend.isEmpty() || backend.equals(AUTO) || backend.equals(FASTEST) || backend.startsWith(SplitEngine.PREFIX)) {
                throw new UnknownBackendException("'" + name + "' is not a split: list two or more single backends after 'split:', "
                        + "as split:tornado:0:0,jvm-par (available here: " + String.join(", ", backendNames()) + ")");
            }
            if (parts.contains(backend)) {
                throw new UnknownBackendException("'" + name + "' names " + backend + " twice: a backend takes one share of a split");
            }
            parts.add(backend);
        }
        return parts;
    }

    /** Opens one single backend's engine by name. */
    private static BackendEngine openEngine(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        List<BackendProvider> providers = providers();
        for (BackendProvider provider : providers) {
            if (provider.accepts(wanted)) {
                if (provider.devices().isEmpty()) {
                    throw new UnknownBackendException("backend '" + name + "' is not available: "
                            + provider.unavailableReason().orElse("its provider found no device"));
                }
                return provider.open(wanted);
            }
        }
        StringBuilder known = new StringBuilder();
        for (BackendInfo info : backends()) {
            known.append(known.length() == 0 ? "" : ", ").append(info.name());
        }
        String hint = wanted.startsWith("tornado")
                ? " (TornadoVM backends need the JVM to run with TornadoVM: install its SDK; scripts/sliced-attention finds it in the usual places or at TORNADOVM_HOME)"
                : "";
        throw new UnknownBackendException("unknown backend '" + name + "'; available here: " + known
                + ", auto, split, split:NAME,NAME..." + hint);
    }

    private static List<String> backendNames() {
        return backends().stream().map(BackendInfo::name).toList();
    }

    /** The engine behind {@code auto}: the calibration (measured now when missing, stale or corrupt; {@code listener} hears of it). */
    private static AutoEngine auto(CalibrationListener listener) {
        List<BackendInfo> available = backends();
        Calibration calibration = calibration(listener);
        return new AutoEngine(calibration, available, fastest().name(), SlicedAttention::openEngine);
    }

    /**
     * This machine's calibration for {@code auto} (see {@link Calibrations}): the stored one in
     * {@link #calibrationStore()} when it is current, else a sweep of every available backend (about
     * 30 s), stored. {@code listener} hears of the sweep's progress and of why a stored one was not used.
     */
    public static Calibration calibration(CalibrationListener listener) {
        return Calibrations.standard().current(backendNames(), SlicedAttention::openEngine, listener);
    }

    /** Measures this machine again, whatever is stored, and stores the result. */
    public static Calibration calibrate(CalibrationListener listener) {
        return Calibrations.standard().rebuild(backendNames(), SlicedAttention::openEngine, listener);
    }

    /** The stored calibration when it is current for the backends available now; nothing is measured. */
    public static Optional<Calibration> storedCalibration() {
        return Calibrations.standard().stored(backendNames());
    }

    /** Where calibrations are stored ({@code $XDG_CACHE_HOME/sliced-attention/}, default {@code ~/.cache/sliced-attention/}). */
    public static CalibrationStore calibrationStore() {
        return CalibrationStore.standard();
    }

    /** Opens {@code auto}: each call on the backend predicted fastest for it by this machine's calibration. */
    public static Backend openFastest() {
        return open(AUTO);
    }

    /**
     * The backend expected to be fastest without measuring: a TornadoVM GPU or accelerator when there is
     * one, else {@code jvm-par}. {@code auto} uses it only for calls no backend's calibration covers.
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
