package dev.slicedattention.results;

/**
 * A device kernel's source or binary dumped next to the results (for instance the OpenCL C or
 * PTX that TornadoVM generated for one stage).
 *
 * @param stage   the pipeline stage the kernel belongs to (a {@link StageTimes#KEYS} key, or a free name)
 * @param backend the backend that generated it, e.g. "tornado:0:0"
 * @param file    the dump's path relative to the results folder, with '/' separators
 */
public record KernelDump(String stage, String backend, String file) {}
