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
 * The host side of a plan's device-only arrays (the padded keys, the prefix table, ...). TornadoVM
 * needs a host array for every buffer a task graph names, even one that is never copied back, and
 * {@code new FloatArray(n)} zero-fills its memory, which touches every page: at n = 2^20 the ReLU
 * plan's gathered rows and prefix table (two arrays then) were 1032 MiB, zero-filled in 530–680 ms
 * on the 2-core VM and then resident for nothing.
 *
 * <p>Here an array of at least {@value #MIN_BYTES} bytes takes fresh anonymous memory from the OS
 * ({@code mmap}): it reads as zeros, like a new {@code FloatArray}, but a page costs nothing until
 * something writes it, and a page that is only read maps the kernel's shared zero page. The memory
 * goes back ({@code munmap}) when the array is collected. This needs native access for the class
 * path ({@code --enable-native-access=ALL-UNNAMED}, which the project's launchers, benchmark forks
 * and tests pass); without it, or off Linux, the arrays are TornadoVM's own.
 *
 * <p>{@link #giveBack} is the other direction: pages that will not be read again before they are
 * written ({@code madvise(MADV_DONTNEED)}) leave the resident set — a staging array's once it has been
 * sent, a mapped input file's once copied (see {@link HostValues}).
 */
final class HostArrays {
    /** Smaller arrays are not worth a system call. */
    static final long MIN_BYTES = 1 << 20;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;   // Linux, x86-64 and AArch64
    private static final int MADV_DONTNEED = 4;
    private static final long PAGE = 4096;
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle MADVISE;

    static {
        MethodHandle mmap = null, munmap = null, madvise = null;
        if (System.getProperty("os.name", "").startsWith("Linux") && HostArrays.class.getModule().isNativeAccessEnabled()) {
            try {
                Linker linker = Linker.nativeLinker();
                mmap = linker.downcallHandle(linker.defaultLookup().find("mmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                munmap = linker.downcallHandle(linker.defaultLookup().find("munmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
                madvise = linker.downcallHandle(linker.defaultLookup().find("madvise").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            } catch (RuntimeException unavailable) {
                mmap = null;
                munmap = null;
                madvise = null;
            }
        }
        MMAP = mmap;
        MUNMAP = munmap;
        MADVISE = madvise;
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

    /**
     * Gives back the pages that lie wholly inside bytes [from, to) of {@code memory} (native memory:
     * an array of this class, TornadoVM's own, a mapped file), so that they no longer count as
     * resident: private memory reads as zeros afterwards, a file mapping reads the file again. Only
     * whole pages inside the range, so nothing outside it changes (a TornadoVM array's header, in
     * front of its values, keeps its page). Returns the offset in {@code memory} where the pages given
     * back end ({@code from} when none was, or where not supported): a caller giving back a region
     * piece by piece starts its next piece there, so that no page between two pieces is missed.
     */
    static long giveBack(MemorySegment memory, long from, long to) {
        if (MADVISE == null || !memory.isNative()) {
            return from;
        }
        long first = (memory.address() + from + PAGE - 1) & -PAGE, end = (memory.address() + to) & -PAGE;
        if (end <= first) {
            return from;
        }
        try {
            int failed = (int) MADVISE.invokeExact(MemorySegment.ofAddress(first), end - first, MADV_DONTNEED);
            return failed == 0 ? end - memory.address() : from;
        } catch (Throwable failed) {
            return from;
        }
    }

    /** Gives back the pages of {@code array}'s values (not the page its header shares): they read as zeros until written again. */
    static void giveBack(FloatArray array) {
        MemorySegment values = array.getSegment();                 // after the header
        giveBack(values, 0, values.byteSize());
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
