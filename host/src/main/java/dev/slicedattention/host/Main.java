package dev.slicedattention.host;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IFactory;

/**
 * {@code sliced-attention}: the command-line driver. Every command is a client of the public API
 * ({@code dev.slicedattention}); none reaches into a backend. With no command, runs {@code showcase}.
 */
@Command(name = "sliced-attention", mixinStandardHelpOptions = true, version = "sliced-attention 0.1.0",
        description = {"Sliced ReLU attention on the JVM and on OpenCL/CUDA devices through TornadoVM.",
                "With no command, runs the showcase."},
        footer = {"%nExamples:",
                "  scripts/sliced-attention                 # the showcase",
                "  scripts/sliced-attention devices",
                "  scripts/sliced-attention attend --q q.npy --k k.npy --v v.npy --theta t.npy --out o.npy",
                ExitCode.FOOTER})
public final class Main implements Callable<Integer> {
    /** The options every command takes, also before the command's name. */
    @CommandLine.Mixin
    GlobalOptions options;

    private final Console console;

    Main(Console console) {
        this.console = console;
    }

    @Override
    public Integer call() throws Exception {
        return new ShowcaseCommand(console).call();
    }

    public static void main(String[] args) {
        System.exit(run(Console.system(), args));
    }

    /** Runs the CLI and returns its exit code; the tests call this with captured streams. */
    public static int run(Console console, String... args) {
        CommandLine commandLine = commandLine(console);
        try {
            return commandLine.execute(args);
        } catch (OutOfMemoryError exhausted) {
            // picocli hands only Exceptions to the handler; an Error escapes execute().
            console.err().println("error: " + Failures.message(exhausted));
            if (java.util.Arrays.asList(args).contains("--verbose")) {
                exhausted.printStackTrace(console.err());
            }
            return ExitCode.DEVICE_FAILURE;
        }
    }

    /** The whole command tree with its handlers; the docs check parses the README's command lines with it. */
    static CommandLine commandLine(Console console) {
        IFactory factory = CommandLine.defaultFactory();
        CommandLine commandLine = new CommandLine(new Main(console), factory)
                .addSubcommand(new CommandLine(new ShowcaseCommand(console), factory))
                .addSubcommand(new CommandLine(new DevicesCommand(console), factory))
                .addSubcommand(new CommandLine(new CalibrateCommand(console), factory))
                .addSubcommand(new CommandLine(new InfoCommand(console), factory))
                .addSubcommand(new CommandLine(new AttendCommand(console), factory))
                .addSubcommand(new CommandLine(new LayerCommand(console), factory))
                .addSubcommand(new CommandLine(new ValidateCommand(console), factory))
                .addSubcommand(new CommandLine(new ChartCommand(console), factory));
        commandLine.setUsageHelpWidth(120); // examples stay on one line
        // Through the console's streams, in their charset (a PrintWriter on the stream's bytes would write UTF-8).
        commandLine.setOut(new java.io.PrintWriter(TerminalStream.writerOnto(console.out()), true));
        commandLine.setErr(new java.io.PrintWriter(TerminalStream.writerOnto(console.err()), true));
        commandLine.setExecutionExceptionHandler(new Failures(console));
        commandLine.setParameterExceptionHandler((ex, cmdArgs) -> {
            console.err().println("error: " + ex.getMessage() + ". See '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return ExitCode.BAD_INPUT;
        });
        return commandLine;
    }
}
