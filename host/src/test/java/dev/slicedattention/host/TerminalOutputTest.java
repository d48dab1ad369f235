package dev.slicedattention.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the CLI prints on a terminal whose charset is not UTF-8: ASCII stand-ins, never the JDK's '?'. */
class TerminalOutputTest {
    @TempDir
    Path dir;

    @Test
    void charactersAreFittedOneByOneToTheCharset() {
        TerminalText ascii = TerminalText.of(StandardCharsets.US_ASCII);
        assertEquals("+-30%/12 ~", ascii.fit("±30%/12 ≈"));
        assertEquals("2 x 3 -> 6, <theta, K - c>, ... n^2 <= 1e-5", ascii.fit("2 × 3 → 6, <θ, K − c>, … n^2 ≤ 1e-5"));
        assertEquals("cafe log2 ?", ascii.fit("café log₂ 漢"), "accents dropped, compatibility forms, '?' only for what has no letters");
        String plain = "jvm-par 1024 PASS";
        assertSame(plain, ascii.fit(plain));

        // ISO-8859-1 has ± and × and é: they stay; ≈ and → do not exist in it.
        TerminalText latin1 = TerminalText.of(StandardCharsets.ISO_8859_1);
        assertEquals("±30%/12 ~, 2×3 -> é", latin1.fit("±30%/12 ≈, 2×3 → é"));

        TerminalText utf8 = TerminalText.of(StandardCharsets.UTF_8);
        assertTrue(utf8.encodesEverything());
        assertEquals("±30%/12 ≈ → 漢", utf8.fit("±30%/12 ≈ → 漢"));
    }

    /** Everything a command prints goes through the console's streams: println, printf, append, print(char), stack traces. */
    @Test
    void aConsoleOverANonUtf8StreamPrintsStandIns() {
        for (Charset charset : List.of(StandardCharsets.US_ASCII, StandardCharsets.ISO_8859_1)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Console console = new Console(new PrintStream(out, true, charset), new PrintStream(err, true, charset), false);
            console.out().println("spread ±4%/9 ≈");
            console.out().printf("%s %d%n", "a → b", 3);
            console.out().print('≈');
            console.out().append("…").println((Object) " θ");
            new IllegalStateException("shape 2×3 → 6").printStackTrace(console.err());
            String printed = out.toString(charset);
            String errors = err.toString(charset);
            boolean latin1 = charset.equals(StandardCharsets.ISO_8859_1);
            String nl = System.lineSeparator();
            assertEquals("spread " + (latin1 ? "±" : "+-") + "4%/9 ~" + nl + "a -> b 3" + nl + "~... theta" + nl, printed, charset.name());
            assertTrue(errors.startsWith("java.lang.IllegalStateException: shape 2" + (latin1 ? "×" : "x") + "3 -> 6"), errors);
            assertFalse(printed.contains("?") || errors.contains("?"), printed + errors);
        }
    }

    @Test
    void aUtf8ConsolePrintsOnTheStreamItself() {
        PrintStream utf8 = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Console console = new Console(utf8, utf8, false);
        assertSame(utf8, console.out());
    }

    /** A stand-in is longer than its character: the columns are measured on what is printed. */
    @Test
    void theTableStaysAlignedWithStandIns() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Console console = new Console(new PrintStream(out, true, StandardCharsets.US_ASCII), System.err, false);
        Table table = new Table("backend", "spread", "check");
        table.add("jvm-seq", "±4%/37 ≈", "PASS");
        table.add("jvm-par", "±12%/9", "PASS");
        table.add("tornado", "–", "FAIL");
        table.print(console.out());
        List<String> lines = out.toString(StandardCharsets.US_ASCII).lines().toList();
        assertEquals("jvm-seq  +-4%/37 ~   PASS", lines.get(2));
        assertEquals("jvm-par    +-12%/9   PASS", lines.get(3));
        assertEquals("tornado          -   FAIL", lines.get(4));
        assertEquals(lines.get(2).length(), lines.get(1).length(), "the rule is as wide as the rows");
    }

    /** The showcase as a terminal under the C locale shows it: no '?' anywhere, the spread and the marker apart. */
    @Test
    void theShowcaseOnAnAsciiTerminalPrintsNoQuestionMark() {
        CliRun run = CliRun.in(StandardCharsets.US_ASCII, "showcase", "--sizes", "64,300", "--dim", "8", "--value-dim", "4",
                "--repeats", "2", "--softmax-max", "64", "--out", dir.toString());
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertFalse(run.out().contains("?") || run.err().contains("?"), run.out() + run.err());
        assertTrue(run.out().lines().filter(line -> line.startsWith("jvm-")).allMatch(line -> line.contains("+-")), run.out());
        assertTrue(run.out().contains("~ marks a point too noisy to rank"), run.out());
        for (String command : List.of("showcase", "devices", "attend", "layer", "validate", "chart")) {
            CliRun help = CliRun.in(StandardCharsets.US_ASCII, command, "--help");
            assertEquals(0, help.exitCode(), command);
            assertFalse(help.out().contains("?"), help.out());
        }
    }
}
