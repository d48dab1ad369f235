package dev.slicedattention.report;

import dev.slicedattention.report.DeviceCode.Mark;
import dev.slicedattention.results.BenchEntry;
import dev.slicedattention.results.KernelLaunch;
import java.util.List;
import java.util.Set;

/**
 * What {@code kernels.html} shows, gathered and computed by {@link KernelGallery}; its markup is
 * {@code src/main/jte/report/gallery.jte} (with {@code gallery-graph.jte} for a task graph and its
 * kernels and {@code code.jte} for a block of code). A field that may be absent is null where the page
 * leaves its part out.
 *
 * <p>To show something new per kernel (a measured figure, say), add a field to {@link Kernel}, fill it
 * in {@code KernelGallery.kernel} and print it in {@code gallery-graph.jte}.
 *
 * @param highlighter   the inlined highlighter (script and style sheet), or null where it is missing
 * @param credit        the highlighter's licence line, or why there is no highlighting
 * @param contents      the stages' links, then the extra sections'
 * @param causal        the causal plan's graphs, or null where the run dumped none
 * @param other         dumps and tasks of no stage, or null where there are none
 * @param sourceOrigins where the Java shown was read from (jar names)
 */
public record GalleryPage(String title, Highlighter highlighter, String credit, Intro intro, List<Link> contents,
                          List<StageSection> stages, List<Graph> causal, Other other, List<String> sourceOrigins) {

    /** The legend's marks, in order. */
    public List<Mark> marks() {
        return List.of(Mark.values());
    }

    public record Highlighter(String script, String css) {}

    public record Link(String href, String text) {}

    /** Why the page has no device code, where it has none. */
    public enum NoDeviceCode { NONE_IN_FOLDER_OF_CAUSAL_RUN, NO_DEVICE_RAN }

    /**
     * The page's opening: the run's attention kernel, causal mode, which device code it holds (or why
     * none), and whether launch geometry was recorded.
     *
     * @param kernelText     the kernel's description from the run's configuration, or null
     * @param noDeviceCode   why there is no device code, or null where there is some
     * @param deviceBackends {@code backend (language)} of each dump
     * @param launchProblem  why kernels/launches.json could not be read, or null
     * @param launchFile     the name of the launches file
     */
    public record Intro(String kernel, String kernelText, boolean causal, boolean causalDumps, NoDeviceCode noDeviceCode,
                        List<String> deviceBackends, String launchProblem, boolean launchesRecorded, String launchFile) {}

    /**
     * One pipeline stage: what the run measured, its sequential twin, and its task graphs (those that
     * ran, and folded those that did not), then ForwardPlan tasks of its kernel classes that the
     * catalogue does not list.
     */
    public record StageSection(String anchor, String title, String summary, Measured measured, Bench bench,
                               List<Twin> twins, List<Graph> shown, List<String> foldedLabels, List<Graph> folded,
                               List<Graph> extras) {}

    /** The stage's median time per backend and size ({@code null} where not measured), and share at the largest n. */
    public record Measured(List<Integer> sizes, int largest, List<MeasuredRow> rows) {}

    public record MeasuredRow(String backend, List<Double> millis, Double share) {}

    /**
     * The stage's bytes and roof fraction from bench-summary.json: {@code problem} when unreadable,
     * {@code present} false without the file, else the entries at the largest n per backend.
     */
    public record Bench(String problem, boolean present, List<BenchEntry> entries) {}

    /** A sequential twin class: its path and origin, class comment and methods; {@code missing} without its source. */
    public record Twin(String className, boolean missing, String path, String origin, CodeBlock classComment,
                       List<TwinMethod> methods) {}

    /** A twin's method: its code, or null where the class has no such method. */
    public record TwinMethod(String name, CodeBlock code) {}

    /** Why a graph shows no device code. */
    public enum NoGraphCode { CAUSAL_RUN, NOT_IN_FOLDER, DID_NOT_RUN }

    /**
     * A task graph and its kernels, in launch order.
     *
     * @param extra        a ForwardPlan task the catalogue does not list (shown under its own heading)
     * @param sortLaunches launches per call of a sort graph at the largest n, or null
     * @param dump         the device code file, or null
     * @param noCode       why there is none, or null (nothing is said where the run has no dumps at all)
     * @param alsoDumped   the same graph's code dumped by other backends
     */
    public record Graph(boolean extra, String id, String graph, String variant, String executes, SortLaunches sortLaunches,
                        DumpLink dump, NoGraphCode noCode, List<DumpLink> alsoDumped, List<Kernel> kernels) {}

    /** Derived from the plan's sort loop at the run's largest n (padded to N). */
    public record SortLaunches(int n, int padded, long launches) {}

    public record DumpLink(String href, String relative, String backend, String language) {}

    /**
     * One kernel: its Java (the method, the task-graph line that launches it, the helpers it calls)
     * beside its device code, with the mark table linking the two.
     *
     * @param kernelClass the class holding the method, or null where unknown
     * @param launches    the launch geometry the backend recorded
     * @param java        its Java, or null where the source was not found
     * @param device      its device code, or null (then {@code noDevice} says why)
     */
    public record Kernel(String id, int number, String method, String kernelClass, String role, List<Launch> launches,
                         List<MarkLink> marks, JavaSide java, DeviceSide device, NoKernelCode noDevice,
                         String variant) {}

    /** A recorded launch, with its global and local sizes as text ("65536 × 64", "chosen by the driver"). */
    public record Launch(KernelLaunch launch, String global, String local) {}

    /** Why a kernel shows no device code. */
    public enum NoKernelCode { NO_DUMPS, NOT_IN_FOLDER, NOT_RUN }

    /** The first line of a mark on each side, as anchors (null where the side has none). */
    public record MarkLink(Mark mark, String java, String device) {}

    /** @param taskCall the ForwardPlan line that launches the kernel, or null */
    public record JavaSide(String className, int first, int last, String origin, boolean fromRun, CodeBlock taskCall,
                           CodeBlock method, List<Helper> helpers) {}

    public record Helper(String className, CodeBlock code) {}

    public record DeviceSide(String language, String href, String relative, CodeBlock code) {}

    /** Dumps of no stage and tasks of no known kernel class. */
    public record Other(List<Graph> graphs) {}

    /**
     * A block of code, one line per element with its number, marks and anchor.
     *
     * @param source the packaged resource it was read from (Java), or null (device code)
     */
    public record CodeBlock(String language, String source, int first, List<Line> lines) {
        public int last() {
            return first + lines.size() - 1;
        }
    }

    /** @param classes the line's CSS classes ("ln m-gid in-loop"), from its marks and whether it is in the loop body */
    public record Line(String classes, String id, int number, String text, Set<Mark> marks) {}
}
