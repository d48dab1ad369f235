package dev.slicedattention.host;

import dev.slicedattention.Backend;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Only the checks: every backend on every generator and size against the float64 reference; "
                + "prints a PASS/FAIL table. Exit code 0 only if everything passed.",
        footer = {"%nExamples:",
                "  scripts/sliced-attention validate",
                "  scripts/sliced-attention validate --backends tornado:0:0 --sizes 1,1000,65537 --generators shared_offset,many_ties",
                "  scripts/sliced-attention validate --kernel bump --ragged",
                ExitCode.FOOTER})
final class ValidateCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions options;

    @Mixin
    KernelChoice kernel;

    @Option(names = "--ragged", description = "Also check each size with ragged problems (random key and query lengths per problem).")
    boolean ragged;

    @Option(names = "--backends", split = ",", paramLabel = "NAME", description = "Backends to check (default: every available one).")
    List<String> backends = List.of();

    @Option(names = "--sizes", converter = Sizes.class, paramLabel = "N,...", description = "Sizes n = m (default: 1,2,3,1000,4096).")
    List<Integer> sizes = List.of(1, 2, 3, 1000, 4096);

    @Option(names = "--generators", split = ",", paramLabel = "NAME", description = "Input generators (default: all of them: ${COMPLETION-CANDIDATES}).")
    List<String> generators = List.of();

    @Option(names = "--heads", paramLabel = "P", description = "Heads (default: ${DEFAULT-VALUE}).")
    int heads = 2;

    @Option(names = "--dim", paramLabel = "D", description = "d (default: ${DEFAULT-VALUE}).")
    int dim = 16;

    @Option(names = "--value-dim", paramLabel = "E", description = "e (default: ${DEFAULT-VALUE}).")
    int valueDim = 8;

    @Option(names = "--seed", description = "Seed of the inputs (default: ${DEFAULT-VALUE}).")
    long seed = 7;

    private final Console console;

    ValidateCommand(Console console) {
        this.console = console;
    }

    @Override
    public Integer call() {
        ShowcaseCommand.requirePositive("--heads", heads);
        ShowcaseCommand.requirePositive("--dim", dim);
        ShowcaseCommand.requirePositive("--value-dim", valueDim);
        kernel.validateForGenerated();
        List<InputGenerator> chosen = new ArrayList<>();
        if (generators.isEmpty()) {
            chosen.addAll(Arrays.asList(InputGenerator.values()));
        } else {
            for (String name : generators) {
                chosen.add(InputGenerator.parse(name));
            }
        }
        int failures = 0;
        Table table = new Table("backend", "kernel", "generator", "P", "n", "lengths", "reference", "rel.err", "tol", "check");
        boolean[] raggedness = ragged ? new boolean[] {false, true} : new boolean[] {false};
        try (BackendSet set = BackendSet.open(backends);
             Progress progress = Progress.start(console, options, "validate",
                     (long) chosen.size() * sizes.size() * raggedness.length)) {
            for (InputGenerator generator : chosen) {
                for (int n : sizes) {
                    for (boolean uneven : raggedness) {
                        progress.step(generator.cliName() + " n=" + n + (uneven ? " ragged" : ""));
                        AttentionBatch plain = generator.generate(new Shape(heads, n, n, dim, valueDim), seed + n);
                        AttentionOptions options = kernel.forGenerated(plain);
                        if (uneven) {
                            options = raggedLengths(options, heads, n, seed + n);
                        }
                        AttentionBatch batch = plain.withOptions(options);
                        Check check = Check.of(batch);
                        for (Backend backend : set.backends()) {
                            float[] output = backend.run(batch).output().data();
                            Check.Verdict verdict = check.judge(output, batch, backend.info());
                            if (!verdict.pass()) {
                                failures++;
                            }
                            table.add(backend.info().name(), kernel.kernelId(), generator.cliName(), heads, n,
                                    uneven ? "ragged" : "full", verdict.reference(),
                                    Table.sci(verdict.metrics().relativeError()), Table.sci(verdict.tolerance()),
                                    verdict.pass() ? "PASS" : "FAIL");
                        }
                    }
                }
            }
        }
        table.print(console.out());
        console.out().println(failures == 0 ? "PASS: every check passed." : "FAIL: " + failures + " checks failed.");
        return failures == 0 ? ExitCode.OK : ExitCode.VALIDATION_FAILED;
    }

    /** Seeded random lengths 1..n per problem, for keys and queries alike. */
    static AttentionOptions raggedLengths(AttentionOptions options, int heads, int n, long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        int[] keys = new int[heads], queries = new int[heads];
        for (int p = 0; p < heads; p++) {
            keys[p] = 1 + random.nextInt(n);
            queries[p] = 1 + random.nextInt(n);
        }
        return options.withKeyLengths(keys).withQueryLengths(queries);
    }
}
