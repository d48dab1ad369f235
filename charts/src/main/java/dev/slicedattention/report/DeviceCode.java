package dev.slicedattention.report;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A device-code dump (what TornadoVM printed for one task graph: OpenCL C, PTX, or SPIR-V
 * disassembly) split into its kernels, with the lines that show where the code came from marked:
 * the kernel signature, the work-item index that replaced the Java loop index, the grid stride, the
 * loop itself, KernelContext's local indices, barriers and local-memory allocations.
 */
public final class DeviceCode {
    /** The language of a dump, by its content. */
    public enum Language {
        OPENCL("opencl", "OpenCL C"), PTX("ptx", "PTX"), SPIRV("spirv", "SPIR-V"), TEXT("text", "device code");

        private final String id;
        private final String label;

        Language(String id, String label) {
            this.id = id;
            this.label = label;
        }

        /** The highlighter's language id ("opencl"), or "text" for none. */
        public String id() {
            return id;
        }

        public String label() {
            return label;
        }
    }

    /** What a marked line shows. The order is the legend's. */
    public enum Mark {
        SIGNATURE("sig", "signature",
                "The kernel's signature. The Java method's parameters became __global buffers (arrays) and __private "
                        + "values (scalars); the first four parameters are TornadoVM's own (kernel context, constant "
                        + "region, local region, atomics)."),
        GLOBAL_ID("gid", "loop index",
                "get_global_id: the index of the Java loop marked @Parallel. Each work-item starts the loop at its "
                        + "own id instead of at 0 (a second @Parallel loop uses dimension 1)."),
        STRIDE("stride", "grid stride",
                "get_global_size and its uses: the loop steps by the number of work-items, so any launch size "
                        + "covers the whole range (a grid-stride loop)."),
        LOOP("loop", "the parallel loop",
                "The Java @Parallel loop as TornadoVM emitted it: its header, and (shaded) its body, which is the "
                        + "Java loop's body, run by every work-item for its own indices."),
        LOCAL_ID("lid", "KernelContext index",
                "get_local_id / get_group_id / get_local_size: KernelContext's localIdx, groupIdx and "
                        + "localGroupSizeX — the kernel was written with explicit work-groups, not a @Parallel loop."),
        BARRIER("barrier", "barrier",
                "barrier(CLK_LOCAL_MEM_FENCE): KernelContext.localBarrier() — every work-item of the group waits "
                        + "here until all have arrived and their local-memory writes are visible."),
        LOCAL_MEMORY("local", "local memory",
                "A __local array: KernelContext.allocateFloatLocalArray / allocateIntLocalArray — memory shared "
                        + "by the work-items of one work-group, much faster than global memory.");

        private final String css;
        private final String label;
        private final String explanation;

        Mark(String css, String label, String explanation) {
            this.css = css;
            this.label = label;
            this.explanation = explanation;
        }

        /** The CSS class suffix: lines carry {@code m-<css>}. */
        public String css() {
            return css;
        }

        public String label() {
            return label;
        }

        public String explanation() {
            return explanation;
        }
    }

    /**
     * One kernel of a dump.
     *
     * @param name  the kernel's name (TornadoVM names it after the Java method)
     * @param first its first line in the dump, 1-based (the pragmas before the signature included)
     * @param last  its last line, inclusive
     * @param lines its lines
     * @param marks the marks of each of its lines (same length as lines)
     * @param loopBody whether each line lies inside a parallel loop's body
     */
    public record Kernel(String name, int first, int last, List<String> lines, List<Set<Mark>> marks, List<Boolean> loopBody) {}

    private static final Pattern OPENCL_KERNEL = Pattern.compile("^\\s*(?:__kernel|kernel)\\s+void\\s+(\\w+)\\s*\\(");
    private static final Pattern OPENCL_END = Pattern.compile("^}\\s*//\\s*kernel");
    private static final Pattern PTX_ENTRY = Pattern.compile("^\\s*(?:\\.visible\\s+)?\\.entry\\s+(\\w+)");
    private static final Pattern SPIRV_ENTRY = Pattern.compile("OpEntryPoint\\s+\\w+\\s+%\\w+\\s+\"(\\w+)\"");

    private DeviceCode() {}

