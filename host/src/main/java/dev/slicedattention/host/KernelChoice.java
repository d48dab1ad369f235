package dev.slicedattention.host;

import dev.slicedattention.error.InvalidInputException;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.Bandwidths;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.npy.Npy;
import dev.slicedattention.validation.npy.NpyArray;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code --kernel relu|bump} and {@code --bandwidth}: which of the authors' two kernels a command
 * computes (SPEC §1). For {@code attend} the bandwidth is the user's (a number, or a {@code .npy} of
 * one value per problem); for generated inputs ({@code showcase}, {@code validate}) it defaults to
 * {@code auto}: {@link Bandwidths#DEFAULT_FACTOR} × the spread of each problem's projected keys.
 */
public final class KernelChoice {
    static final String AUTO = "auto";

    @Option(names = "--kernel", paramLabel = "relu|bump",
            description = "The kernel: relu (sliced ReLU, the default) or bump (sliced ReLU-bump, needs --bandwidth).")
    String kernel = "relu";

    @Option(names = "--bandwidth", paramLabel = "B",
            description = "The bump's bandwidth b > 0: a number for every problem, a .npy of P values, or (for generated "
                    + "inputs, the default there) auto = 0.5 x the standard deviation of each problem's projected keys.")
    String bandwidth;

    @Option(names = "--causal",
            description = "Causal self-attention (m = n): token i attends to tokens j <= i only (SPEC section 5).")
    boolean causal;

    Kernel kernel() {
        return Kernel.parse(kernel);
    }

    /** The options for the user's own tensors: the bump needs an explicit bandwidth. */
    AttentionOptions forFiles() {
        Kernel chosen = kernel();
        if (chosen == Kernel.RELU) {
            requireNoBandwidth();
            return AttentionOptions.relu().causal(causal);
        }
        if (bandwidth == null || bandwidth.isBlank()) {
            throw new InvalidInputException("--kernel bump needs --bandwidth B (a number > 0, or a .npy of one value per problem)");
        }
        if (bandwidth.trim().equalsIgnoreCase(AUTO)) {
            throw new InvalidInputException("--bandwidth auto is for generated inputs; for your tensors give b itself");
        }
        return AttentionOptions.bump(explicitBandwidth()).causal(causal);
    }

    /** The options for a generated batch: {@code auto} (the default) follows the data's scale. */
    AttentionOptions forGenerated(AttentionBatch batch) {
        Kernel chosen = kernel();
        if (chosen == Kernel.RELU) {
            requireNoBandwidth();
            return AttentionOptions.relu().causal(causal);
        }
        if (bandwidth == null || bandwidth.trim().equalsIgnoreCase(AUTO)) {
            return AttentionOptions.bump(Bandwidths.relativeToKeys(batch, Bandwidths.DEFAULT_FACTOR)).causal(causal);
        }
        return AttentionOptions.bump(explicitBandwidth()).causal(causal);
    }

    /** Checks the choice before any work starts (unknown kernel, a bandwidth for relu, a bad number). */
    void validateForGenerated() {
        if (kernel() == Kernel.RELU) {
            requireNoBandwidth();
        } else if (bandwidth != null && !bandwidth.trim().equalsIgnoreCase(AUTO)) {
            AttentionOptions.bump(explicitBandwidth());
        }
    }

    /** "relu", "bump", "causal relu", "causal bump", for results and charts; with {@link #bandwidthText()} for the bump's b. */
    String kernelId() {
        return (causal ? "causal " : "") + kernel().id();
    }

    /** How b was chosen, for results files; null for relu. */
    String bandwidthText() {
        if (kernel() == Kernel.RELU) {
            return null;
        }
        return bandwidth == null || bandwidth.trim().equalsIgnoreCase(AUTO)
                ? String.format(Locale.ROOT, "%.1f x std of projected keys", Bandwidths.DEFAULT_FACTOR)
                : bandwidth.trim();
    }

    private void requireNoBandwidth() {
        if (bandwidth != null) {
            throw new InvalidInputException("--bandwidth applies to --kernel bump only");
        }
    }

    private float[] explicitBandwidth() {
        String text = bandwidth.trim();
        if (text.toLowerCase(Locale.ROOT).endsWith(".npy")) {
            NpyArray values = Npy.read(Path.of(text));
            if (values.rank() > 1) {
                throw new InvalidInputException(text + ": the bandwidth file must hold one value or one per problem (1-D), got shape "
                        + values.shapeText());
            }
            return values.data();
        }
        try {
            return new float[] {Float.parseFloat(text)};
        } catch (NumberFormatException notANumber) {
            throw new InvalidInputException("--bandwidth must be a number or a .npy file, got '" + text + "'");
        }
    }
}
