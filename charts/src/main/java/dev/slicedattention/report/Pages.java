package dev.slicedattention.report;

import dev.slicedattention.report.templates.StaticTemplates;
import dev.slicedattention.report.templates.Templates;
import gg.jte.models.runtime.JteModel;
import gg.jte.output.StringOutput;

/**
 * The report's templates ({@code src/main/jte}), compiled to Java by the jte-maven-plugin at build time:
 * {@link Templates} has one method per template, whose parameters are the template's typed
 * {@code @param}s; {@link StaticTemplates} calls the generated classes directly (no template compiler
 * or reflection at run time). jte escapes every {@code ${...}} for its HTML context (element text,
 * attribute value); only {@code $unsafe{...}} (the inlined highlighter) is written as it is.
 */
final class Pages {
    static final Templates TEMPLATES = new StaticTemplates();

    private Pages() {}

    /** The page as text. */
    static String render(JteModel page) {
        StringOutput out = new StringOutput(256 * 1024);
        page.render(out);
        return out.toString();
    }
}
