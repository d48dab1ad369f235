package dev.slicedattention.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.validation.golden.LayerFixtures;
import dev.slicedattention.validation.npy.Npy;
import dev.slicedattention.validation.npy.NpyArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code layer}: the authors' golden modules through the CLI, and every refusal naming its cause. */
class LayerCommandTest {
    @TempDir
    Path dir;

    private String path(String name) {
        return dir.resolve(name).toString();
    }

    @Test
    void reluWithRopeAndTheAuthorsLayoutMatchesTheirModule() {
        LayerFixtures.Case c = LayerFixtures.CASES.get(2); // relu_h4_rope
        c.file("x.npy", dir);
        CliRun run = CliRun.of("layer", "--x", c.file("x.npy", dir).toString(), "--weights",
                c.file("weights.safetensors", dir).toString(), "--heads", "4", "--rope", "--authors-head-layout",
                "--out", path("o.npy"), "--backend", "jvm-par");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("layer: relu kernel, 4 heads with RoPE on jvm-par"), run.err());
        assertClose(c.out(), Npy.read(dir.resolve("o.npy")), null);
    }

    @Test
    void bumpWithAMaskMatchesTheirModuleOnRealTokens() {
        LayerFixtures.Case c = LayerFixtures.CASES.get(5); // bump_h4_mask
        CliRun run = CliRun.of("layer", "--kernel", "bump", "--x", c.file("x.npy", dir).toString(), "--weights",
                c.file("weights.npz", dir).toString(), "--heads", "4", "--mask", c.file("mask.npy", dir).toString(),
                "--authors-head-layout", "--out", path("o.npy"));
        assertEquals(0, run.exitCode(), run.err());
        assertClose(c.out(), Npy.read(dir.resolve("o.npy")), c.maskValues());
    }

    @Test
    void weightsProblemsAreRefusedNamingTheKey() throws IOException {
        LayerFixtures.Case c = LayerFixtures.CASES.get(0); // relu_h1, hidden 16
        String x = c.file("x.npy", dir).toString();
        String good = c.file("weights.npz", dir).toString();
        // The bump needs proj_layer.weight, which a ReLU module's state_dict does not have.
        CliRun run = CliRun.of("layer", "--kernel", "bump", "--x", x, "--weights", good, "--heads", "1", "--out", path("o.npy"));
        assertEquals(ExitCode.BAD_INPUT, run.exitCode(), run.err());
        assertTrue(run.errorLine().startsWith("error: " + good + ": proj_layer.weight is missing (the file holds: query.weight"),
                run.errorLine());
        run = CliRun.of("layer", "--x", x, "--weights", good, "--heads", "3", "--out", path("o.npy"));
        assertEquals("error: --heads 3 does not divide the hidden size 16", run.errorLine());

        // A wrong shape and an integer tensor under a required key.
        Path broken = dir.resolve("broken.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(broken))) {
            for (String key : new String[] {"query.weight", "query.bias", "key.weight", "key.bias", "value.weight"}) {
                add(zip, key, Npy.toBytes(key.endsWith("weight") ? new int[] {16, 16} : new int[] {16},
                        new float[key.endsWith("weight") ? 256 : 16]));
            }
            add(zip, "value.bias", Npy.toBytes(new int[] {15}, new float[15]));
        }
        run = CliRun.of("layer", "--x", x, "--weights", broken.toString(), "--heads", "1", "--out", path("o.npy"));
        assertEquals("error: " + broken + ": value.bias has shape (15,), expected (16,)", run.errorLine());
        Path ints = dir.resolve("ints.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(ints))) {
            add(zip, "query.weight", AttendKernelOptionsTest.int64Npy(1, 2, 3));
        }
        run = CliRun.of("layer", "--x", x, "--weights", ints.toString(), "--heads", "1", "--out", path("o.npy"));
        assertEquals("error: " + ints + ": query.weight has dtype <i8; weights must be float (F32, F64, F16 or BF16)",
                run.errorLine());
        Files.writeString(dir.resolve("w.pt"), "not a state dict");
        run = CliRun.of("layer", "--x", x, "--weights", path("w.pt"), "--heads", "1", "--out", path("o.npy"));
        assertEquals("error: " + path("w.pt") + ": weights must be a .safetensors or .npz file (a PyTorch state_dict)",
                run.errorLine());
        assertFalse(Files.exists(dir.resolve("o.npy")));
    }

    private static void add(ZipOutputStream zip, String key, byte[] npy) throws IOException {
        zip.putNextEntry(new ZipEntry(key + ".npy"));
        zip.write(npy);
        zip.closeEntry();
    }

    private static void assertClose(NpyArray expected, NpyArray actual, float[] mask) {
        assertArrayEquals(expected.shape(), actual.shape());
        int hidden = expected.shape()[2];
        double worst = 0, scale = 0;
        for (int i = 0; i < expected.data().length; i++) {
            if (mask != null && mask[i / hidden] == 0f) {
                assertEquals(0f, actual.data()[i]);
                continue;
            }
            worst = Math.max(worst, Math.abs(expected.data()[i] - actual.data()[i]));
            scale = Math.max(scale, Math.abs(expected.data()[i]));
        }
        assertTrue(worst / scale <= 1e-5, "relative error " + worst / scale);
    }
}
