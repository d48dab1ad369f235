package dev.slicedattention.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.SlicedAttention;
import dev.slicedattention.Tensor;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.ErrorMetrics;
import dev.slicedattention.validation.NaiveReference;
import dev.slicedattention.validation.TolerancePolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Java example compiles (it is this module's main code), runs, is docs/API.md's text, and the README's
 * ten-line excerpt of it is taken from it line by line.
 */
class ReadmeExampleTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    private static final Path SOURCE = ROOT.resolve("examples/src/main/java/dev/slicedattention/examples/UseFromJava.java");

    @Test
    void apiDocShowsExactlyTheExampleSource() throws IOException {
        String doc = Files.readString(ROOT.resolve("docs/API.md"));
        Matcher block = Pattern.compile("<!-- example:UseFromJava -->\\s*```java\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertTrue(block.find(), "docs/API.md has no ```java block after <!-- example:UseFromJava -->");
        String source = Files.readString(SOURCE);
        String withoutHeader = source.substring(source.indexOf("package "));
        assertEquals(withoutHeader.strip(), block.group(1).strip(),
                "docs/API.md's example differs from examples/.../UseFromJava.java: copy the file into docs/API.md");
    }

    @Test
    void readmeExcerptIsTakenFromTheExample() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        Matcher block = Pattern.compile("<!-- excerpt:UseFromJava -->\\s*```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(block.find(), "README.md has no ```java block after <!-- excerpt:UseFromJava -->");
        List<String> sourceLines = Files.readString(SOURCE).lines().map(String::strip).toList();
        List<String> excerpt = block.group(1).lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
        assertTrue(excerpt.size() >= 5, "the README's excerpt is nearly empty: " + excerpt);
        for (String line : excerpt) {
            assertTrue(sourceLines.contains(line), "README.md's excerpt has a line that UseFromJava.java lacks: " + line);
        }
    }

    @Test
    void exampleRunsOnJvmPar() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            UseFromJava.main(new String[] {"jvm-par"});
        } finally {
            System.setOut(original);
        }
        String printed = captured.toString(StandardCharsets.UTF_8);
        assertTrue(printed.startsWith("jvm-par on "), printed);
        assertTrue(printed.contains("output (1024, 64)"), printed);
        assertTrue(printed.contains("bump kernel: O[0][0] = "), printed);
    }

    @Test
    void exampleOutputMatchesTheReference() {
        int m = 1024, n = 1024, d = 64, e = 64;
        Random random = new Random(7);
        float[] q = UseFromJava.gaussian(random, m * d);
        float[] k = UseFromJava.gaussian(random, n * d);
        float[] v = UseFromJava.gaussian(random, n * e);
        float[] theta = UseFromJava.gaussian(random, d);
        Tensor out;
        try (var backend = SlicedAttention.open("jvm-par")) {
            out = backend.forward(Tensor.wrap(q, m, d), Tensor.wrap(k, n, d), Tensor.wrap(v, n, e), Tensor.wrap(theta, d));
        }
        AttentionBatch batch = new AttentionBatch(1, m, n, d, e, q, k, v, theta);
        ErrorMetrics metrics = ErrorMetrics.compare(out.data(), NaiveReference.attend(batch), batch);
        assertTrue(TolerancePolicy.SEQUENTIAL_FLOAT32.accepts(metrics, n), metrics.toString());
        Tensor bump;
        try (var backend = SlicedAttention.open("jvm-par")) {
            bump = backend.forward(Tensor.wrap(q, m, d), Tensor.wrap(k, n, d), Tensor.wrap(v, n, e), Tensor.wrap(theta, d),
                    dev.slicedattention.validation.AttentionOptions.bump(4f));
        }
        AttentionBatch bumpBatch = batch.withOptions(dev.slicedattention.validation.AttentionOptions.bump(4f));
        ErrorMetrics bumpMetrics = ErrorMetrics.compare(bump.data(), NaiveReference.attend(bumpBatch), bumpBatch);
        assertTrue(TolerancePolicy.SEQUENTIAL_FLOAT32.accepts(bumpMetrics, n), bumpMetrics.toString());
    }
}
