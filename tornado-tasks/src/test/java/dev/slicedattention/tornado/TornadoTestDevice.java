package dev.slicedattention.tornado;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Opens the device the tests run on: {@code -Dsliced.attention.test.device} or TornadoVM's default. It
 * records what it opened as the system property {@code sliced.attention.test.opened}, which Surefire's
 * reports carry: scripts/test reads it there to say on which device the device tests ran.
 */
final class TornadoTestDevice {
    private TornadoTestDevice() {}

    static TornadoEngine open() {
        TornadoProvider provider = new TornadoProvider();
        assumeTrue(!provider.devices().isEmpty(),
                () -> "no TornadoVM device: " + provider.unavailableReason().orElse("none found"));
        TornadoEngine engine = (TornadoEngine) provider.open(System.getProperty("sliced.attention.test.device", "tornado"));
        System.setProperty("sliced.attention.test.opened", engine.info().name() + " (" + engine.info().deviceName() + ")");
        return engine;
    }
}
