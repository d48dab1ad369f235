package dev.slicedattention.validation;

import dev.slicedattention.error.InvalidInputException;
import java.util.Locale;

/**
 * The two kernels of the authors' code (SPEC §1), selected per call.
 *
 * <pre>
 *   RELU  O_i = 2·Σ_j max(s_i − t_j, 0)·(V_j − μ) / Σ_j |s_i − t_j|        (SlicedReLUSelfAttention)
 *   BUMP  O_i = (1/n)·Σ_j max(0, 1 − |s_i − t_j|/b)·V_j                     (SlicedReLUBumpSelfAttention)
 * </pre>
 */
public enum Kernel {
    RELU("relu"),
    BUMP("bump");

    private final String id;

    Kernel(String id) {
        this.id = id;
    }

    /** The name used on the command line, in results files and in charts: {@code relu} or {@code bump}. */
    public String id() {
        return id;
    }

    /** The kernel named {@code text} (case-insensitive), or an {@link InvalidInputException} naming the choices. */
    public static Kernel parse(String text) {
        String wanted = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (Kernel kernel : values()) {
            if (kernel.id.equals(wanted)) {
                return kernel;
            }
        }
        throw new InvalidInputException("unknown kernel '" + text + "': choose relu or bump");
    }

    @Override
    public String toString() {
        return id;
    }
}
