package dev.slicedattention.tornado.graphs;

import dev.slicedattention.error.InvalidInputException;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;

/**
 * Two limits of TornadoVM that every plan meets before it runs, both found on an NVIDIA H200 (docs/GPU.md).
 *
 * <p><b>Registers per thread on PTX.</b> TornadoVM 5.2's PTX backend launches a one-dimensional
 * {@code @Parallel} kernel with blocks of up to the device's 1024 threads (the largest divisor of the global
 * size) without looking at the kernel's register count, which it does only for 2-D grids. A kernel that the
 * driver's JIT compiles to more than 65 536 / 1024 = 64 registers per thread then fails to launch
 * ({@code CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES}, 701), and TornadoVM only prints the error: the kernel's
 * outputs stay as they were. So every graph is JIT-compiled with at most 64 registers per thread (the
 * compiler spills the rest), beside TornadoVM's own PTX flags (its default, or {@code -Dtornado.ptx.compiler.flags}).
 *
 * <p><b>Elements per array.</b> A TornadoVM array holds at most 2^31 − 1 elements (an {@code int} size and
 * {@code int} indices in the kernels), so a plan whose largest array would be bigger is refused before
 * anything is allocated, with the sizes that fit.
 */
public final class DeviceLimits {
    /** 65 536 registers per block (every NVIDIA GPU since Maxwell) over 1024 threads per block. */
    public static final int PTX_MAX_REGISTERS = 64;

    private DeviceLimits() {}

    /** The PTX JIT flags of every graph: TornadoVM's, with the register cap added unless they set one. */
    public static String ptxFlags() {
        String flags = System.getProperty("tornado.ptx.compiler.flags", "CU_JIT_OPTIMIZATION_LEVEL 4").trim();
        return flags.contains("CU_JIT_MAX_REGISTERS") ? flags : (flags + " CU_JIT_MAX_REGISTERS " + PTX_MAX_REGISTERS).trim();
    }

    /** Applies {@link #ptxFlags()} to every graph of the plan (the OpenCL backend ignores them). */
    static void capPtxRegisters(TornadoExecutionPlan plan) {
        plan.withAllGraphs().withCompilerFlags(TornadoVMBackendType.PTX, ptxFlags());
    }

    /**
     * Refuses a plan whose array {@code what} would hold more than 2^31 − 1 elements.
     *
     * @param problem the batch, as the error names it
     * @param what    the array and how its size is made, e.g. "the prefix table, P·(n+1)·(2e+1)"
     * @param count   its number of elements
     */
    static void requireArraySize(String problem, String what, long count) {
        if (count > Integer.MAX_VALUE) {
            throw new InvalidInputException(String.format(
                    "%s is too large for one TornadoVM plan: %s would hold %,d elements, and a TornadoVM array holds at most"
                            + " 2^31 - 1 = %,d; run fewer heads per call or shorter sequences on the device",
                    problem, what, count, Integer.MAX_VALUE));
        }
    }
}
