package dev.slicedattention.host;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.SlicedAttention;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "What this run of sliced-attention is made of: its version, the JDK, the TornadoVM SDK the launcher "
                + "took (and how it found it) or why none, and the backends available.",
        footer = {"%nExample:%n  scripts/sliced-attention info", ExitCode.FOOTER})
final class InfoCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions options;

    private final Console console;

    InfoCommand(Console console) {
        this.console = console;
    }

    @Override
    public Integer call() {
        console.out().println(Main.class.getAnnotation(Command.class).version()[0]);
        console.out().println("JDK: " + System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version")
                + " at " + System.getProperty("java.home"));
        console.out().println(TornadoSetup.fromLauncher().map(TornadoSetup::line)
                .orElse("TornadoVM: as this JVM was started (not through scripts/sliced-attention, which looks for an SDK)"));
        List<String> names = new ArrayList<>();
        for (BackendInfo info : SlicedAttention.backends()) {
            names.add(info.name());
        }
        console.out().println("backends: " + String.join(", ", names) + " (details: scripts/sliced-attention devices)");
        return ExitCode.OK;
    }
}
