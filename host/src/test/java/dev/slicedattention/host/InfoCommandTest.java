package dev.slicedattention.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.SlicedAttention;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the launcher found about TornadoVM reaches {@code info} and {@code devices}; {@code --no-tornado} hides its backends. */
class InfoCommandTest {
    private static final String NOTE = "TornadoVM 5.2.0-jdk25 at /opt/x/sdk (found in the usual places; TORNADOVM_HOME is not set), backends: opencl";

    @AfterEach
    void clear() {
        System.clearProperty(TornadoSetup.STATUS);
        System.clearProperty(TornadoSetup.NOTE);
        System.clearProperty(SlicedAttention.TORNADO_SWITCH);
    }

    @Test
    void infoAndDevicesSayWhichSdkTheLauncherTook() {
        System.setProperty(TornadoSetup.STATUS, "on");
        System.setProperty(TornadoSetup.NOTE, NOTE);
        CliRun info = CliRun.of("info");
        assertEquals(0, info.exitCode(), info.err());
        assertTrue(info.out().contains(NOTE), info.out());
        assertTrue(info.out().contains("JDK: ") && info.out().contains("backends: jvm-seq, jvm-par"), info.out());
        CliRun devices = CliRun.of("devices");
        assertTrue(devices.out().contains(NOTE), devices.out());
    }

    @Test
    void withoutTheLauncherInfoSaysSo() {
        CliRun info = CliRun.of("info");
        assertEquals(0, info.exitCode(), info.err());
        assertTrue(info.out().contains("not through scripts/sliced-attention"), info.out());
    }

    @Test
    void noTornadoIsAcceptedBeforeAndAfterTheCommand() {
        CliRun before = CliRun.of("--no-tornado", "info");
        assertEquals(0, before.exitCode(), before.err());
        assertEquals("off", System.getProperty(SlicedAttention.TORNADO_SWITCH));
        System.clearProperty(SlicedAttention.TORNADO_SWITCH);
        CliRun after = CliRun.of("devices", "--no-tornado");
        assertEquals(0, after.exitCode(), after.err());
        assertFalse(after.out().contains("tornado:"), after.out());
    }
}
