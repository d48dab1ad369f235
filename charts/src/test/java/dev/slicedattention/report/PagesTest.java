package dev.slicedattention.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The templates escape what they print for its HTML context, and run without jte's template compiler. */
class PagesTest {

    @Test
    void textAndAttributesAreEscapedForTheirContext() {
        String html = Pages.render(Pages.TEMPLATES.reportFigure(new ReportPage.Chart("a\"b'<c>&.png", "x.svg"),
                "<b>\"T\"</b> & 'co'", "1 < 2"));
        assertEquals("""
                <figure>
                <h3>&lt;b&gt;"T"&lt;/b&gt; &amp; 'co'</h3>
                <img src="a&#34;b&#39;&lt;c>&amp;.png" width="1000" height="600" alt="&lt;b>&#34;T&#34;&lt;/b> &amp; &#39;co&#39; chart">
                <figcaption>1 &lt; 2 <a href="x.svg">SVG</a></figcaption>
                </figure>""", html);
    }

    @Test
    void theTemplatesArePrecompiled() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("gg.jte.compiler.TemplateCompiler", false, PagesTest.class.getClassLoader()),
                "jte's compiler is a build-time tool only (the jte-maven-plugin), not on the class path");
    }
}
