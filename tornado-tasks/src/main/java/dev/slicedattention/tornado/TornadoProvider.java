package dev.slicedattention.tornado;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.error.UnknownBackendException;
import dev.slicedattention.spi.BackendEngine;
import dev.slicedattention.spi.BackendProvider;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code tornado} family: {@code tornado} (TornadoVM's default device) and {@code tornado:B:D}
 * (backend B, device D, as {@code tornado --devices} lists them).
 *
 * <p>This class names no TornadoVM type, so {@link java.util.ServiceLoader} can instantiate it on a
 * plain JVM: everything that touches TornadoVM lives in {@link TornadoDevices} and
 * {@link TornadoEngine}, which are loaded only after {@link #probe()} found TornadoVM's runtime.
 * Without it, {@link #devices()} is empty and {@link #unavailableReason()} says why.
 */
public final class TornadoProvider implements BackendProvider {
    public static final String FAMILY = "tornado";
    private static final Pattern DEVICE_NAME = Pattern.compile("tornado:(\\d+):(\\d+)");

    /** Why TornadoVM cannot run here, or null when it can; probed once per JVM. */
    private static volatile Optional<String> problem;

    @Override
    public String family() {
        return FAMILY;
    }

    @Override
    public List<BackendInfo> devices() {
        if (probe().isPresent()) {
            return List.of();
        }
        return TornadoDevices.list();
    }

    @Override
    public Optional<String> unavailableReason() {
        return probe();
    }

    @Override
    public List<String> hints() {
        return probe().isPresent() ? List.of() : TornadoDevices.hints();
    }

    @Override
    public boolean accepts(String name) {
        return FAMILY.equals(name) || DEVICE_NAME.matcher(name).matches();
    }

    @Override
    public BackendEngine open(String name) {
        Optional<String> why = probe();
        if (why.isPresent()) {
            throw new UnknownBackendException("backend '" + name + "' is not available: " + why.get());
        }
        if (FAMILY.equals(name)) {
            return TornadoDevices.openDefault();
        }
        var matcher = DEVICE_NAME.matcher(name);
        if (!matcher.matches()) {
            throw new UnknownBackendException("'" + name + "' is not a TornadoVM backend name; use tornado or tornado:B:D");
        }
        return TornadoDevices.open(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)));
    }

    private static Optional<String> probe() {
        Optional<String> known = problem;
        if (known == null) {
            try {
                Class.forName("uk.ac.manchester.tornado.api.TornadoExecutionPlan", false, TornadoProvider.class.getClassLoader());
                known = TornadoDevices.check();
            } catch (ClassNotFoundException | LinkageError missing) {
                known = Optional.of("TornadoVM is not on this JVM: install its SDK, set TORNADOVM_HOME and run with its argfile "
                        + "(java @$TORNADOVM_HOME/tornado-argfile ...) or its 'tornado' launcher");
            }
            problem = known;
        }
        return known;
    }
}
