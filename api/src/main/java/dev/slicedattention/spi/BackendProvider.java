package dev.slicedattention.spi;

import dev.slicedattention.BackendInfo;
import java.util.List;
import java.util.Optional;

/**
 * A family of backends, found at run time with {@link java.util.ServiceLoader}: list a provider class
 * in {@code META-INF/services/dev.slicedattention.spi.BackendProvider}. The JVM backends ship with
 * the API; the TornadoVM backend is a separate jar that is only on the class path when the JVM runs
 * with TornadoVM, so nothing compiles against it.
 *
 * <p>Implementations must be thread-safe and cheap to construct: construction must not touch a
 * device (do that lazily in {@link #devices()} and {@link #open}).
 */
public interface BackendProvider {
    /** The family name: {@code jvm-seq}, {@code jvm-par}, {@code tornado}. */
    String family();

    /** The devices this provider can open here; empty when it cannot run on this JVM. */
    List<BackendInfo> devices();

    /** Why {@link #devices()} is empty, and what to do about it; empty when devices are available. */
    default Optional<String> unavailableReason() {
        return Optional.empty();
    }

    /**
     * What this provider could also run on here with more software installed, one line each with the
     * command that installs it ({@code devices} prints them); empty when nothing is missing.
     */
    default List<String> hints() {
        return List.of();
    }

    /** Whether this provider answers to {@code name} ({@code tornado}, {@code tornado:1:0}, ...). */
    boolean accepts(String name);

    /**
     * Opens the named device. Throws {@link dev.slicedattention.error.UnknownBackendException} when the
     * name is this family's but no such device exists, {@link dev.slicedattention.error.DeviceFailureException}
     * when the device fails to start.
     */
    BackendEngine open(String name);
}
