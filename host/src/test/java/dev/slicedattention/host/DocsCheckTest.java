package dev.slicedattention.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The docs check on this repository (README.md and docs/), and the same check on a small repository
 * broken on purpose, so that each kind of breakage is shown to be caught.
 */
class DocsCheckTest {
    private static final DocsCheck REPOSITORY = new DocsCheck(Path.of("").toAbsolutePath().getParent());

    @Test
    void theReadmeFitsInThreeHundredLines() {
        assertEquals(List.of(), REPOSITORY.readmeLength());
    }

    @Test
    void everyRelativeLinkInTheReadmeAndDocsResolves() {
        assertTrue(REPOSITORY.documents().size() > 1, "no docs found under " + REPOSITORY.root());
        assertEquals(List.of(), REPOSITORY.brokenLinks());
    }

    @Test
    void everyReadmeCommandNamesAScriptACommandAndOptionsThatExist() {
        List<List<String>> commands = REPOSITORY.readmeScriptCommands();
        assertTrue(commands.stream().anyMatch(c -> c.equals(List.of("scripts/sliced-attention", "showcase"))),
                "the README's bash blocks lack 'scripts/sliced-attention showcase': " + commands);
        assertTrue(commands.stream().anyMatch(c -> c.equals(List.of("scripts/test"))),
                "the README's bash blocks lack 'scripts/test': " + commands);
        assertEquals(List.of(), REPOSITORY.commandProblems());
    }

    @Test
    void aBrokenRepositoryFailsEveryCheck(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("docs"));
        Files.createDirectories(root.resolve("scripts"));
        executable(root.resolve("scripts/sliced-attention"), "exit 0");
        executable(root.resolve("scripts/refuses-help"), "exit 3");
        Files.writeString(root.resolve("docs/GOOD.md"), "# A heading\n\n[back](../README.md)\n");
        StringBuilder readme = new StringBuilder("""
                # Title

                [ok](docs/GOOD.md#a-heading), [web](https://example.org/x), [here](#title)
                [missing file](docs/NOPE.md) [missing anchor](docs/GOOD.md#no-such-heading)

                ```bash
                scripts/sliced-attention showcase --sizes 2^6..2^8   # fine
                scripts/sliced-attention showcase --no-such-option
                scripts/sliced-attention no-such-command
                scripts/sliced-attention attend --q q.npy \\
                    --k k.npy --v v.npy --theta t.npy --out o.npy
                scripts/absent
                scripts/refuses-help --anything
                ```
                """);
        while (readme.toString().lines().count() < DocsCheck.README_MAX_LINES + 1) {
            readme.append("filler\n");
        }
        Files.writeString(root.resolve("README.md"), readme);
        DocsCheck broken = new DocsCheck(root);

        assertEquals(1, broken.readmeLength().size(), broken.readmeLength().toString());

        List<String> links = broken.brokenLinks();
        assertEquals(2, links.size(), links.toString());
        assertTrue(links.get(0).contains("docs/NOPE.md"), links.toString());
        assertTrue(links.get(1).contains("#no-such-heading"), links.toString());

        assertEquals(List.of("scripts/sliced-attention", "attend", "--q", "q.npy", "--k", "k.npy", "--v", "v.npy",
                "--theta", "t.npy", "--out", "o.npy"), broken.readmeScriptCommands().get(3), "continuation lines join");
        List<String> commands = broken.commandProblems();
        assertEquals(4, commands.size(), String.join("\n", commands));
        assertTrue(commands.get(0).contains("--no-such-option"), commands.get(0));
        assertTrue(commands.get(1).contains("no-such-command"), commands.get(1));
        assertTrue(commands.get(2).contains("no executable scripts/absent"), commands.get(2));
        assertTrue(commands.get(3).contains("'scripts/refuses-help --help' exited 3"), commands.get(3));
    }

    @Test
    void shellWordsFollowBashQuotingAndComments() {
        assertEquals(List.of("scripts/x", "a b", "c#d", "$E"), ShellWords.split("scripts/x 'a b' c#d \"\\$E\"  # note"));
        assertEquals(List.of("scripts/x", "results/<run-id>"), ShellWords.split("scripts/x results/<run-id> | head"));
    }

    private static void executable(Path path, String body) throws IOException {
        Files.writeString(path, "#!/usr/bin/env bash\n" + body + "\n");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
