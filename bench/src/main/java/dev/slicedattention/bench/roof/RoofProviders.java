package dev.slicedattention.bench.roof;

import dev.slicedattention.BackendInfo;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/** Finds the {@link RoofProvider} for a backend. */
public final class RoofProviders {
    private RoofProviders() {}

    /** The first installed provider that supports {@code backend}, if any. */
    public static Optional<RoofProvider> forBackend(BackendInfo backend) {
        ServiceLoader<RoofProvider> loader = ServiceLoader.load(RoofProvider.class, RoofProviders.class.getClassLoader());
        for (ServiceLoader.Provider<RoofProvider> candidate : loader.stream().toList()) {
            RoofProvider provider;
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
    public static RoofProvider require(BackendInfo backend) {
        return forBackend(backend).orElseThrow(() -> new IllegalStateException("no memory-roof provider for backend "
                + backend.name() + " (family " + backend.family() + "): implement "
                + RoofProvider.class.getName() + " and list it in META-INF/services/" + RoofProvider.class.getName()));
    }
}
