package dev.slicedattention.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * scripts/sliced-attention with no JAVA_HOME and no TORNADOVM_HOME (the default java on PATH may be
 * too old): it must find a JDK of at least 21 by itself and start the CLI. SA_NO_BUILD=1 keeps it from
 * starting a Maven build inside this one; it runs target/classes with target/lib.
 */
class LauncherScriptTest {
    @Test
    void theScriptFindsAJdkAndPrintsHelp() throws IOException, InterruptedException {
        Path root = Path.of("").toAbsolutePath().getParent();
        Path script = root.resolve("scripts/sliced-attention");
        assertTrue(Files.isExecutable(script), script.toString());
        ProcessBuilder builder = new ProcessBuilder("bash", script.toString(), "--help").redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.remove("JAVA_HOME");
        env.remove("TORNADOVM_HOME");
        env.put("SA_NO_BUILD", "1");
        env.put("SA_HEAP", "256m");
        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the script did not finish in a minute");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), output);
        for (String command : new String[] {"showcase", "devices", "attend", "validate", "chart", "Exit codes"}) {
            assertTrue(output.contains(command), command + " missing from:\n" + output);
        }
    }
}
