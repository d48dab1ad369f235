package dev.slicedattention.host;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table with right-aligned columns, as the commands print it. Cells are fitted to the
 * stream's charset ({@link TerminalText}) before the columns are measured: a stand-in such as
 * {@code +-} for {@code ±} is longer than the character it replaces.
 */
final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... header) {
        this.header = List.of(header);
    }

    void add(Object... cells) {
        List<String> row = new ArrayList<>();
        for (Object cell : cells) {
            row.add(String.valueOf(cell));
        }
        rows.add(row);
    }

    void print(PrintStream out) {
        TerminalText text = TerminalText.of(out.charset());
        List<String> header = this.header.stream().map(text::fit).toList();
        List<List<String>> rows = this.rows.stream().map(row -> row.stream().map(text::fit).toList()).toList();
        int[] widths = new int[header.size()];
        for (int c = 0; c < widths.length; c++) {
            widths[c] = header.get(c).length();
            for (List<String> row : rows) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        line(out, header, widths);
        StringBuilder rule = new StringBuilder();
        for (int width : widths) {
            rule.append("-".repeat(width)).append("  ");
        }
        out.println(rule.toString().stripTrailing());
        for (List<String> row : rows) {
            line(out, row, widths);
        }
    }

    private static void line(PrintStream out, List<String> cells, int[] widths) {
        StringBuilder text = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            String cell = cells.get(c);
            text.append(c == 0 ? String.format("%-" + widths[c] + "s", cell) : String.format("%" + widths[c] + "s", cell));
            text.append("  ");
        }
        out.println(text.toString().stripTrailing());
    }

    static String ms(double millis) {
        if (Double.isNaN(millis)) {
            return "-";
        }
        return millis >= 100 ? String.format("%.0f", millis) : millis >= 1 ? String.format("%.2f", millis) : String.format("%.3f", millis);
    }

    static String sci(double value) {
        return String.format("%.1e", value);
    }
}
