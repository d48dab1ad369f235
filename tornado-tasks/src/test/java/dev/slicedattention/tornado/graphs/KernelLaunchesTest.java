package dev.slicedattention.tornado.graphs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gallery's launch geometry, parsed from TornadoVM's thread info as each backend prints it. */
@Tag("tornado")
class KernelLaunchesTest {

    @Test
    void openClThreadInfoGivesGlobalAndLocalSizes(@TempDir Path dir) throws IOException {
        String captured = """
                #pragma OPENCL EXTENSION cl_khr_fp64 : enable
                __kernel void rank(__global long *_kernel_context, __global uchar *s)
                {
                }
                Task info: s3.rank.rank
                \tBackend           : OPENCL
                \tDevice            : cpu-x86 CPU
                \tDims              : 1
                \tGlobal work offset: [0]
                \tGlobal work size  : [4096]
                \tLocal  work size  : [128, 1, 1]
                \tNumber of workgroups  : [32]

                """;
        JsonNode launch = parse(dir, captured, "rank.cl");
        assertEquals("rank", launch.get("kernel").asText());
        assertEquals(4096, launch.get("global").get(0).asLong());
        assertEquals(128, launch.get("local").get(0).asLong());
    }

    /** PTX prints threads, blocks and grids instead (seen on an H200), and its kernels are {@code .entry}s. */
    @Test
    void ptxThreadInfoGivesThreadsAndBlocks(@TempDir Path dir) throws IOException {
        String captured = """
                .version 7.6
                .target sm_86
                .address_size 64

                .visible .entry rank_rank_ranks_arrays_floatarray_4096(.param .u64 .ptr .global .align 8 kernel_context) {
                \tret;
                }
                Task info: s3.rank.rank
                \tBackend           : PTX
                \tDevice            : NVIDIA H200 GPU
                \tDims              : 1
                \tThread dimensions : [4096]
                \tBlocks dimensions : [1024, 1, 1]
                \tGrids dimensions  : [4, 1, 1]

                """;
        KernelLaunches launches = KernelLaunches.create();
        String source = launches.take(0, "rank.cl", captured);
        assertFalse(source.contains("Task info") || source.contains("dimensions"), source);
        launches.write(dir, "tornado", 4096, new int[] {1});
        JsonNode launch = new ObjectMapper().readTree(dir.resolve("launches.json").toFile()).get(0);
        assertEquals("rank_rank_ranks_arrays_floatarray_4096", launch.get("kernel").asText());
        assertEquals(4096, launch.get("global").get(0).asLong());
        assertEquals(1024, launch.get("local").get(0).asLong());
    }

    private static JsonNode parse(Path dir, String captured, String file) throws IOException {
        KernelLaunches launches = KernelLaunches.create();
        launches.take(0, file, captured);
        launches.write(dir, "tornado", 4096, new int[] {1});
        return new ObjectMapper().readTree(dir.resolve("launches.json").toFile()).get(0);
    }
}
