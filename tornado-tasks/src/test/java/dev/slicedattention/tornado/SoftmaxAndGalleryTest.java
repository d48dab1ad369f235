package dev.slicedattention.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.Backend;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.Tensor;
import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.ErrorMetrics;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.layer.TokenOrder;
import dev.slicedattention.validation.projection.HeadLayout;
import dev.slicedattention.validation.Shape;
import dev.slicedattention.validation.SoftmaxReference;
import dev.slicedattention.validation.sequential.SequentialSoftmax;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The softmax baseline on the device, and the kernel gallery. */
@Tag("tornado")
class SoftmaxAndGalleryTest {
    /**
     * Against the float64 reference: float32 arithmetic over n ≤ 300 keys errs by a few 1e-7
     * relative; the bar is 1e-5 or ten times the sequential float32 baseline, whichever is larger.
     */
    @ParameterizedTest
    @EnumSource(value = InputGenerator.class, names = {"GAUSSIAN", "HEAVY_TAILED", "SHARED_OFFSET"})
    void softmaxMatchesReference(InputGenerator generator) {
        try (TornadoEngine engine = TornadoTestDevice.open()) {
            for (Shape shape : List.of(new Shape(2, 3, 5, 8, 4), new Shape(2, 33, 300, 16, 8))) {
                AttentionBatch batch = generator.generate(shape, 3);
                double[] reference = SoftmaxReference.attend(batch);
                ErrorMetrics device = ErrorMetrics.compare(engine.softmax(batch), reference, batch);
                ErrorMetrics sequential = ErrorMetrics.compare(SequentialSoftmax.forward(batch), reference, batch);
                double allowed = Math.max(1e-5, 10 * sequential.relativeError());
                assertTrue(device.relativeError() <= allowed,
                        () -> generator + " " + shape + ": device " + device + " against sequential " + sequential.relativeError());
            }
        }
    }

    /**
     * Ragged (key and query lengths) and causal softmax against the float64 reference, which
     * honours both (SoftmaxReference.visibleKeys); padded query rows are 0.
     */
    @Test
    void softmaxHonoursLengthsAndCausality() {
        Shape shape = new Shape(2, 40, 40, 8, 4);
        AttentionBatch plain = InputGenerator.GAUSSIAN.generate(shape, 13);
        try (TornadoEngine engine = TornadoTestDevice.open()) {
            for (boolean causal : new boolean[] {false, true}) {
                AttentionBatch batch = plain.withOptions(AttentionOptions.relu().withKeyLengths(40, 9).withQueryLengths(25, 40).causal(causal));
                float[] out = engine.softmax(batch);
                ErrorMetrics metrics = ErrorMetrics.compare(out, SoftmaxReference.attend(batch), batch);
                assertTrue(metrics.relativeError() <= 1e-5, () -> batch + ": " + metrics);
                for (int i = 25 * 4; i < 40 * 4; i++) {
                    assertEquals(0.0f, out[i], "padded query row of problem 0");
                }
            }
        }
    }

    /** The same through the public API: the backend is found by name and its softmax has the [P, m, e] shape. */
    @Test
    void softmaxThroughTheBackend() {
        TornadoTestDevice.open().close();
        Shape shape = new Shape(2, 4, 6, 8, 3);
        AttentionBatch batch = InputGenerator.GAUSSIAN.generate(shape, 9);
        try (Backend backend = SlicedAttention.open(System.getProperty("sliced.attention.test.device", "tornado"))) {
            Tensor out = backend.softmax(batch);
            assertEquals(List.of(2, 4, 3), java.util.Arrays.stream(out.shape()).boxed().toList());
            ErrorMetrics metrics = ErrorMetrics.compare(out.data(), SoftmaxReference.attend(batch), batch);
            assertTrue(metrics.relativeError() <= 1e-5, metrics::toString);
        }
    }

