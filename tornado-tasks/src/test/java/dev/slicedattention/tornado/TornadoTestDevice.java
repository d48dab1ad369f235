package dev.slicedattention.tornado;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Opens the device the tests run on: {@code -Dsliced.attention.test.device} or TornadoVM's default. */
final class TornadoTestDevice {
    private TornadoTestDevice() {}

    static TornadoEngine open() {
        TornadoProvider provider = new TornadoProvider();
        assumeTrue(!provider.devices().isEmpty(),
                () -> "no TornadoVM device: " + provider.unavailableReason().orElse("none found"));
        return (TornadoEngine) provider.open(System.getProperty("sliced.attention.test.device", "tornado"));
    }
}
