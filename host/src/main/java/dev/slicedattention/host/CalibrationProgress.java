package dev.slicedattention.host;

import dev.slicedattention.Backend;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.calibration.CalibrationListener;
import java.util.Locale;

/**
 * A calibration sweep as the CLI shows it: a progress bar on stderr (as every long command's,
 * {@link Progress}) and its notices — why a stored calibration was not used, where the new one is
 * stored — one line each on stderr.
 */
final class CalibrationProgress implements CalibrationListener {
    private final Console console;
    private final GlobalOptions options;
    private Progress progress;

    CalibrationProgress(Console console, GlobalOptions options) {
        this.console = console;
        this.options = options;
    }

    /**
     * Opens {@code name}; for {@code auto} (or {@code fastest}) the machine's calibration is made
     * current first, in sight: a missing, stale or corrupt one is measured again with a progress bar.
     */
    static Backend open(String name, Console console, GlobalOptions options) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        if (wanted.equals(SlicedAttention.AUTO) || wanted.equals(SlicedAttention.FASTEST)) {
            SlicedAttention.calibration(new CalibrationProgress(console, options));
        }
        return SlicedAttention.open(name);
    }

    @Override
    public void started(int steps) {
        progress = Progress.start(console, options, "calibrate", steps);
    }

    @Override
    public void step(String what) {
        if (progress != null) {
            progress.step(what);
        }
    }

    @Override
    public void finished() {
        if (progress != null) {
            progress.close();
            progress = null;
        }
    }

    @Override
    public void notice(String line) {
        console.err().println(line);
    }
}