    /**
     * With the gallery folder set, a forward pass writes one non-empty OpenCL C file per stage graph,
     * and a bump pass adds its own files where its kernels differ (the sort is shared). n = 1025
     * pads to 2048 slots, more than one local sort block, so the global sort pass runs too. Batches
     * with given scalars add their projection front's files, and the device layer its dense graph and
     * its learned projection (the ReLU module's MLP, the bump module's linear map).
     */
    @Test
    void forwardWritesOneKernelFilePerStage(@TempDir Path dir) throws IOException {
        withKernelDir(dir, engine -> {
            Shape shape = new Shape(1, 7, 1025, 8, 4);
            AttentionBatch batch = InputGenerator.GAUSSIAN.generate(shape, 5);
            engine.forward(batch, new StageTimes());
            engine.forward(batch.withOptions(AttentionOptions.bump(1.5f)), new StageTimes());
            float[] s = java.util.Arrays.copyOf(batch.q(), 7), t = java.util.Arrays.copyOf(batch.k(), 1025);
            AttentionBatch scalars = AttentionBatch.ofScalars(1, 7, 1025, 4, s, t, batch.v(), AttentionOptions.relu());
            engine.forward(scalars, new StageTimes());
            engine.forward(scalars.withOptions(AttentionOptions.bump(1.5f)), new StageTimes());
            for (Kernel kernel : Kernel.values()) {
                var weights = LayerDeviceTest.randomWeights(new java.util.SplittableRandom(2), kernel, 2, 16, 16);
                float[] x = LayerDeviceTest.gaussian(new java.util.SplittableRandom(3), 2 * 40 * 16, 1.0);
                AttentionOptions options = kernel == Kernel.BUMP ? AttentionOptions.bump(0.5f) : AttentionOptions.relu();
                assertTrue(engine.layer(weights, true, HeadLayout.INTENDED, x, 2, 40, TokenOrder.of(null, 2, 40), options,
                        new StageTimes()).isPresent());
            }
        });
        List<String> expected = List.of("combine-bump.cl", "combine.cl", "layer-dense.cl", "layer-projection-linear.cl",
                "layer-projection-mlp.cl", "prefix-sum-bump.cl", "prefix-sum.cl", "projection-bump.cl",
                "projection-scalars-bump.cl", "projection-scalars.cl", "projection.cl", "rank-bump.cl", "rank.cl",
                "sort-global.cl", "sort-local.cl");
        try (Stream<Path> files = Files.list(dir)) {
            List<String> all = new java.util.ArrayList<>(expected);
            all.add(2, "launches.json");
            assertEquals(all, files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        // The launch geometry beside the dumps: every launched task with its kernel, work sizes and
        // launches per call; the thread info it was parsed from stays out of the .cl files.
        com.fasterxml.jackson.databind.JsonNode launches = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(dir.resolve("launches.json").toFile());
        java.util.Set<String> files = new java.util.TreeSet<>();
        for (com.fasterxml.jackson.databind.JsonNode launch : launches) {
            files.add(launch.get("file").asText() + ".cl");
            assertTrue(launch.get("kernel").isTextual(), "kernel named: " + launch);
            assertTrue(launch.get("global").size() >= 1 && launch.get("global").get(0).asLong() > 0, "global size: " + launch);
            assertTrue(launch.get("launchesPerCall").asInt() >= 1, "launches per call: " + launch);
            if (launch.get("file").asText().equals("sort-local") && launch.get("n").asInt() == 1025) {
                assertEquals(List.of(256L), List.of(launch.get("local").get(0).asLong()), "the local sort's work-group: half a 512-slot block");
            }
            if (launch.get("file").asText().equals("sort-global") && launch.get("n").asInt() == 1025) {
                assertTrue(launch.get("launchesPerCall").asInt() > 1, "a global launch per stage above the block: " + launch);
            }
        }
        assertEquals(new java.util.TreeSet<>(expected), files, "every dump has its launches");
        for (String name : expected) {
            String source = Files.readString(dir.resolve(name));
            assertTrue(!source.contains("Task info:"), name + " holds thread info");
            assertTrue(KERNEL.matcher(source).find(), () -> name + " holds no kernel: " + source.substring(0, Math.min(200, source.length())));
        }
        // Each stage's file holds that stage's kernels: one per task of its graph.
        assertEquals(6, count(dir.resolve("projection.cl")), "projection kernels");
        assertEquals(6, count(dir.resolve("prefix-sum.cl")), "prefix-sum kernels");
        assertEquals(4, count(dir.resolve("projection-bump.cl")), "bump projection kernels");
        assertEquals(5, count(dir.resolve("prefix-sum-bump.cl")), "bump prefix-sum kernels");
        assertTrue(Files.readString(dir.resolve("prefix-sum-bump.cl")).contains("compensatedAddBack"));
        assertEquals(3, count(dir.resolve("projection-scalars.cl")), "given scalars: value mean (2), keys");
        assertEquals(1, count(dir.resolve("projection-scalars-bump.cl")), "given scalars: keys");
        assertEquals(8, count(dir.resolve("layer-dense.cl")), "q, k, v, RoPE ×2, heads, value scales ×2");
        assertEquals(10, count(dir.resolve("layer-projection-mlp.cl")), "2 × (product, GELU, product), s, keys, value mean ×2");
        assertEquals(4, count(dir.resolve("layer-projection-linear.cl")), "2 products, s, keys");
        String dense = Files.readString(dir.resolve("layer-dense.cl"));
        assertTrue(dense.contains("__local") && dense.contains("barrier"), "the tiled product uses local memory and barriers");
        assertTrue(Files.readString(dir.resolve("rank-bump.cl")).contains("windows"));
    }

    /**
     * Causal mode's plan writes its own files (causal-*.cl: projection, both sorts, scan, level, combine;
     * the bump's where its kernels differ, and the given-scalars projection) with the kernels of
     * CausalKernels in them, and its launches beside the forward pass's, per call as many level
     * launches as levels. n = 1025 pads to 2048 slots (more than a local sort block, so the global sort
     * runs too): tiles of 32, levels 32 .. 1024.
     */
    @Test
    void causalRunsWriteTheirOwnKernelFiles(@TempDir Path dir) throws IOException {
        withKernelDir(dir, engine -> {
            Shape shape = new Shape(1, 1025, 1025, 8, 4);
            AttentionBatch batch = InputGenerator.GAUSSIAN.generate(shape, 6).withOptions(AttentionOptions.relu().causal(true));
            engine.forward(batch, new StageTimes());
            engine.forward(batch.withOptions(AttentionOptions.bump(1.5f).causal(true)), new StageTimes());
            float[] s = java.util.Arrays.copyOf(batch.q(), 1025), t = java.util.Arrays.copyOf(batch.k(), 1025);
            engine.forward(AttentionBatch.ofScalars(1, 1025, 1025, 4, s, t, batch.v(), AttentionOptions.relu().causal(true)), new StageTimes());
        });
        List<String> expected = List.of("causal-combine-bump.cl", "causal-combine.cl", "causal-level-bump.cl", "causal-level.cl",
                "causal-projection-bump.cl", "causal-projection-scalars.cl", "causal-projection.cl", "causal-scan-bump.cl",
                "causal-scan.cl", "causal-sort-global.cl", "causal-sort-local.cl", "launches.json");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(expected, files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        for (String name : expected.subList(0, expected.size() - 1)) {
            String source = Files.readString(dir.resolve(name));
            assertTrue(!source.contains("Task info:"), name + " holds thread info");
            assertTrue(count(dir.resolve(name)) >= 1, name + " holds no kernel");
        }
        assertTrue(Files.readString(dir.resolve("causal-level.cl")).contains("reluLevel"), "the ReLU's level kernel");
        assertTrue(Files.readString(dir.resolve("causal-level-bump.cl")).contains("bumpLevel"), "the bump's level kernel");
        com.fasterxml.jackson.databind.JsonNode launches = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(dir.resolve("launches.json").toFile());
        boolean levelSeen = false;
        for (com.fasterxml.jackson.databind.JsonNode launch : launches) {
            assertTrue(launch.get("file").asText().startsWith("causal-"), "only causal graphs ran: " + launch);
            assertTrue(launch.get("kernel").isTextual(), "kernel named: " + launch);
            if (launch.get("file").asText().equals("causal-level")) {
                levelSeen = true;
                assertEquals(6, launch.get("launchesPerCall").asInt(), "one level launch per level, w = 32 .. 1024: " + launch);
            }
        }
        assertTrue(levelSeen, "the level kernel's launch is recorded");
    }

    /** Runs {@code calls} on a fresh engine whose plans write their device code into {@code dir} (the gallery's folder). */
    private static void withKernelDir(Path dir, java.util.function.Consumer<TornadoEngine> calls) {
        String previous = System.getProperty(TornadoEngine.KERNEL_DIR_PROPERTY);
        System.setProperty(TornadoEngine.KERNEL_DIR_PROPERTY, dir.toString());
        try (TornadoEngine engine = TornadoTestDevice.open()) {
            calls.accept(engine);
        } finally {
            if (previous == null) {
                System.clearProperty(TornadoEngine.KERNEL_DIR_PROPERTY);
            } else {
                System.setProperty(TornadoEngine.KERNEL_DIR_PROPERTY, previous);
            }
        }
    }

    /** A kernel's first line: OpenCL C's {@code __kernel void}, or PTX's {@code .entry} (the PTX backend's dumps, seen on an H200). */
    private static final java.util.regex.Pattern KERNEL = java.util.regex.Pattern.compile("__kernel\\s+void|\\.entry\\s+\\w+\\(");

    private static long count(Path file) throws IOException {
        return Files.readString(file).lines().filter(line -> KERNEL.matcher(line).find()).count();
    }
}
