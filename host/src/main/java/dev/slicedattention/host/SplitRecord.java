package dev.slicedattention.host;

import dev.slicedattention.io.AtomicFiles;
import dev.slicedattention.results.ResultsIO;
import dev.slicedattention.split.SplitShare;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * How a split backend shared the last timed call of one showcase point: for each of its backends, the
 * problems it took, their share of the work and how long it ran (the slower one's idle tail is the
 * difference). Written to {@value #FILE} in the run folder beside results.json.
 *
 * @param backend the split's name ({@code split:tornado:0:0,jvm-par})
 * @param heads   P, the problems of the call
 * @param n       keys (= queries) per problem
 * @param shares  one per backend, in the split's order
 */
record SplitRecord(String backend, int heads, int n, List<Share> shares) {
    static final String FILE = "split.json";

    /** Problems {@code from..to-1}, their fraction of the call's work, and the backend's wall-clock ms for them. */
    record Share(String backend, int from, int to, double workShare, double millis) {}

    static SplitRecord of(String backend, int heads, int n, List<SplitShare> shares) {
        return new SplitRecord(backend, heads, n, shares.stream()
                .map(s -> new Share(s.backend(), s.from(), s.to(), s.workShare(), s.nanos() / 1e6)).toList());
    }

    void print(PrintStream out) {
        StringBuilder line = new StringBuilder(backend + " n=" + n + ":");
        for (Share share : shares) {
            line.append(String.format("  %s %d of %d problems (%.0f%% of the work) %s ms", share.backend(), share.to() - share.from(),
                    heads, 100 * share.workShare(), Table.ms(share.millis())));
        }
        out.println(line);
    }

    static void write(Path folder, List<SplitRecord> records) throws IOException {
        AtomicFiles.writeString(folder.resolve(FILE), ResultsIO.mapper().writeValueAsString(records) + "\n");
    }
}
