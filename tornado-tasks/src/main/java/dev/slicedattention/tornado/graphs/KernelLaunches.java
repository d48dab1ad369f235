package dev.slicedattention.tornado.graphs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicedattention.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;

/**
 * The kernel gallery's launch geometry: on a graph's first execute the plan asks TornadoVM for its
 * thread info ({@code withThreadInfo()}), which prints a "Task info" block per launched task — its
 * global and local work sizes — into the same captured output as the kernel source. This class splits
 * the two, pairs each block with the kernel the source defines (in task order), and writes
 * {@code kernels/launches.json} (the gallery's {@code KernelLaunch} records) with how often one
 * forward call launched each graph.
 */
final class KernelLaunches {
    /** A kernel's name: OpenCL C's {@code __kernel void NAME(}, or PTX's {@code .entry NAME(}. */
    private static final Pattern KERNEL = Pattern.compile("(?:__kernel\\s+void|\\.entry)\\s+(\\w+)\\s*\\(");
    private static final Pattern SIZES = Pattern.compile("\\[([0-9, ]*)\\]");

    /** One task's first launch: its dump's file stem, task, kernel and work sizes; the graph it belongs to. */
    record Launch(int graph, String file, String task, String kernel, List<Long> global, List<Long> local) {}

    /** The captured output split into the kernel source and the launches it recorded. */
    record Split(String source, List<Launch> launches) {}

    private final List<Launch> pending = new ArrayList<>();

    private KernelLaunches() {}

    static KernelLaunches create() {
        return new KernelLaunches();
    }

    /**
     * Executes graph {@code graph} of {@code plan} with TornadoVM printing its kernels and thread info,
     * writes the kernels to {@code dir/file} (the gallery's dump; the code is printed while the graph
     * compiles, so call this on its first execute) and keeps the launches until {@link #write}.
     */
    TornadoExecutionResult executePrinting(TornadoExecutionPlan plan, int graph, Path dir, String file) {
        StdoutCapture capture = StdoutCapture.start();
        plan.withGraph(graph);
        // After selecting the graph: plan-wide settings apply to the selected graph only (or to all when none is).
        plan.withPrintKernel();
        plan.withThreadInfo();
        try {
            return plan.withGraph(graph).execute();
        } finally {
            plan.withoutPrintKernel();
            plan.withoutThreadInfo();
            StdoutCapture.write(dir.resolve(file), take(graph, file, capture.finish()));
        }
    }

    /** Splits captured output of graph {@code graph} (dumped as {@code file}) and keeps its launches until {@link #write}. */
    String take(int graph, String file, String captured) {
        StringBuilder source = new StringBuilder();
        List<String[]> blocks = new ArrayList<>();   // {task, global, local}
        String[] block = null;
        for (String line : captured.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("Task info:")) {
                String id = trimmed.substring("Task info:".length()).strip();
                block = new String[] {id.substring(id.lastIndexOf('.') + 1), null, null};
                blocks.add(block);
            } else if (block != null && (trimmed.startsWith("Global work size") || trimmed.startsWith("Thread dimensions"))) {
                block[1] = trimmed;   // OpenCL's global size; PTX's threads in all
            } else if (block != null && (trimmed.startsWith("Local  work size") || trimmed.startsWith("Blocks dimensions"))) {
                block[2] = trimmed;   // OpenCL's work-group; PTX's block (TornadoVM's choice where the plan sets none)
            } else if (block != null && (trimmed.startsWith("Backend") || trimmed.startsWith("Device")
                    || trimmed.startsWith("Dims") || trimmed.startsWith("Global work offset")
                    || trimmed.startsWith("Number of workgroups") || trimmed.startsWith("Grids dimensions"))) {
                continue;
            } else if (block != null && trimmed.isEmpty()) {
                block = null;
            } else {
                block = null;
                source.append(line).append('\n');
            }
        }
        List<String> kernels = new ArrayList<>();
        Matcher matcher = KERNEL.matcher(source);
        while (matcher.find()) {
            kernels.add(matcher.group(1));
        }
        // TornadoVM compiles and launches a graph's tasks in task order: the i-th block is the i-th kernel.
        for (int i = 0; i < blocks.size(); i++) {
            String[] b = blocks.get(i);
            String kernel = kernels.size() == blocks.size() ? kernels.get(i) : null;
            pending.add(new Launch(graph, file, b[0], kernel, sizes(b[1]), sizes(b[2])));
        }
        return source.toString();
    }

    private static List<Long> sizes(String line) {
        if (line == null) {
            return null;
        }
        Matcher matcher = SIZES.matcher(line);
        if (!matcher.find()) {
            return null;   // "null": the driver chooses the work-group size
        }
        List<Long> out = new ArrayList<>();
        for (String part : matcher.group(1).split(",")) {
            if (!part.isBlank()) {
                out.add(Long.parseLong(part.strip()));
            }
        }
        return out;
    }

    /**
     * Adds the pending launches, with {@code executes[graph]} launches per call, to {@code launches.json}
     * in {@code dir} (keeping the records of other plans), atomically.
     */
    void write(Path dir, String backend, int n, int[] executes) {
        if (pending.isEmpty() || dir == null) {
            return;
        }
        ObjectMapper mapper = new ObjectMapper();
        Path file = dir.resolve("launches.json");
        try {
            ArrayNode all = Files.isRegularFile(file) ? (ArrayNode) mapper.readTree(file.toFile()) : mapper.createArrayNode();
            for (Launch launch : pending) {
                ObjectNode node = all.addObject();
                node.put("backend", backend);
                node.put("file", launch.file().replaceFirst("\\.cl$", ""));
                node.put("task", launch.task());
                node.put("kernel", launch.kernel());
                node.put("n", n);
                node.set("global", launch.global() == null ? null : mapper.valueToTree(launch.global()));
                node.set("local", launch.local() == null ? null : mapper.valueToTree(launch.local()));
                node.put("launchesPerCall", executes[launch.graph()]);
            }
            AtomicFiles.writeString(file, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(all) + "\n");
            pending.clear();
        } catch (IOException failed) {
            throw new UncheckedIOException("cannot write the kernel launches to " + file, failed);
        }
    }
}
