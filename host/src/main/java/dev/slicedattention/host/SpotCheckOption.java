package dev.slicedattention.host;

import dev.slicedattention.Backend;
import dev.slicedattention.validation.SpotCheck;
import picocli.CommandLine.Option;

/** {@code --no-verify} of the commands that write a backend's result (attend, layer). */
final class SpotCheckOption {
    @Option(names = "--no-verify",
            description = "Skip the spot check. By default " + SpotCheck.DEFAULT_QUERIES + " queries per problem, drawn at random, "
                    + "are recomputed on the host in float64 while the backend works and compared with its result; "
                    + "a mismatch exits with 1 and writes nothing.")
    boolean off;

    /** {@code backend} with the spot check this option asks for. */
    Backend apply(Backend backend) {
        return backend.spotCheck(off ? 0 : SpotCheck.DEFAULT_QUERIES);
    }
}
