package dev.slicedattention.host;

import dev.slicedattention.SlicedAttention;
import dev.slicedattention.calibration.Calibration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = {"Time every available backend over a few sizes and both kernels (about 30 s), fit each one's cost model, "
                + "and store it for this machine and version: 'auto' (the default backend of attend and layer) runs each call "
                + "on the backend it predicts fastest, and split divides a call's problems by it.",
                "Stored in $XDG_CACHE_HOME/sliced-attention/ (default ~/.cache/sliced-attention/); 'auto' measures on "
                        + "its own when none is stored, or when the stored one is stale or corrupt."},
        footer = {"%nExample:%n  scripts/sliced-attention calibrate", ExitCode.FOOTER})
final class CalibrateCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions options;

    private final Console console;

    CalibrateCommand(Console console) {
        this.console = console;
    }

    @Override
    public Integer call() {
        Calibration calibration = SlicedAttention.calibrate(new CalibrationProgress(console, options));
        CalibrationTable.print(calibration, console.out());
        console.out().println("stored: " + SlicedAttention.calibrationStore().file());
        return ExitCode.OK;
    }
}
