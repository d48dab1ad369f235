package dev.slicedattention.tornado.coalescing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slicedattention.tornado.graphs.ColumnLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The coalescing figures of every kernel, for the gallery and the docs: {@link #measure} runs the
 * scenarios through an instrumented {@link Launcher}; {@link #writeJson} writes them as
 * {@code {"warp": 32, "sectorBytes": 32, "headerBytes": 16, "kernels": [{"stage", "kernel", "array",
 * "store", "line", "requests", "ptx", "openCl"}, …]}}; {@link #markdown} as a table per kernel and array.
 */
public final class CoalescingReport {
    private CoalescingReport() {}

    /**
     * The figures of every kernel the plans launch: the forward pass (ReLU, then the bump's own kernels;
     * both {@link ColumnLayout}s), the causal pass, the layer front and the softmax reference; each kernel
     * once, where first launched.
     */
    public static List<AccessFigure> measure() {
        return measure(new ForwardScenario());
    }

    /** As {@link #measure()}, with the caller's ReLU forward scenario (which keeps what its sort computed). */
    public static List<AccessFigure> measure(ForwardScenario reluScenario) {
        List<Launcher> launchers = new java.util.ArrayList<>();
        launchers.add(new Launcher());
        reluScenario.run(launchers.getLast(), false, ColumnLayout.COLUMN_OUTER, 1);
        launchers.add(new Launcher());
        new ForwardScenario().run(launchers.getLast(), true, ColumnLayout.COLUMN_OUTER, 2);
        // The GPU layout: only its own kernels (the ColumnInner twins) are new below.
        launchers.add(new Launcher());
        new ForwardScenario().run(launchers.getLast(), false, ColumnLayout.COLUMN_INNER, 1);
        launchers.add(new Launcher());
        new ForwardScenario().run(launchers.getLast(), true, ColumnLayout.COLUMN_INNER, 2);
        launchers.add(new Launcher());
        new CausalScenario().run(launchers.getLast(), false, 3);
        launchers.add(new Launcher());
        new CausalScenario().run(launchers.getLast(), true, 4);
        launchers.add(new Launcher());
        new LayerScenario().run(launchers.getLast(), 5);
        launchers.add(new Launcher());
        new SoftmaxScenario().run(launchers.getLast(), 6);
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<AccessFigure> figures = new java.util.ArrayList<>();
        for (Launcher launcher : launchers) {
            List<AccessFigure> own = launcher.figures().stream().filter(f -> !seen.contains(f.kernel())).toList();
            own.forEach(f -> seen.add(f.kernel()));
            figures.addAll(own);
        }
        return figures;
    }

    public static void writeJson(List<AccessFigure> figures, Path file) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("warp", Sectors.WARP).put("sectorBytes", Sectors.SECTOR_BYTES).put("headerBytes", Sectors.HEADER_BYTES);
        ArrayNode kernels = root.putArray("kernels");
        for (AccessFigure figure : figures) {
            kernels.add(mapper.valueToTree(figure));
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        mapper.writeValue(file.toFile(), root);
    }

    /**
     * A table for the docs: per kernel, one row per array and direction (the sites of that array's loads,
     * or stores, weighted by their requests), leaving out the broadcasts (1 sector under both mappings:
     * every work-item reads the same parameter).
     */
    public static String markdown(List<AccessFigure> figures) {
        record Row(String stage, String kernel, String array, boolean store) {}
        java.util.Map<Row, double[]> rows = new java.util.LinkedHashMap<>();
        for (AccessFigure f : figures) {
            double[] sums = rows.computeIfAbsent(new Row(f.stage(), f.kernel(), f.array(), f.store()), r -> new double[3]);
            sums[0] += f.requests();
            sums[1] += f.requests() * f.ptx();
            sums[2] += f.requests() * f.openCl();
        }
        StringBuilder table = new StringBuilder("| stage | kernel | access | sectors/request, PTX | sectors/request, OpenCL C |\n"
                + "|---|---|---|---:|---:|\n");
        for (java.util.Map.Entry<Row, double[]> entry : rows.entrySet()) {
            Row row = entry.getKey();
            double ptx = entry.getValue()[1] / entry.getValue()[0];
            double openCl = entry.getValue()[2] / entry.getValue()[0];
            if (ptx <= 1.0 && openCl <= 1.0) {
                continue;
            }
            table.append(String.format(Locale.ROOT, "| %s | `%s` | %s %s | %.1f | %.1f |%n", row.stage(), row.kernel(), row.array(),
                    row.store() ? "store" : "load", ptx, openCl));
        }
        return table.toString();
    }
}
