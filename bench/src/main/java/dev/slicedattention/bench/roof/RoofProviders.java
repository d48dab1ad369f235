package dev.slicedattention.bench.roof;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.spi.MemoryRoofProvider;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/** Finds the {@link MemoryRoofProvider} for a backend among those on the class path. */
public final class RoofProviders {
    private RoofProviders() {}

    /** The first installed provider that supports {@code backend}, if any. */
    public static Optional<MemoryRoofProvider> forBackend(BackendInfo backend) {
        ServiceLoader<MemoryRoofProvider> loader = ServiceLoader.load(MemoryRoofProvider.class, RoofProviders.class.getClassLoader());
        for (ServiceLoader.Provider<MemoryRoofProvider> candidate : loader.stream().toList()) {
            MemoryRoofProvider provider;
            try {
                provider = candidate.get();
            } catch (ServiceConfigurationError | LinkageError unusable) {
                // A device's provider whose runtime is absent from this JVM: not a roof for here.
                continue;
            }
            if (provider.supports(backend)) {
                return Optional.of(provider);
            }
        }
        return Optional.empty();
    }

    /** The provider for {@code backend}, or an exception that says how to add one. */
    public static MemoryRoofProvider require(BackendInfo backend) {
        return forBackend(backend).orElseThrow(() -> new IllegalStateException("no memory-roof provider for backend "
                + backend.name() + " (family " + backend.family() + "): implement "
                + MemoryRoofProvider.class.getName() + " and list it in META-INF/services/" + MemoryRoofProvider.class.getName()));
    }
}
