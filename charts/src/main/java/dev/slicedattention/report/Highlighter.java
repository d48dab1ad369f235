package dev.slicedattention.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;

/**
 * The kernel gallery's syntax highlighter: Prism (MIT licence), read at report time from its WebJar
 * ({@code org.webjars.npm:prismjs}, a dependency of this module) and inlined into the page, so the
 * page stays one self-contained, offline file. Only the grammars the gallery needs: Java, C and
 * OpenCL C (PTX and SPIR-V are shown unhighlighted, with their marks).
 */
public final class Highlighter {
    private static final String WEBJAR = "META-INF/resources/webjars/prismjs/";
    private static final String POM_PROPERTIES = "META-INF/maven/org.webjars.npm/prismjs/pom.properties";
    private static final List<String> COMPONENTS =
            List.of("prism-core", "prism-clike", "prism-c", "prism-java", "prism-opencl");

    private Highlighter() {}

    /** Prism's version as packaged ("1.30.0"). */
    public static String version() {
        Properties properties = new Properties();
        try (InputStream in = resource(POM_PROPERTIES)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + POM_PROPERTIES, e);
        }
        String version = properties.getProperty("version");
        if (version == null || version.isBlank()) {
            throw new IllegalStateException(POM_PROPERTIES + " names no version");
        }
        return version.trim();
    }

    /**
     * The script: Prism in manual mode (it highlights only when the gallery's own script asks), then
     * its grammars. Safe inside a {@code <script>} element.
     */
    public static String script() {
        String base = WEBJAR + version() + "/components/";
        StringBuilder js = new StringBuilder("window.Prism = window.Prism || {}; window.Prism.manual = true;\n");
        for (String component : COMPONENTS) {
            js.append(text(base + component + ".min.js")).append('\n');
        }
        return inert(js.toString());
    }

    /** Prism's default (light) theme. */
    public static String css() {
        return text(WEBJAR + version() + "/themes/prism.min.css").replace("</style", "<\\/style");
    }

    /** The licence line the page prints. */
    public static String credit() {
        return "Syntax highlighting: Prism " + version() + " (MIT licence, © Lea Verou and contributors), inlined from "
                + "the org.webjars.npm:prismjs jar.";
    }

    /** Text that cannot end its script element early. */
    static String inert(String js) {
        return js.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT");
    }

    private static String text(String resource) {
        try (InputStream in = resource(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = Highlighter.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("the highlighter is missing from the class path: no " + name
                    + " (the org.webjars.npm:prismjs jar, a dependency of sliced-attention-charts)");
        }
        return in;
    }
}
