package dev.slicedattention.tornado.graphs;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

/**
 * The host side of a plan's device-only arrays (the padded keys, the gathered rows, the prefix
 * table, ...). TornadoVM needs a host array for every buffer a task graph names, even one that is
 * never copied back, and {@code new FloatArray(n)} zero-fills its memory, which touches every page:
 * at n = 2^20 the ReLU plan's rows and prefix table alone are 1032 MiB, zero-filled in 530–680 ms on
 * the 2-core VM and then resident for nothing.
 *
 * <p>Here an array of at least {@value #MIN_BYTES} bytes takes fresh anonymous memory from the OS
 * ({@code mmap}): it reads as zeros, like a new {@code FloatArray}, but a page costs nothing until
 * something writes it, and a page that is only read maps the kernel's shared zero page. The memory
 * goes back ({@code munmap}) when the array is collected. This needs native access for the class
 * path ({@code --enable-native-access=ALL-UNNAMED}, which the project's launchers, benchmark forks
 * and tests pass); without it, or off Linux, the arrays are TornadoVM's own.
 */
final class HostArrays {
    /** Smaller arrays are not worth a system call. */
    static final long MIN_BYTES = 1 << 20;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;   // Linux, x86-64 and AArch64
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;

    static {
        MethodHandle mmap = null, munmap = null;
        if (System.getProperty("os.name", "").startsWith("Linux") && HostArrays.class.getModule().isNativeAccessEnabled()) {
            try {
                Linker linker = Linker.nativeLinker();
                mmap = linker.downcallHandle(linker.defaultLookup().find("mmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                munmap = linker.downcallHandle(linker.defaultLookup().find("munmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
            } catch (RuntimeException unavailable) {
                mmap = null;
                munmap = null;
            }
        }
        MMAP = mmap;
        MUNMAP = munmap;
    }

    private HostArrays() {}

    /** Whether large arrays come from untouched OS memory here (native access on Linux). */
    static boolean untouched() {
        return MMAP != null;
    }

    /** A float array of {@code count} zeros whose pages cost nothing until written. */
    static FloatArray floats(int count) {
        MemorySegment memory = map((long) count * Float.BYTES);
        return memory == null ? new FloatArray(count) : FloatArray.fromSegmentShallow(memory);
    }

    /** An int array of {@code count} zeros whose pages cost nothing until written. */
    static IntArray ints(int count) {
        MemorySegment memory = map((long) count * Integer.BYTES);
        return memory == null ? new IntArray(count) : IntArray.fromSegmentShallow(memory);
    }

    /** Header and data in fresh anonymous memory, or null to use TornadoVM's allocation. */
    private static MemorySegment map(long dataBytes) {
        long bytes = TornadoNativeArray.ARRAY_HEADER + dataBytes;
        if (MMAP == null || bytes < MIN_BYTES) {
            return null;
        }
        try {
            MemorySegment address = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, bytes, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
            if (address.address() == -1L) {
                return null;                                   // MAP_FAILED: let TornadoVM allocate (and fail) as usual
            }
            return address.reinterpret(bytes, Arena.ofAuto(), unused -> unmap(address, bytes));
        } catch (Throwable failed) {
            return null;
        }
    }

    private static void unmap(MemorySegment address, long bytes) {
        try {
            int ignored = (int) MUNMAP.invokeExact(address, bytes);
        } catch (Throwable failed) {
            // Nothing to do in a cleaner: the mapping stays until the process ends.
        }
    }
}
