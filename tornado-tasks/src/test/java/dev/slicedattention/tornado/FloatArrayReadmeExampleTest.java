package dev.slicedattention.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.Backend;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** docs/API.md's FloatArray example is this test source, runs on the device, and prints what jvm-seq computes. */
@Tag("tornado")
class FloatArrayReadmeExampleTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

    @Test
    void readmeShowsExactlyTheExampleSource() throws IOException {
        String readme = Files.readString(ROOT.resolve("docs/API.md"));
        Matcher block = Pattern.compile("<!-- example:UseFloatArrays -->\\s*```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(block.find(), "docs/API.md has no ```java block after <!-- example:UseFloatArrays -->");
        String source = Files.readString(ROOT.resolve(
                "tornado-tasks/src/test/java/dev/slicedattention/tornado/UseFloatArrays.java"));
        assertEquals(source.substring(source.indexOf("package ")).strip(), block.group(1).strip(),
                "docs/API.md's example differs from tornado-tasks/.../UseFloatArrays.java: copy the file into docs/API.md");
    }

    @Test
    void exampleRunsOnTheDeviceAndAgreesWithJvmSeq() {
        String device = System.getProperty("sliced.attention.test.device", "tornado");
        TornadoTestDevice.open().close();
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            UseFloatArrays.main(new String[] {device});
        } finally {
            System.setOut(original);
        }
        String[] lines = captured.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertEquals(3, lines.length, String.join("\n", lines));
        for (int step = 0; step < 3; step++) {
            Matcher line = Pattern.compile("tornado:\\d+:\\d+ step " + step + ": O\\[0\\]\\[0\\] = (\\S+)").matcher(lines[step]);
            assertTrue(line.matches(), lines[step]);
            float expected = jvmSeqFirstOutput(step);
            float actual = Float.parseFloat(line.group(1));
            assertEquals(expected, actual, 1e-4f * Math.max(1, Math.abs(expected)), "step " + step);
        }
    }

    /** O[0][0] of the example's step on jvm-seq, from the same values. */
    private static float jvmSeqFirstOutput(int step) {
        int m = 1024, n = 1024, d = 64, e = 64;
        FloatArray q = new FloatArray(m * d), k = new FloatArray(n * d), v = new FloatArray(n * e), theta = new FloatArray(d);
        UseFloatArrays.fill(new Random(step), q, k, v, theta);
        try (Backend backend = SlicedAttention.open("jvm-seq")) {
            Tensor out = backend.forward(Tensor.wrap(q.toHeapArray(), m, d), Tensor.wrap(k.toHeapArray(), n, d),
                    Tensor.wrap(v.toHeapArray(), n, e), Tensor.wrap(theta.toHeapArray(), d));
            return out.get(0, 0);
        }
    }
}
