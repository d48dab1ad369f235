package dev.slicedattention.tornado;

import dev.slicedattention.BackendInfo;
import dev.slicedattention.DeviceKind;
import dev.slicedattention.error.DeviceFailureException;
import dev.slicedattention.error.UnknownBackendException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import uk.ac.manchester.tornado.api.TornadoBackend;
import uk.ac.manchester.tornado.api.TornadoRuntime;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

/** TornadoVM's devices as {@link BackendInfo}s; the only place that walks TornadoVM's runtime. */
final class TornadoDevices {
    private TornadoDevices() {}

    /** Empty when TornadoVM's runtime is loaded and has a device; else why not, and what to do. */
    static Optional<String> check() {
        try {
            TornadoRuntime runtime = TornadoRuntimeProvider.getTornadoRuntime();
            int devices = 0;
            for (int b = 0; b < runtime.getNumBackends(); b++) {
                devices += runtime.getBackend(b).getNumDevices();
            }
            return devices == 0
                    ? Optional.of("TornadoVM found no device: check the driver (for OpenCL: clinfo lists a platform)")
                    : Optional.empty();
        } catch (RuntimeException | LinkageError failed) {
            return Optional.of("TornadoVM's runtime did not start (" + failed + "): run the JVM with TornadoVM's argfile "
                    + "(java @$TORNADOVM_HOME/tornado-argfile ...) and check `tornado --devices`");
        }
    }

    static List<BackendInfo> list() {
        TornadoRuntime runtime = TornadoRuntimeProvider.getTornadoRuntime();
        List<BackendInfo> all = new ArrayList<>();
        for (int b = 0; b < runtime.getNumBackends(); b++) {
            TornadoBackend backend = runtime.getBackend(b);
            for (int d = 0; d < backend.getNumDevices(); d++) {
                all.add(info(b, d, backend.getDevice(d)));
            }
        }
        return all;
    }

    /**
     * The command that adds a SPIR-V device, when TornadoVM has none here: either the SDK was built
     * without the SPIR-V backend or no OpenCL platform here accepts SPIR-V (Debian's PoCL does not).
     */
    static List<String> hints() {
        TornadoRuntime runtime = TornadoRuntimeProvider.getTornadoRuntime();
        for (int b = 0; b < runtime.getNumBackends(); b++) {
            TornadoBackend backend = runtime.getBackend(b);
            if (backend.getBackendType() == TornadoVMBackendType.SPIRV && backend.getNumDevices() > 0) {
                return List.of();
            }
        }
        return List.of(NO_SPIRV);
    }

    static final String NO_SPIRV = "no SPIR-V device. TornadoVM's SPIR-V backend needs an SDK built with it and an OpenCL "
            + "runtime that accepts SPIR-V; on Debian 12, as root, scripts/setup/spirv.sh builds both (PoCL with LLVM's "
            + "SPIR-V translator, TornadoVM with the OpenCL and SPIR-V backends), then: source /opt/tornadovm/sdk-spirv/setvars.sh";

    static TornadoEngine openDefault() {
        TornadoDevice device = TornadoRuntimeProvider.getTornadoRuntime().getDefaultDevice();
        return new TornadoEngine(device, info(device.getBackendIndex(), indexOf(device), device));
    }

    static TornadoEngine open(int backendIndex, int deviceIndex) {
        TornadoRuntime runtime = TornadoRuntimeProvider.getTornadoRuntime();
        if (backendIndex >= runtime.getNumBackends() || deviceIndex >= runtime.getBackend(backendIndex).getNumDevices()) {
            StringBuilder names = new StringBuilder("tornado");
            for (BackendInfo info : list()) {
                names.append(", ").append(info.name());
            }
            throw new UnknownBackendException("no TornadoVM device tornado:" + backendIndex + ":" + deviceIndex
                    + "; valid names here: " + names + " (as `tornado --devices` lists them)");
        }
        TornadoDevice device = runtime.getBackend(backendIndex).getDevice(deviceIndex);
        try {
            return new TornadoEngine(device, info(backendIndex, deviceIndex, device));
        } catch (RuntimeException failed) {
            throw new DeviceFailureException("TornadoVM device tornado:" + backendIndex + ":" + deviceIndex
                    + " failed to start (" + failed.getMessage() + "); check it with `tornado --devices`", failed);
        }
    }

    private static int indexOf(TornadoDevice device) {
        TornadoBackend backend = TornadoRuntimeProvider.getTornadoRuntime().getBackend(device.getBackendIndex());
        for (int d = 0; d < backend.getNumDevices(); d++) {
            if (backend.getDevice(d).getDeviceName().equals(device.getDeviceName())) {
                return d;
            }
        }
        return 0;
    }

    static BackendInfo info(int backendIndex, int deviceIndex, TornadoDevice device) {
        DeviceKind kind = switch (device.getDeviceType()) {
            case GPU -> DeviceKind.GPU;
            case ACCELERATOR, FPGA, CUSTOM -> DeviceKind.ACCELERATOR;
            default -> DeviceKind.CPU;
        };
        String name = device.getPhysicalDevice().getDeviceName().trim();
        int units = device.getPhysicalDevice().getDeviceMaxComputeUnits();
        return new BackendInfo("tornado:" + backendIndex + ":" + deviceIndex, TornadoProvider.FAMILY, name, kind,
                device.getMaxGlobalMemory(), "TornadoVM " + version() + " / " + backendName(device.getTornadoVMBackend()), units);
    }

    private static String backendName(TornadoVMBackendType type) {
        return switch (type) {
            case OPENCL -> "OpenCL";
            case PTX -> "PTX";
            case SPIRV -> "SPIR-V";
            default -> type.toString();
        };
    }

    static String version() {
        String version = TornadoRuntime.class.getPackage().getImplementationVersion();
        if (version == null) {
            var descriptor = TornadoRuntime.class.getModule().getDescriptor();
            version = descriptor == null ? "(unknown version)" : descriptor.rawVersion().orElse("(unknown version)");
        }
        return version;
    }
}
