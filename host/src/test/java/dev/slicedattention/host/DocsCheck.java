package dev.slicedattention.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.commonmark.ext.heading.anchor.IdGenerator;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.Code;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.Heading;
import org.commonmark.node.Image;
import org.commonmark.node.Link;
import org.commonmark.node.Node;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The checks that keep README.md and docs/ true to the repository: relative links (and their anchors)
 * resolve, the README's {@code scripts/...} command lines name existing scripts, commands and options,
 * and the README stays short. Each check returns its problems, one line each; none means it passed.
 * The markdown is read as CommonMark, so links and code blocks are what a renderer sees.
 */
record DocsCheck(Path root) {
    static final int README_MAX_LINES = 300;
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");
    private static final Parser PARSER = Parser.builder().build();

    /** README.md and every .md under docs/. */
    List<Path> documents() {
        List<Path> documents = new ArrayList<>();
        documents.add(root.resolve("README.md"));
        Path docs = root.resolve("docs");
        if (Files.isDirectory(docs)) {
            try (Stream<Path> walk = Files.walk(docs)) {
                walk.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return documents;
    }

    List<String> readmeLength() {
        long lines = read(root.resolve("README.md")).lines().count();
        return lines <= README_MAX_LINES ? List.of()
                : List.of("README.md has " + lines + " lines, more than " + README_MAX_LINES + ": move detail into docs/");
    }

    /** Every relative link and image in the documents names an existing file, and an anchor an existing heading. */
    List<String> brokenLinks() {
        List<String> problems = new ArrayList<>();
        Map<Path, Set<String>> anchors = new HashMap<>();
        for (Path document : documents()) {
            for (String destination : destinations(parse(document))) {
                if (destination.isEmpty() || SCHEME.matcher(destination).find() || destination.startsWith("//")) {
                    continue; // web addresses are not checked: the build must not need the network
                }
                int hash = destination.indexOf('#');
                String file = URLDecoder.decode(hash < 0 ? destination : destination.substring(0, hash), StandardCharsets.UTF_8);
                String anchor = hash < 0 ? "" : destination.substring(hash + 1);
                Path target = file.isEmpty() ? document : document.getParent().resolve(file).normalize();
                String where = root.relativize(document) + ": link '" + destination + "'";
                if (!target.startsWith(root) || !Files.exists(target)) {
                    problems.add(where + " names no file in the repository");
                } else if (!anchor.isEmpty() && target.toString().endsWith(".md")
                        && !anchors.computeIfAbsent(target, DocsCheck::headingIds).contains(anchor)) {
                    problems.add(where + ": " + root.relativize(target) + " has no heading with the anchor #" + anchor);
                }
            }
        }
        return problems;
    }

    /** The README's command lines that start with scripts/, as words (comments and line continuations removed). */
    List<List<String>> readmeScriptCommands() {
        List<List<String>> commands = new ArrayList<>();
        parse(root.resolve("README.md")).accept(new AbstractVisitor() {
            @Override
            public void visit(FencedCodeBlock block) {
                if (!block.getInfo().strip().startsWith("bash")) {
                    return;
                }
                String joined = block.getLiteral().replace("\\\n", " ");
                for (String line : joined.split("\n")) {
                    List<String> words = ShellWords.split(line);
                    if (!words.isEmpty() && words.get(0).startsWith("scripts/")) {
                        commands.add(words);
                    }
                }
            }
        });
        return commands;
    }

    /**
     * Each README command names an executable script; a {@code scripts/sliced-attention} line parses with the
     * CLI's own command tree (its subcommand exists and every option is known) and that subcommand's
     * {@code --help} exits 0; any other script's {@code --help} exits 0 when run.
     */
    List<String> commandProblems() {
        List<String> problems = new ArrayList<>();
        Set<String> helpChecked = new HashSet<>();
        for (List<String> words : readmeScriptCommands()) {
            String script = words.get(0);
            String where = "README.md: '" + String.join(" ", words) + "'";
            Path path = root.resolve(script);
            if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
                problems.add(where + ": no executable " + script);
                continue;
            }
            if (script.equals("scripts/sliced-attention")) {
                problems.addAll(cliProblems(where, words.subList(1, words.size()), helpChecked));
            } else if (helpChecked.add(script)) {
                String failure = scriptHelp(path);
                if (failure != null) {
                    problems.add(where + ": '" + script + " --help' " + failure);
                }
            }
        }
        return problems;
    }

    private static List<String> cliProblems(String where, List<String> args, Set<String> helpChecked) {
        ParseResult parsed;
        try {
            parsed = Main.commandLine(Console.system()).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            return List.of(where + ": " + e.getMessage());
        }
        List<String> names = new ArrayList<>();
        for (ParseResult sub = parsed.subcommand(); sub != null; sub = sub.subcommand()) {
            names.add(sub.commandSpec().name());
        }
        names.add("--help");
        if (!helpChecked.add(String.join(" ", names))) {
            return List.of();
        }
        CliRun help = CliRun.of(names.toArray(String[]::new));
        return help.exitCode() == 0 ? List.of()
                : List.of(where + ": 'sliced-attention " + String.join(" ", names) + "' exited " + help.exitCode() + ": " + help.err().strip());
    }

    /** Runs {@code script --help}; null when it exits 0, else what went wrong. */
    private static String scriptHelp(Path script) {
        try {
            Process process = new ProcessBuilder("bash", script.toString(), "--help")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "did not finish in two minutes";
            }
            return process.exitValue() == 0 ? null : "exited " + process.exitValue();
        } catch (IOException e) {
            return "could not start: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "was interrupted";
        }
    }

    /** The anchors GitHub gives the document's headings (lower case, punctuation dropped, spaces to hyphens, repeats numbered). */
    static Set<String> headingIds(Path document) {
        IdGenerator ids = IdGenerator.builder().build();
        Set<String> anchors = new HashSet<>();
        parse(document).accept(new AbstractVisitor() {
            @Override
            public void visit(Heading heading) {
                anchors.add(ids.generateId(text(heading)));
            }
        });
        return anchors;
    }

    private static String text(Node node) {
        StringBuilder text = new StringBuilder();
        node.accept(new AbstractVisitor() {
            @Override
            public void visit(Text t) {
                text.append(t.getLiteral());
            }

            @Override
            public void visit(Code code) {
                text.append(code.getLiteral());
            }
        });
        return text.toString();
    }

    private static List<String> destinations(Node document) {
        List<String> destinations = new ArrayList<>();
        document.accept(new AbstractVisitor() {
            @Override
            public void visit(Link link) {
                destinations.add(link.getDestination());
                visitChildren(link);
            }

            @Override
            public void visit(Image image) {
                destinations.add(image.getDestination());
            }
        });
        return destinations;
    }

    private static Node parse(Path document) {
        return PARSER.parse(read(document));
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
