package dev.slicedattention.tornado.graphs;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the driver errors that TornadoVM 5.2 only prints into exceptions. Its JNI layer checks each
 * OpenCL or CUDA call and, when one fails — a kernel that did not launch ({@code clEnqueueNDRangeKernel}
 * returned -54, {@code cuLaunchKernel} 701), a copy or a wait that failed — prints
 * {@code [TornadoVM-OCL-JNI] ERROR : NAME -> Returned: CODE} to the process's standard output (C++
 * {@code std::cout}) and goes on: the kernel's outputs keep whatever they held, and {@code execute()}
 * returns normally. Nothing in TornadoVM's Java API reports it (its profiler gives such a kernel a time
 * of 0, which a very short kernel can also get).
 *
 * <p>So every graph execute runs with file descriptor 1 pointed at a file of its own (POSIX
 * {@code dup2}, through the JDK's foreign-function API; a few microseconds per execute); afterwards
 * descriptor 1 is restored, whatever was printed is passed on to it unchanged, and an error line
 * becomes a {@link LaunchFailure} naming the stage and the driver call. Executes from several threads
 * take turns (descriptor 1 belongs to the process). Where the C library's functions cannot be reached
 * (no POSIX C library, or native access refused), executes run unwatched and {@link #active()} is false.
 */
public final class DriverErrors {
    /** TornadoVM's JNI error line: backend, driver call, code. NVML lines (power readings) are not kernel errors. */
    static final Pattern ERROR = Pattern.compile("\\[TornadoVM-([A-Za-z0-9]+)-JNI\\] ERROR : (\\S+) -> Returned: (-?\\d+)");
    private static final Watch WATCH = Watch.create();

    private DriverErrors() {}

    /** A driver call that failed during a graph execute, as TornadoVM printed it. */
    public static final class LaunchFailure extends RuntimeException {
        private final String stage, call, code;

        LaunchFailure(String stage, String runtime, String call, String code) {
            super(stage + ": " + runtime + " call " + call + " returned " + code + name(runtime, code));
            this.stage = stage;
            this.call = call;
            this.code = code;
        }

        /** The stage whose graph was executing. */
        public String stage() { return stage; }
        /** The driver function that failed, as TornadoVM names it ({@code clEnqueueNDRangeKernel}). */
        public String call() { return call; }
        /** The driver's error code. */
        public String code() { return code; }
    }

    /** Whether executes are watched here. */
    public static boolean active() {
        return WATCH != null;
    }

    /**
     * Runs {@code execute} (one graph execute of {@code stage}) with TornadoVM's printed driver errors
     * caught; throws a {@link LaunchFailure} for the first one.
     */
    public static <T> T watch(String stage, Supplier<T> execute) {
        if (WATCH == null) {
            return execute.get();
        }
        String printed;
        T result;
        synchronized (DriverErrors.class) {
            WATCH.redirect();
            try {
                result = execute.get();
            } finally {
                printed = WATCH.restore();
            }
        }
        if (printed != null) {
            Matcher error = ERROR.matcher(printed);
            if (error.find()) {
                throw new LaunchFailure(stage, error.group(1), error.group(2), error.group(3));
            }
        }
        return result;
    }

    /** The names of the codes a failed launch gives, where known. */
    private static String name(String runtime, String code) {
        String name = switch (runtime + code) {
            case "OCL-4" -> "CL_MEM_OBJECT_ALLOCATION_FAILURE";
            case "OCL-5" -> "CL_OUT_OF_RESOURCES";
            case "OCL-6" -> "CL_OUT_OF_HOST_MEMORY";
            case "OCL-52" -> "CL_INVALID_KERNEL_ARGS";
            case "OCL-54" -> "CL_INVALID_WORK_GROUP_SIZE";
            case "OCL-55" -> "CL_INVALID_WORK_ITEM_SIZE";
            case "OCL-58" -> "CL_INVALID_EVENT";
            case "PTX2" -> "CUDA_ERROR_OUT_OF_MEMORY";
            case "PTX700" -> "CUDA_ERROR_ILLEGAL_ADDRESS";
            case "PTX701" -> "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
            case "PTX702" -> "CUDA_ERROR_LAUNCH_TIMEOUT";
            case "PTX719" -> "CUDA_ERROR_LAUNCH_FAILED";
            default -> null;
        };
        return name == null ? "" : " (" + name + ")";
    }

    /** Descriptor 1 redirected into a file and back, through the C library. */
    private static final class Watch {
        private static final int STDOUT = 1, SEEK_SET = 0, SEEK_CUR = 1;
        private final MethodHandle dup2, fflush, ftruncate, lseek;
        private final int saved, file;
        private final Path path;
        private final FileOutputStream out = new FileOutputStream(FileDescriptor.out);

        private Watch(MethodHandle dup2, MethodHandle fflush, MethodHandle ftruncate, MethodHandle lseek, int saved, int file, Path path) {
            this.dup2 = dup2;
            this.fflush = fflush;
            this.ftruncate = ftruncate;
            this.lseek = lseek;
            this.saved = saved;
            this.file = file;
            this.path = path;
        }

        static Watch create() {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup c = linker.defaultLookup();
                FunctionDescriptor intInt = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
                MethodHandle dup = linker.downcallHandle(c.find("dup").orElseThrow(), intInt);
                MethodHandle dup2 = linker.downcallHandle(c.find("dup2").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
                MethodHandle fflush = linker.downcallHandle(c.find("fflush").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
                MethodHandle ftruncate = linker.downcallHandle(c.find("ftruncate").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                MethodHandle lseek = linker.downcallHandle(c.find("lseek").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
                MethodHandle mkstemp = linker.downcallHandle(c.find("mkstemp").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
                int file;
                Path path;
                try (Arena arena = Arena.ofConfined()) {
                    String template = Path.of(System.getProperty("java.io.tmpdir"), "sliced-attention-driver-XXXXXX").toString();
                    MemorySegment name = arena.allocateFrom(template);
                    file = (int) mkstemp.invokeExact(name);
                    path = Path.of(name.getString(0));
                }
                if (file < 0) {
                    return null;
                }
                path.toFile().deleteOnExit();
                int saved = (int) dup.invokeExact(STDOUT);
                return saved < 0 ? null : new Watch(dup2, fflush, ftruncate, lseek, saved, file, path);
            } catch (Throwable unavailable) {
                // No POSIX C library here, or native access refused: executes run unwatched.
                return null;
            }
        }

        void redirect() {
            try {
                int ignored = (int) fflush.invokeExact(MemorySegment.NULL);
                ignored = (int) ftruncate.invokeExact(file, 0L);
                long start = (long) lseek.invokeExact(file, 0L, SEEK_SET);
                ignored = (int) dup2.invokeExact(file, STDOUT);
            } catch (Throwable failed) {
                throw new IllegalStateException("cannot redirect standard output to watch the driver", failed);
            }
        }

        /** Restores descriptor 1 and returns what was printed meanwhile (null for nothing), having passed it on. */
        String restore() {
            long size;
            try {
                int ignored = (int) fflush.invokeExact(MemorySegment.NULL);
                ignored = (int) dup2.invokeExact(saved, STDOUT);
                size = (long) lseek.invokeExact(file, 0L, SEEK_CUR);
            } catch (Throwable failed) {
                throw new IllegalStateException("cannot restore standard output after watching the driver", failed);
            }
            if (size <= 0) {
                return null;
            }
            try {
                byte[] printed = Files.readAllBytes(path);
                out.write(printed);
                out.flush();
                return new String(printed, StandardCharsets.UTF_8);
            } catch (IOException failed) {
                throw new UncheckedIOException("cannot read the driver's output back from " + path, failed);
            }
        }
    }
}
