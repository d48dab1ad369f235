package dev.slicedattention.validation.golden;

import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.npy.Npy;
import dev.slicedattention.validation.npy.NpyArray;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Golden outputs of the authors' whole attention modules (unmodified, random weights), from
 * {@code fixtures/golden-tools/make_golden.py}, under {@code src/test/resources/golden/layer/}:
 * hidden states X, the module's state_dict (as .npz and .safetensors), an optional mask, and the output.
 */
public final class LayerFixtures {
    /** name, kernel, heads, rope, mask. */
    public record Case(String name, Kernel kernel, int heads, boolean rope, boolean mask) {
        public NpyArray x() {
            return Npy.parse(name + "/x.npy", bytes(name, "x.npy"));
        }

        public NpyArray out() {
            return Npy.parse(name + "/out.npy", bytes(name, "out.npy"));
        }

        public float[] maskValues() {
            return mask ? Npy.parse(name + "/mask.npy", bytes(name, "mask.npy")).data() : null;
        }

        /** A fixture file copied to {@code dir} (the weights readers read files). */
        public Path file(String file, Path dir) {
            try {
                Path target = dir.resolve(name + "-" + file);
                Files.write(target, bytes(name, file));
                return target;
            } catch (IOException failure) {
                throw new UncheckedIOException(failure);
            }
        }
    }

    public static final List<Case> CASES = List.of(
            new Case("relu_h1", Kernel.RELU, 1, false, false),
            new Case("relu_h4", Kernel.RELU, 4, false, false),
            new Case("relu_h4_rope", Kernel.RELU, 4, true, false),
            new Case("bump_h1", Kernel.BUMP, 1, false, false),
            new Case("bump_h4_rope", Kernel.BUMP, 4, true, false),
            new Case("bump_h4_mask", Kernel.BUMP, 4, false, true));

    private LayerFixtures() {}

    static byte[] bytes(String name, String file) {
        try (InputStream in = LayerFixtures.class.getResourceAsStream("/golden/layer/" + name + "/" + file)) {
            if (in == null) {
                throw new IllegalStateException("golden fixture layer/" + name + "/" + file + " is missing");
            }
            return in.readAllBytes();
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        }
    }
}
