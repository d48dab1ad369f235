package dev.slicedattention.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Java sources the kernel gallery shows, read from the jars that the build packaged them into
 * (resources under {@link #ROOT}):
 *
 * <ul>
 *   <li>{@code validation/…}: the sequential twins, inside the validation jar;</li>
 *   <li>{@code tornado/…}: the device kernels and the task graphs ({@code ForwardPlan}), inside the
 *       TornadoVM backend's jar — the Java that ran, preferred whenever that jar is on the class path;</li>
 *   <li>{@code tornado-copy/…}: the same files copied into the charts jar, which is always built, so
 *       that the gallery shows the kernels' Java where TornadoVM (and so its jar) is absent.</li>
 * </ul>
 *
 * Also finds a method (with its comment) or a class comment in a source, as a range of lines.
 */
public final class JavaSources {
    /** Where the sources lie in the jars. */
    public static final String ROOT = "META-INF/sliced-attention/sources/";
    public static final String TWIN_PACKAGE = "dev/slicedattention/validation/sequential/";
    public static final String KERNEL_PACKAGE = "dev/slicedattention/tornado/kernels/";
    public static final String FORWARD_PLAN = "dev/slicedattention/tornado/graphs/ForwardPlan.java";

    private JavaSources() {}

    /**
     * One source file as packaged.
     *
     * @param resource the resource path it was read from
     * @param origin   where that resource lies: the jar's file name, or the classes folder
     * @param fromRun  whether it came from the jar of the backend that ran (the TornadoVM jar) rather than a copy
     * @param lines    its lines, without line terminators
     */
    public record SourceFile(String resource, String origin, boolean fromRun, List<String> lines) {
        public SourceFile {
            lines = List.copyOf(lines);
        }

        /** The simple class name: the file name without ".java". */
        public String className() {
            String name = resource.substring(resource.lastIndexOf('/') + 1);
            return name.endsWith(".java") ? name.substring(0, name.length() - 5) : name;
        }

        /** Lines first..last (1-based, inclusive). */
        public List<String> lines(int first, int last) {
            return lines.subList(first - 1, last);
        }
    }

    /** A range of lines of a source (1-based, inclusive). */
    public record Snippet(SourceFile file, int first, int last) {
        public List<String> lines() {
            return file.lines(first, last);
        }
    }

    /** A sequential twin's source, from the validation jar. */
    public static Optional<SourceFile> twin(String className) {
        return load(ROOT + "validation/" + TWIN_PACKAGE + className + ".java", true);
    }

    /** A device kernel class's source: the TornadoVM jar's if on the class path, else the charts jar's copy. */
    public static Optional<SourceFile> kernel(String className) {
        return tornado(KERNEL_PACKAGE + className + ".java");
    }

    /** The task graphs' source ({@code ForwardPlan}), preferring the TornadoVM jar's as {@link #kernel} does. */
    public static Optional<SourceFile> forwardPlan() {
        return tornado(FORWARD_PLAN);
    }

    /**
     * The simple names of the kernel classes whose sources are packaged (the TornadoVM jar's, else the
     * charts jar's copy), sorted; empty when neither is on the class path.
     */
    public static List<String> kernelClassNames() {
        for (String variant : List.of("tornado/", "tornado-copy/")) {
            URL folder = JavaSources.class.getClassLoader().getResource(ROOT + variant + KERNEL_PACKAGE);
            if (folder == null) {
                continue;
            }
            try {
                List<String> names = new ArrayList<>();
                if (folder.getProtocol().equals("jar")) {
                    java.net.JarURLConnection connection = (java.net.JarURLConnection) folder.openConnection();
                    connection.setUseCaches(false);
                    try (java.util.jar.JarFile jar = connection.getJarFile()) {
                        String prefix = ROOT + variant + KERNEL_PACKAGE;
                        jar.stream().map(java.util.jar.JarEntry::getName)
                                .filter(n -> n.startsWith(prefix) && n.endsWith(".java") && n.indexOf('/', prefix.length()) < 0)
                                .forEach(n -> names.add(n.substring(prefix.length(), n.length() - 5)));
                    }
                } else if (folder.getProtocol().equals("file")) {
                    try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(java.nio.file.Path.of(folder.toURI()))) {
                        files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".java"))
                                .forEach(n -> names.add(n.substring(0, n.length() - 5)));
                    }
                }
                names.sort(null);
                if (!names.isEmpty()) {
                    return names;
                }
            } catch (IOException | java.net.URISyntaxException | RuntimeException unlisted) {
                // fall through to the next copy, or to none
            }
        }
        return List.of();
    }

    private static Optional<SourceFile> tornado(String path) {
        Optional<SourceFile> ran = load(ROOT + "tornado/" + path, true);
        return ran.isPresent() ? ran : load(ROOT + "tornado-copy/" + path, false);
    }

    private static Optional<SourceFile> load(String resource, boolean fromRun) {
        ClassLoader loader = JavaSources.class.getClassLoader();
        URL url = loader.getResource(resource);
        if (url == null) {
            return Optional.empty();
        }
        try (InputStream in = url.openStream()) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return Optional.of(new SourceFile(resource, origin(url), fromRun, text.lines().toList()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the packaged source " + resource + " (" + url + ")", e);
        }
    }

    /** "sliced-attention-tornado-0.1.0-SNAPSHOT.jar" for a resource in a jar, else the folder it lies under. */
    static String origin(URL url) {
        String text = url.toString();
        int bang = text.indexOf("!/");
        if (text.startsWith("jar:") && bang > 0) {
            String jar = text.substring(0, bang);
            return jar.substring(jar.lastIndexOf('/') + 1);
        }
        int meta = text.indexOf("/" + ROOT);
        String folder = meta > 0 ? text.substring(0, meta) : text;
        // ".../charts/target/classes": name the module's classes folder.
        String[] parts = folder.split("/");
        int n = parts.length;
        return n >= 3 ? parts[n - 3] + "/" + parts[n - 2] + "/" + parts[n - 1] : folder;
    }

    // ------------------------------------------------------------------------------------------

    private static final Pattern CLASS_DECLARATION =
            Pattern.compile("^\\s*(?:public\\s+|final\\s+|abstract\\s+)*(?:class|interface|record|enum)\\s+\\w+");

    /**
     * The method {@code name} of a source: its comment (Javadoc and line comments directly above it),
     * annotations, signature and body. The {@code occurrence}-th declaration (0 first) when the name is
     * overloaded.
     */
    public static Optional<Snippet> method(SourceFile file, String name, int occurrence) {
        List<String> lines = file.lines();
        boolean[] code = codeLines(lines);
        Pattern declaration = Pattern.compile(
                "^\\s*(?:(?:public|private|protected|static|final|synchronized)\\s+)+[\\w<>\\[\\], .?]+\\s+" + Pattern.quote(name) + "\\s*\\(");
        int seen = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (!code[i] || !declaration.matcher(lines.get(i)).find()) {
                continue;
            }
            if (seen++ < occurrence) {
                continue;
            }
            int end = bodyEnd(lines, i);
            if (end < 0) {
                return Optional.empty();
            }
            return Optional.of(new Snippet(file, commentStart(lines, i) + 1, end + 1));
        }
        return Optional.empty();
    }

    /** The first method {@code name} of a source (see {@link #method(SourceFile, String, int)}). */
    public static Optional<Snippet> method(SourceFile file, String name) {
        return method(file, name, 0);
    }

    /** The Javadoc comment just above the top-level class declaration. */
    public static Optional<Snippet> classComment(SourceFile file) {
        List<String> lines = file.lines();
        for (int i = 0; i < lines.size(); i++) {
            if (CLASS_DECLARATION.matcher(lines.get(i)).find()) {
                int start = commentStart(lines, i);
                if (start == i) {
                    return Optional.empty();
                }
                int last = i - 1;
                while (last > start && lines.get(last).trim().startsWith("@")) {
                    last--;
                }
                return Optional.of(new Snippet(file, start + 1, last + 1));
            }
        }
        return Optional.empty();
    }

    /**
     * The {@code .task("taskName", Class::method, …)} call of a task graph source, from its
     * {@code .task(} to its closing parenthesis.
     */
    public static Optional<Snippet> taskCall(SourceFile file, String taskName, String className, String method) {
        List<String> lines = file.lines();
        Pattern call = Pattern.compile("\\.task\\(\\s*\"" + Pattern.quote(taskName) + "\"\\s*,\\s*"
                + Pattern.quote(className) + "::" + Pattern.quote(method) + "\\b");
        for (int i = 0; i < lines.size(); i++) {
            if (call.matcher(lines.get(i)).find()) {
                int depth = 0;
                boolean opened = false;
                for (int j = i; j < lines.size(); j++) {
                    String line = lines.get(j);
                    int from = j == i ? line.indexOf(".task(") : 0;
                    for (int c = from; c < line.length(); c++) {
                        char ch = line.charAt(c);
                        if (ch == '(') {
                            depth++;
                            opened = true;
                        } else if (ch == ')') {
                            depth--;
                        }
                        if (opened && depth == 0) {
                            return Optional.of(new Snippet(file, i + 1, j + 1));
                        }
                    }
                }
                return Optional.of(new Snippet(file, i + 1, i + 1));
            }
        }
        return Optional.empty();
    }

    /** A task of a task graph source: {@code .task("name", Class::method}. */
    public record TaskRef(String taskName, String className, String method, int line) {}

    private static final Pattern TASK = Pattern.compile("\\.task\\(\\s*\"(\\w+)\"\\s*,\\s*(\\w+)::(\\w+)");

    /** Every {@code .task("name", Class::method} of a task graph source, in source order (comments skipped). */
    public static List<TaskRef> tasks(SourceFile file) {
        List<TaskRef> tasks = new ArrayList<>();
        List<String> lines = file.lines();
        boolean[] code = codeLines(lines);
        for (int i = 0; i < lines.size(); i++) {
            if (!code[i]) {
                continue;
            }
            Matcher m = TASK.matcher(lines.get(i));
            while (m.find()) {
                tasks.add(new TaskRef(m.group(1), m.group(2), m.group(3), i + 1));
            }
        }
        return tasks;
    }

    /** The simple names of the kernel classes a task graph source imports. */
    public static List<String> importedKernelClasses(SourceFile file) {
        List<String> names = new ArrayList<>();
        String prefix = "import " + KERNEL_PACKAGE.replace('/', '.');
        for (String line : file.lines()) {
            String trimmed = line.trim();
            if (trimmed.startsWith(prefix) && trimmed.endsWith(";")) {
                names.add(trimmed.substring(prefix.length(), trimmed.length() - 1));
            }
        }
        return names;
    }

    // ------------------------------------------------------------------------------------------

    /** Whether each line starts outside a block comment (a declaration there is code, not commented out). */
    private static boolean[] codeLines(List<String> lines) {
        boolean[] code = new boolean[lines.size()];
        boolean inComment = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            code[i] = !inComment && !line.trim().startsWith("//") && !line.trim().startsWith("*");
            int at = 0;
            while (at < line.length()) {
                if (inComment) {
                    int close = line.indexOf("*/", at);
                    if (close < 0) {
                        break;
                    }
                    inComment = false;
                    at = close + 2;
                } else {
                    int open = line.indexOf("/*", at);
                    int lineComment = line.indexOf("//", at);
                    if (open < 0 || (lineComment >= 0 && lineComment < open)) {
                        break;
                    }
                    inComment = true;
                    at = open + 2;
                }
            }
        }
        return code;
    }

    /** The index of the first line of the comment and annotations directly above line {@code declaration}. */
    private static int commentStart(List<String> lines, int declaration) {
        int start = declaration;
        int i = declaration - 1;
        while (i >= 0) {
            String trimmed = lines.get(i).trim();
            if (trimmed.startsWith("@") || trimmed.startsWith("//")) {
                start = i--;
            } else if (trimmed.endsWith("*/")) {
                int open = i;
                while (open >= 0 && !lines.get(open).contains("/*")) {
                    open--;
                }
                if (open < 0) {
                    break;
                }
                start = open;
                i = open - 1;
            } else {
                break;
            }
        }
        return start;
    }

    /** The index of the line that closes the body opened at or after line {@code declaration}; -1 if none. */
    private static int bodyEnd(List<String> lines, int declaration) {
        int depth = 0;
        boolean opened = false;
        boolean blockComment = false;
        for (int i = declaration; i < lines.size(); i++) {
            String line = lines.get(i);
            for (int c = 0; c < line.length(); c++) {
                char ch = line.charAt(c);
                char next = c + 1 < line.length() ? line.charAt(c + 1) : '\0';
                if (blockComment) {
                    if (ch == '*' && next == '/') {
                        blockComment = false;
                        c++;
                    }
                    continue;
                }
                if (ch == '/' && next == '/') {
                    break;
                }
                if (ch == '/' && next == '*') {
                    blockComment = true;
                    c++;
                } else if (ch == '"' || ch == '\'') {
                    c = skipLiteral(line, c, ch);
                } else if (ch == '{') {
                    depth++;
                    opened = true;
                } else if (ch == '}') {
                    depth--;
                    if (opened && depth == 0) {
                        return i;
                    }
                } else if (ch == ';' && !opened) {
                    return i;   // abstract or native: no body
                }
            }
        }
        return -1;
    }

    private static int skipLiteral(String line, int start, char quote) {
        for (int c = start + 1; c < line.length(); c++) {
            char ch = line.charAt(c);
            if (ch == '\\') {
                c++;
            } else if (ch == quote) {
                return c;
            }
        }
        return line.length();
    }
}
