package dev.slicedattention.host;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.calibration.CalibrationStore;
import dev.slicedattention.spi.BackendProvider;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "devices", mixinStandardHelpOptions = true, description = "List every backend available here (device, kind, memory, runtime) and the calibration auto and split use.",
        footer = {"%nExample:%n  scripts/sliced-attention devices", ExitCode.FOOTER})
final class DevicesCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions options;

    private final Console console;

    DevicesCommand(Console console) {
        this.console = console;
    }

    @Override
    public Integer call() {
        Table table = new Table("backend", "kind", "device", "memory", "runtime", "threads/units");
        for (BackendInfo info : SlicedAttention.backends()) {
            table.add(info.name(), info.kind(), info.deviceName(), gib(info.memoryBytes()), info.runtime(), info.threads());
        }
        table.print(console.out());
        boolean tornado = false;
        for (BackendProvider provider : SlicedAttention.providers()) {
            if (provider.family().equals("tornado")) {
                tornado = true;
                provider.unavailableReason().ifPresent(reason -> console.out().println("tornado: " + reason));
            }
            for (String hint : provider.hints()) {
                console.out().println(provider.family() + ": " + hint);
            }
        }
        Optional<TornadoSetup> setup = TornadoSetup.fromLauncher();
        if (setup.isPresent()) {
            console.out().println(setup.get().line());
        } else if (!tornado) {
            console.out().println("TornadoVM: not enabled in this JVM. To run on OpenCL/CUDA devices, install the "
                    + "TornadoVM SDK (scripts/sliced-attention finds it in the usual places, or set TORNADOVM_HOME) "
                    + "and run this script again; see README.md.");
        }
        printCalibration();
        return ExitCode.OK;
    }

    /** Where the calibration of 'auto' is stored, and what it holds, or why it will be measured again. */
    private void printCalibration() {
        List<String> names = SlicedAttention.backends().stream().map(BackendInfo::name).toList();
        console.out().println();
        switch (SlicedAttention.calibrationStore().load(names)) {
            case CalibrationStore.Loaded.Valid valid -> {
                console.out().println("calibration (auto, split): " + valid.file());
                CalibrationTable.print(valid.calibration(), console.out());
            }
            case CalibrationStore.Loaded.Missing missing -> console.out().println("calibration (auto, split): none yet at "
                    + missing.file() + "; 'auto' measures on first use, or run scripts/sliced-attention calibrate");
            case CalibrationStore.Loaded.Stale stale -> console.out().println("calibration (auto, split): " + stale.file()
                    + " is stale (" + stale.reason() + "); 'auto' measures again on first use, or run scripts/sliced-attention calibrate");
            case CalibrationStore.Loaded.Corrupt corrupt -> console.out().println("calibration (auto, split): refusing "
                    + corrupt.file() + ": " + corrupt.reason() + "; 'auto' measures again on first use, or run scripts/sliced-attention calibrate");
        }
    }

    static String gib(long bytes) {
        return String.format("%.1f GiB", bytes / (double) (1L << 30));
    }
}
