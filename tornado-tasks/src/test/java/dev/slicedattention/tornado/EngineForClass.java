package dev.slicedattention.tornado;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One engine on the test device for all the tests of a class, closed after them:
 * {@code @RegisterExtension static final EngineForClass tornado = new EngineForClass();}. The class
 * is skipped when there is no TornadoVM device.
 */
final class EngineForClass implements BeforeAllCallback, AfterAllCallback {
    private TornadoEngine engine;

    @Override
    public void beforeAll(ExtensionContext context) {
        engine = TornadoTestDevice.open();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (engine != null) {
            engine.close();
        }
    }

    TornadoEngine engine() {
        return engine;
    }
}
