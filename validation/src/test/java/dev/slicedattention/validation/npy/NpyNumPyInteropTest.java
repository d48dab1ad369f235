package dev.slicedattention.validation.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files written by NumPy itself, and files NumPy reads back. Optional: skipped (with the reason)
 * where python3 with numpy is not installed; the hand-built fixtures of {@link NpyTest} cover the
 * format everywhere.
 */
class NpyNumPyInteropTest {
    @TempDir
    Path folder;

    private static String python(String script) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true).start();
        } catch (IOException notInstalled) {
            return null;
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return null;
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return process.exitValue() == 0 ? output : null;
    }

    private static void assumeNumPy() throws IOException, InterruptedException {
        assumeTrue(python("import numpy") != null, "python3 with numpy is not installed: NumPy interop not checked");
    }

    @Test
    void readsWhatNumPyWrites() throws Exception {
        assumeNumPy();
        Path f4 = folder.resolve("f4.npy"), f8 = folder.resolve("f8.npy"), fortran = folder.resolve("fortran.npy"),
                ints = folder.resolve("i4.npy");
        String script = "import numpy as np\n"
                + "np.save(r'" + f4 + "', (np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 5) / 4)\n"
                + "np.save(r'" + f8 + "', np.array([[0.1, -2.0], [1e-3, 3.5], [7.0, 1e10]]))\n"
                + "np.save(r'" + fortran + "', np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))\n"
                + "np.save(r'" + ints + "', np.ones((2, 3), dtype=np.int32))\n"
                + "print('ok')";
        assertEquals("ok", python(script));
        NpyArray a = Npy.read(f4);
        assertArrayEquals(new int[] {2, 3, 4}, a.shape());
        for (int i = 0; i < 24; i++) {
            assertEquals((i - 5) / 4f, a.data()[i]);
        }
        NpyArray b = Npy.read(f8);
        assertArrayEquals(new int[] {3, 2}, b.shape());
        assertArrayEquals(new float[] {0.1f, -2f, 1e-3f, 3.5f, 7f, 1e10f}, b.data());
        assertEquals("<f8", b.sourceDtype());
        NpyArray c = Npy.read(fortran);
        assertArrayEquals(new int[] {2, 3}, c.shape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, c.data());
        org.junit.jupiter.api.Assertions.assertThrows(dev.slicedattention.error.NpyFormatException.class, () -> Npy.read(ints));
    }

    @Test
    void numPyReadsWhatWeWrite() throws Exception {
        assumeNumPy();
        Path f4 = folder.resolve("ours4.npy"), f8 = folder.resolve("ours8.npy");
        Npy.write(f4, new int[] {2, 1, 3}, new float[] {1.5f, -2f, 3f, 4f, 5f, 6.25f});
        Npy.write(f8, new int[] {2, 2}, new double[] {0.1, 0.2, 0.3, 0.4});
        String script = "import numpy as np\n"
                + "a = np.load(r'" + f4 + "'); b = np.load(r'" + f8 + "')\n"
                + "print(a.dtype, a.shape, a.flags['C_CONTIGUOUS'], a.ravel().tolist(), b.dtype, b.shape, b.ravel().tolist())";
        assertEquals("float32 (2, 1, 3) True [1.5, -2.0, 3.0, 4.0, 5.0, 6.25] float64 (2, 2) [0.1, 0.2, 0.3, 0.4]", python(script));
    }
}
