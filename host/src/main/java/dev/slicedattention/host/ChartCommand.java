package dev.slicedattention.host;

import dev.slicedattention.report.ReportWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "chart", mixinStandardHelpOptions = true,
        description = "Re-render the charts and index.html of a results folder from its results.json; with several "
                + "folders (runs on different machines or devices), render the cross-machine comparison into a new folder.",
        footer = {"%nExamples:",
                "  scripts/sliced-attention chart results/20261123-101500-3f2a",
                "  scripts/sliced-attention chart laptop/ workstation-gpu/ cloud-h100/ --out comparisons",
                ExitCode.FOOTER})
final class ChartCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions options;

    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Results folders (each holding results.json).")
    List<Path> folders;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the comparison folder is created (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("results");

    private final Console console;

    ChartCommand(Console console) {
        this.console = console;
    }

    @Override
    public Integer call() throws IOException {
        Path index;
        if (folders.size() == 1) {
            index = ReportWriter.write(folders.get(0));
        } else {
            Path target = ResultsFolder.create(out);
            index = ReportWriter.writeComparisonOfFolders(target, folders);
        }
        console.out().println("report: " + index);
        return ExitCode.OK;
    }
}
