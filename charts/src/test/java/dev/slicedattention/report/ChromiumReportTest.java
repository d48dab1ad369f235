package dev.slicedattention.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.slicedattention.fixtures.ImageChecks;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads the report in headless Chromium: a screenshot of the page, and — through a copy of the
 * page with a tiny script that writes each image's naturalWidth into the DOM — a check that no
 * image is broken; and the kernel gallery, through a copy with a probe script: no script error, no
 * console error, no network request, every code block highlighted. Skipped where /usr/bin/chromium
 * is not installed.
 */
class ChromiumReportTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private static final String IMAGE_PROBE = """
            <script>
            window.addEventListener('load', function () {
              var lines = [];
              for (var i = 0; i < document.images.length; i++) {
                var img = document.images[i];
                lines.push(img.getAttribute('src') + '=' + (img.complete ? img.naturalWidth + 'x' + img.naturalHeight : 'incomplete'));
              }
              var pre = document.createElement('pre');
              pre.id = 'image-probe';
              pre.textContent = 'IMAGES[' + lines.join(';') + ']';
              document.body.appendChild(pre);
            });
            </script>
            """;

    /**
     * Put first into the gallery's head: records script errors, failed or blocked loads, console
     * errors and every resource the page fetched, and writes them with the highlighter's result
     * into the DOM once the page has loaded.
     */
    private static final String GALLERY_PROBE = """
            <script>
            (function () {
              var errors = [];
              window.addEventListener('error', function (e) {
                errors.push('error: ' + (e.message || (e.target && (e.target.src || e.target.href)) || 'unknown'));
              }, true);
              window.addEventListener('unhandledrejection', function (e) { errors.push('rejection: ' + e.reason); });
              document.addEventListener('securitypolicyviolation', function (e) {
                errors.push('blocked: ' + e.blockedURI + ' (' + e.violatedDirective + ')');
              });
              var original = console.error;
              console.error = function () {
                errors.push('console.error: ' + Array.prototype.join.call(arguments, ' '));
                original.apply(console, arguments);
              };
              window.addEventListener('load', function () {
                var resources = performance.getEntriesByType('resource').map(function (r) { return r.name; });
                var pre = document.createElement('pre');
                pre.id = 'gallery-probe';
                pre.textContent = 'ERRORS[' + errors.join(';') + '] RESOURCES[' + resources.join(';') + '] HIGHLIGHTED['
                    + document.documentElement.getAttribute('data-highlighted') + '] BLOCKS['
                    + document.querySelectorAll('code[data-lang]').length + '] TOKENS['
                    + document.querySelectorAll('span.ln span.token').length + '] LINES['
                    + document.querySelectorAll('span.ln').length + ']';
                document.body.appendChild(pre);
              });
            })();
            </script>
            """;

    @TempDir
    Path tmp;

    @Test
    void everyImageOfTheReportLoadsInChromium() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM),
                "headless Chromium is not installed at /usr/bin/chromium (apt-get install chromium); browser check skipped");
        Path folder = tmp.resolve("run");
        Path index = ReportWriterTest.writeFixtureReport(folder);
        String html = Files.readString(index, StandardCharsets.UTF_8);
        assertTrue(html.contains("</body>"));
        Path probe = folder.resolve("index-probe.html");
        Files.writeString(probe, html.replace("</body>", IMAGE_PROBE + "</body>"), StandardCharsets.UTF_8);

        String dom = run(List.of("--virtual-time-budget=5000", "--dump-dom", probe.toUri().toString()));
        Matcher m = Pattern.compile("<pre id=\"image-probe\">IMAGES\\[([^\\]]*)\\]</pre>").matcher(dom);
        assertTrue(m.find(), "the probe wrote its line into the DOM; got: " + abbreviate(dom));
        List<String> images = List.of(m.group(1).split(";"));
        assertEquals(6, images.size(), images.toString());
        for (String image : images) {
            assertTrue(image.endsWith("=1000x600"), "image loaded at its natural size: " + image);
        }
    }

    @Test
    void screenshotOfTheReportIsNotBlank() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM),
                "headless Chromium is not installed at /usr/bin/chromium (apt-get install chromium); browser check skipped");
        Path folder = tmp.resolve("run");
        Path index = ReportWriterTest.writeFixtureReport(folder);
        Path shot = Path.of("target", "report-preview", "report-screenshot.png").toAbsolutePath();
        Files.createDirectories(shot.getParent());
        Files.deleteIfExists(shot);
        run(List.of("--window-size=1200,2400", "--hide-scrollbars", "--virtual-time-budget=5000",
                "--screenshot=" + shot, index.toUri().toString()));
        assertTrue(Files.isRegularFile(shot), "screenshot written to " + shot);
        BufferedImage image = ImageIO.read(shot.toFile());
        assertNotNull(image);
        assertEquals(1200, image.getWidth());
        int colours = ImageChecks.distinctColours(image, 0, 0, image.getWidth(), image.getHeight());
        assertTrue(colours > 50, "the page shows text and charts, " + colours + " colours");
    }

    @Test
    void theKernelGalleryRendersWithoutErrorsOrNetworkRequests() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM),
                "headless Chromium is not installed at /usr/bin/chromium (apt-get install chromium); browser check skipped");
        for (boolean device : List.of(true, false)) {
            Path folder = tmp.resolve(device ? "device" : "jvm");
            Files.createDirectories(folder);
            Path gallery = KernelGalleryTest.writeRun(folder,
                    device ? KernelGalleryTest.withDevice(folder) : KernelGalleryTest.withoutDevice());
            String html = Files.readString(gallery, StandardCharsets.UTF_8);
            String head = "<head>\n<meta charset=\"utf-8\">\n";
            assertTrue(html.contains(head));
            Path probe = folder.resolve("kernels-probe.html");
            Files.writeString(probe, html.replace(head, head + GALLERY_PROBE), StandardCharsets.UTF_8);

            String dom = run(List.of("--virtual-time-budget=10000", "--dump-dom", probe.toUri().toString()));
            Matcher m = Pattern.compile("<pre id=\"gallery-probe\">ERRORS\\[(.*?)\\] RESOURCES\\[(.*?)\\] HIGHLIGHTED\\[(\\d+)\\] "
                    + "BLOCKS\\[(\\d+)\\] TOKENS\\[(\\d+)\\] LINES\\[(\\d+)\\]</pre>", Pattern.DOTALL).matcher(dom);
            assertTrue(m.find(), "the probe wrote its line into the DOM; got: " + abbreviate(dom));
            assertEquals("", m.group(1), "no script error, failed load or console error");
            assertEquals("", m.group(2), "no network request, not even for a local file");
            int blocks = Integer.parseInt(m.group(4));
            assertTrue(blocks > 40, blocks + " code blocks");
            assertEquals(blocks, Integer.parseInt(m.group(3)), "the highlighter coloured every block");
            assertTrue(Integer.parseInt(m.group(5)) > 1000, "tokens coloured: " + m.group(5));
            assertTrue(Integer.parseInt(m.group(6)) > 500, "lines kept: " + m.group(6));
            if (device) {
                assertTrue(dom.contains("__kernel</span>") || dom.contains(">__kernel<"), "the OpenCL keywords are highlighted");
            }
        }
        Path folder = tmp.resolve("device");
        Path shot = Path.of("target", "report-preview", "gallery-screenshot.png").toAbsolutePath();
        Files.createDirectories(shot.getParent());
        Files.deleteIfExists(shot);
        run(List.of("--window-size=1500,2400", "--hide-scrollbars", "--virtual-time-budget=5000",
                "--screenshot=" + shot, folder.resolve(KernelGallery.FILE).toUri().toString()));
        BufferedImage image = ImageIO.read(shot.toFile());
        assertNotNull(image);
        assertTrue(ImageChecks.distinctColours(image, 0, 0, image.getWidth(), image.getHeight()) > 50, "the page shows code in colour");
    }

    private String run(List<String> arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--allow-file-access-from-files", "--user-data-dir=" + tmp.resolve("profile")));
        command.addAll(arguments);
        Path out = Files.createTempFile(tmp, "chromium", ".out");
        Path err = Files.createTempFile(tmp, "chromium", ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("chromium did not finish within 60 s: " + abbreviate(Files.readString(err)));
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        assertFalse(process.exitValue() != 0 && stdout.isEmpty(),
                "chromium exited " + process.exitValue() + ": " + abbreviate(Files.readString(err)));
        return stdout;
    }

    private static String abbreviate(String text) {
        return text.length() > 2000 ? text.substring(0, 2000) + "…" : text;
    }
}