    /** The language of a dump, from its file name and content. */
    public static Language language(String fileName, String text) {
        String name = fileName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".ptx") || text.contains(".entry ") || text.contains(".version ")) {
            return Language.PTX;
        }
        if (name.endsWith(".spvasm") || name.endsWith(".spirv") || text.contains("OpEntryPoint")) {
            return Language.SPIRV;
        }
        if (name.endsWith(".cl") || OPENCL_KERNEL.matcher(text).find() || text.contains("__kernel")) {
            return Language.OPENCL;
        }
        return Language.TEXT;
    }

    /** The kernels of a dump, in file order; one pseudo-kernel named {@code fallbackName} when none is recognised. */
    public static List<Kernel> kernels(String fileName, String text, String fallbackName) {
        List<String> lines = text.lines().toList();
        Language language = language(fileName, text);
        List<int[]> ranges = new ArrayList<>();   // {first, last, signatureLine} 0-based
        List<String> names = new ArrayList<>();
        if (language == Language.OPENCL) {
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = OPENCL_KERNEL.matcher(lines.get(i));
                if (m.find()) {
                    int first = i;
                    while (first > 0 && lines.get(first - 1).trim().startsWith("#pragma")
                            && (ranges.isEmpty() || first - 1 > ranges.get(ranges.size() - 1)[1])) {
                        first--;
                    }
                    if (!ranges.isEmpty() && ranges.get(ranges.size() - 1)[1] >= first) {
                        ranges.get(ranges.size() - 1)[1] = first - 1;
                    }
                    int last = lines.size() - 1;
                    for (int j = i + 1; j < lines.size(); j++) {
                        if (OPENCL_END.matcher(lines.get(j)).find()) {
                            last = j;
                            break;
                        }
                        if (OPENCL_KERNEL.matcher(lines.get(j)).find()) {
                            last = j - 1;
                            break;
                        }
                    }
                    ranges.add(new int[] {first, last});
                    names.add(m.group(1));
                    i = last;
                }
            }
        } else if (language == Language.PTX) {
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = PTX_ENTRY.matcher(lines.get(i));
                if (m.find()) {
                    if (!ranges.isEmpty()) {
                        ranges.get(ranges.size() - 1)[1] = i - 1;
                    }
                    ranges.add(new int[] {ranges.isEmpty() ? 0 : i, lines.size() - 1});
                    names.add(m.group(1));
                }
            }
        } else if (language == Language.SPIRV) {
            Matcher m = SPIRV_ENTRY.matcher(text);
            if (m.find()) {
                ranges.add(new int[] {0, lines.size() - 1});
                names.add(m.group(1));
            }
        }
        if (ranges.isEmpty()) {
            ranges.add(new int[] {0, Math.max(0, lines.size() - 1)});
            names.add(fallbackName);
        }
        List<Kernel> kernels = new ArrayList<>();
        for (int k = 0; k < ranges.size(); k++) {
            int first = ranges.get(k)[0], last = Math.min(ranges.get(k)[1], lines.size() - 1);
            List<String> own = last >= first ? lines.subList(first, last + 1) : List.of();
            List<Set<Mark>> marks = new ArrayList<>();
            List<Boolean> body = new ArrayList<>();
            mark(language, own, marks, body);
            kernels.add(new Kernel(names.get(k), first + 1, last + 1, own, marks, body));
        }
        return kernels;
    }

    private static final Pattern ASSIGN = Pattern.compile("^\\s*(\\w+)\\s*=\\s*(.*?);?\\s*$");
    private static final Pattern IDENT = Pattern.compile("\\b[A-Za-z_]\\w*\\b");

    /** Marks the lines of one kernel. */
    static void mark(Language language, List<String> lines, List<Set<Mark>> marks, List<Boolean> body) {
        for (int i = 0; i < lines.size(); i++) {
            marks.add(EnumSet.noneOf(Mark.class));
            body.add(false);
        }
        switch (language) {
            case OPENCL -> markOpenCl(lines, marks, body);
            case PTX -> markByPattern(lines, marks, List.of(
                    new Rule(Pattern.compile("\\.entry\\s"), Mark.SIGNATURE),
                    new Rule(Pattern.compile("%(?:ctaid|ntid)\\.[xyz]"), Mark.GLOBAL_ID),
                    new Rule(Pattern.compile("%nctaid\\.[xyz]"), Mark.STRIDE),
                    new Rule(Pattern.compile("%tid\\.[xyz]"), Mark.LOCAL_ID),
                    new Rule(Pattern.compile("\\bbar(?:rier)?\\.sync\\b"), Mark.BARRIER),
                    new Rule(Pattern.compile("\\.shared\\b"), Mark.LOCAL_MEMORY)));
            case SPIRV -> markByPattern(lines, marks, List.of(
                    new Rule(Pattern.compile("OpEntryPoint|OpFunction\\b"), Mark.SIGNATURE),
                    new Rule(Pattern.compile("GlobalInvocationId"), Mark.GLOBAL_ID),
                    new Rule(Pattern.compile("GlobalSize|NumWorkgroups"), Mark.STRIDE),
                    new Rule(Pattern.compile("LocalInvocationId|WorkgroupId|WorkgroupSize"), Mark.LOCAL_ID),
                    new Rule(Pattern.compile("OpControlBarrier"), Mark.BARRIER),
                    new Rule(Pattern.compile("\\bWorkgroup\\b"), Mark.LOCAL_MEMORY)));
            default -> { }
        }
    }

    private record Rule(Pattern pattern, Mark mark) {}

    private static void markByPattern(List<String> lines, List<Set<Mark>> marks, List<Rule> rules) {
        for (int i = 0; i < lines.size(); i++) {
            for (Rule rule : rules) {
                if (rule.pattern().matcher(lines.get(i)).find()) {
                    marks.get(i).add(rule.mark());
                }
            }
        }
    }

    /**
     * OpenCL C as TornadoVM writes it (SSA-style: {@code i_5 = get_global_id(0);}, then the loop as
     * {@code i_6 = i_5; for(;i_6 < n;) { … i_37 = i_4 + i_6; i_6 = i_37; }}): the index variables
     * are followed through plain copies, so the loop header whose condition tests one of them is
     * the @Parallel loop, and the lines that add the global size to one are its stride.
     */
    private static void markOpenCl(List<String> lines, List<Set<Mark>> marks, List<Boolean> body) {
        Set<String> index = new HashSet<>();
        Set<String> stride = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String code = stripComment(line);
            if (OPENCL_KERNEL.matcher(code).find()) {
                marks.get(i).add(Mark.SIGNATURE);
                continue;
            }
            if (code.contains("get_global_id(")) {
                marks.get(i).add(Mark.GLOBAL_ID);
            }
            if (code.contains("get_global_size(")) {
                marks.get(i).add(Mark.STRIDE);
            }
            if (code.matches(".*\\bget_(?:local_id|group_id|local_size|num_groups)\\(.*")) {
                marks.get(i).add(Mark.LOCAL_ID);
            }
            if (code.matches(".*\\b(?:work_group_)?barrier\\(.*")) {
                marks.get(i).add(Mark.BARRIER);
            }
            if (code.matches("^\\s*__local\\b.*")) {
                marks.get(i).add(Mark.LOCAL_MEMORY);
            }
            Matcher assign = ASSIGN.matcher(code);
            if (assign.matches()) {
                String target = assign.group(1);
                String value = assign.group(2).trim();
                if (value.startsWith("get_global_id(")) {
                    index.add(target);
                } else if (value.startsWith("get_global_size(")) {
                    stride.add(target);
                } else if (index.contains(value)) {
                    index.add(target);   // a plain copy of the index
                } else if (!stride.isEmpty() && identifiers(value).stream().anyMatch(stride::contains)) {
                    marks.get(i).add(Mark.STRIDE);
                    if (identifiers(value).stream().anyMatch(index::contains)) {
                        index.add(target);   // index + stride: the next iteration's index
                    }
                }
            }
            if (code.trim().startsWith("for(") || code.trim().startsWith("for (")) {
                String header = code.substring(code.indexOf('(') + 1);
                if (identifiers(header).stream().anyMatch(index::contains)) {
                    marks.get(i).add(Mark.LOOP);
                    int end = closingBrace(lines, i);
                    for (int j = i + 1; j <= end && j < lines.size(); j++) {
                        body.set(j, true);
                    }
                }
            }
        }
    }

    private static String stripComment(String line) {
        int comment = line.indexOf("//");
        return comment < 0 ? line : line.substring(0, comment);
    }

    private static List<String> identifiers(String text) {
        List<String> names = new ArrayList<>();
        Matcher m = IDENT.matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    /** The line of the brace that closes the block opened on or after line {@code from}. */
    private static int closingBrace(List<String> lines, int from) {
        int depth = 0;
        boolean opened = false;
        for (int i = from; i < lines.size(); i++) {
            String code = stripComment(lines.get(i));
            for (int c = 0; c < code.length(); c++) {
                char ch = code.charAt(c);
                if (ch == '{') {
                    depth++;
                    opened = true;
                } else if (ch == '}') {
                    depth--;
                    if (opened && depth == 0) {
                        return i;
                    }
                }
            }
        }
        return lines.size() - 1;
    }
}
