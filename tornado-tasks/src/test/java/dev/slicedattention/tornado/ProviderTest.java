package dev.slicedattention.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.error.UnknownBackendException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The provider as the API sees it through ServiceLoader. */
@Tag("tornado")
class ProviderTest {
    @Test
    void serviceLoaderFindsEveryTornadoDevice() {
        TornadoTestDevice.open().close();
        List<BackendInfo> tornado = SlicedAttention.backends().stream().filter(b -> b.family().equals("tornado")).toList();
        assertFalse(tornado.isEmpty());
        assertTrue(SlicedAttention.backends().stream().anyMatch(b -> b.name().equals("jvm-seq")), "the JVM backends disappeared");
        for (BackendInfo info : tornado) {
            assertTrue(info.name().matches("tornado:\\d+:\\d+"), info.name());
            assertTrue(info.memoryBytes() > 0);
        }
    }

    @Test
    void hintsNameTheSpirvSetupExactlyWhenNoSpirvDeviceIsListed() {
        TornadoTestDevice.open().close();
        TornadoProvider provider = new TornadoProvider();
        boolean spirv = provider.devices().stream().anyMatch(b -> b.runtime().endsWith("/ SPIR-V"));
        assertEquals(spirv ? List.of() : List.of(TornadoDevices.NO_SPIRV), provider.hints());
        assertTrue(TornadoDevices.NO_SPIRV.contains("scripts/setup/spirv.sh"));
        assertTrue(Files.isExecutable(Path.of("..", "scripts", "setup", "spirv.sh")), "the hint's script is missing");
    }

    @Test
    void unknownDeviceIndexListsTheValidNames() {
        TornadoTestDevice.open().close();
        UnknownBackendException error = assertThrows(UnknownBackendException.class, () -> new TornadoProvider().open("tornado:0:99"));
        assertTrue(error.getMessage().contains("tornado:0:0"), error.getMessage());
    }

    @Test
    void acceptsOnlyItsNames() {
        TornadoProvider provider = new TornadoProvider();
        assertTrue(provider.accepts("tornado"));
        assertTrue(provider.accepts("tornado:1:2"));
        assertFalse(provider.accepts("tornado:x"));
        assertFalse(provider.accepts("jvm-seq"));
    }
}
