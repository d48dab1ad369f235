package dev.slicedattention.calibration;

import dev.slicedattention.spi.BackendEngine;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The calibration {@code auto} uses: the stored one when it is whole and current, else a new sweep,
 * stored. A missing or stale calibration (another version, machine or set of backends) is measured
 * again with a notice saying why; a corrupt one is refused with a one-line notice naming the file and
 * measured again — never used. Within a JVM one sweep runs at a time; between processes the store's
 * atomic writes keep the file whole.
 */
public final class Calibrations {
    private static final Object LOCK = new Object();

    private final CalibrationStore store;
    private final SweepPlan plan;

    public Calibrations(CalibrationStore store, SweepPlan plan) {
        this.store = store;
        this.plan = plan;
    }

    /** The user's store and the standard sweep. */
    public static Calibrations standard() {
        return new Calibrations(CalibrationStore.standard(), SweepPlan.standard());
    }

    public CalibrationStore store() {
        return store;
    }

    /** The stored calibration when it is valid for {@code backends}; empty otherwise (nothing is measured). */
    public Optional<Calibration> stored(List<String> backends) {
        return store.load(backends) instanceof CalibrationStore.Loaded.Valid valid ? Optional.of(valid.calibration()) : Optional.empty();
    }

    /** The stored calibration, or a new one when it is missing, stale or corrupt. */
    public Calibration current(List<String> backends, Function<String, BackendEngine> opener, CalibrationListener listener) {
        synchronized (LOCK) {
            CalibrationStore.Loaded loaded = store.load(backends);
            String seconds = String.format("at most about %.0f s", plan.budget().toMillis() / 1000.0);
            switch (loaded) {
                case CalibrationStore.Loaded.Valid valid -> {
                    return valid.calibration();
                }
                case CalibrationStore.Loaded.Missing missing -> listener.notice("no calibration of this machine yet: timing every backend ("
                        + seconds + ") for 'auto'; it is stored in " + missing.file());
                case CalibrationStore.Loaded.Stale stale -> listener.notice("the calibration in " + stale.file() + " is stale ("
                        + stale.reason() + "): timing every backend again (" + seconds + ")");
                case CalibrationStore.Loaded.Corrupt corrupt -> listener.notice("refusing the calibration in " + corrupt.file() + ": "
                        + corrupt.reason() + "; timing every backend again (" + seconds + ") and replacing it");
            }
            return rebuild(backends, opener, listener);
        }
    }

    /** A new sweep, stored (what {@code scripts/sliced-attention calibrate} runs). */
    public Calibration rebuild(List<String> backends, Function<String, BackendEngine> opener, CalibrationListener listener) {
        synchronized (LOCK) {
            Calibration calibration = new CalibrationSweep(plan).run(backends, opener, listener);
            store.write(calibration);
            return calibration;
        }
    }
}
