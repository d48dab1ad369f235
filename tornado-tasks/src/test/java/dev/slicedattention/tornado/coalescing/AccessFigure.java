package dev.slicedattention.tornado.coalescing;

/**
 * One global-memory access of one kernel, measured: how many 32-byte sectors a warp's 32 neighbouring
 * work-items touch per request (one execution of the load or store by the warp), as Nsight Compute's
 * "sectors per request". 4 is ideal for 32 floats at a 32-byte boundary; TornadoVM's arrays start
 * {@link Sectors#HEADER_BYTES} bytes after theirs, so 32 neighbouring floats touch 5; 32 is one sector
 * per work-item. Where every work-item reads the same address (a broadcast) it is 1.
 *
 * @param stage    the pipeline stage (the gallery's section) the kernel belongs to
 * @param kernel   class and method, e.g. {@code PrefixSumKernels.blockTotals}
 * @param array    the array as the plan names it
 * @param store    true for a set, false for a get
 * @param line     the access's line in the kernel's source
 * @param requests warp-level requests counted over the launches measured (under the PTX mapping)
 * @param ptx      sectors per request when neighbouring work-items differ in the inner {@code @Parallel}
 *                 loop's index (TornadoVM's PTX backend: the inner loop is x)
 * @param openCl   sectors per request when they differ in the outer loop's index (OpenCL C: the outer
 *                 loop is dimension 0). For one loop and for KernelContext kernels the two are equal.
 */
public record AccessFigure(String stage, String kernel, String array, boolean store, int line, long requests,
                           double ptx, double openCl) {
    /** "table load, line 48". */
    public String access() {
        return array + (store ? " store" : " load") + ", line " + line;
    }
}
