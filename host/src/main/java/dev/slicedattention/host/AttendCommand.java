package dev.slicedattention.host;

import dev.slicedattention.Backend;
import dev.slicedattention.ForwardResult;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.Tensor;
import dev.slicedattention.spi.TensorBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.npy.Npy;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "attend", mixinStandardHelpOptions = true,
        description = "Sliced ReLU (or ReLU-bump) attention on your tensors: float16, float32 or float64 .npy files (either byte order, C or Fortran order), one head "
                + "(2-D: Q [m,d], K [n,d], V [n,e], theta [d]) or batched (3-D: [P,.,.], theta [P,d]), optionally ragged "
                + "(--key-lengths, --query-lengths). Writes O as float32 .npy, [m,e] or [P,m,e].",
        footer = {"%nExamples:",
                "  scripts/sliced-attention attend --q q.npy --k k.npy --v v.npy --theta theta.npy --out o.npy",
                "  scripts/sliced-attention attend --backend jvm-par --q q.npy --k k.npy --v v.npy --theta t.npy --out o.npy",
                "  scripts/sliced-attention attend --kernel bump --bandwidth 0.7 --q q.npy --k k.npy --v v.npy --theta t.npy --out o.npy",
                "  scripts/sliced-attention attend --key-lengths lengths.npy --query-lengths lengths.npy --q q.npy ... --out o.npy",
                "  scripts/sliced-attention attend --causal --q x.npy --k x.npy --v v.npy --theta t.npy --out o.npy",
                ExitCode.FOOTER})
final class AttendCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions options;

    @Option(names = "--q", required = true, paramLabel = "Q.npy", description = "Queries [m, d] or [P, m, d].")
    Path q;

    @Option(names = "--k", required = true, paramLabel = "K.npy", description = "Keys [n, d] or [P, n, d].")
    Path k;

    @Option(names = "--v", required = true, paramLabel = "V.npy", description = "Values [n, e] or [P, n, e].")
    Path v;

    @Option(names = "--theta", required = true, paramLabel = "T.npy", description = "Slice direction theta [d] or [P, d].")
    Path theta;

    @Mixin
    KernelChoice kernel;

    @Option(names = "--key-lengths", paramLabel = "L.npy",
            description = "Ragged batch: problem p uses only keys 0..L[p]-1 (P integers, int32/int64 or integral floats); "
                    + "the rows beyond are padding and touch no result.")
    Path keyLengths;

    @Option(names = "--query-lengths", paramLabel = "M.npy",
            description = "Ragged batch: problem p computes only queries 0..M[p]-1; the rows beyond output 0.")
    Path queryLengths;

    @Option(names = "--out", required = true, paramLabel = "O.npy", description = "Output file (float32 .npy).")
    Path out;

    @Option(names = "--backend", paramLabel = "NAME", description = "Backend (default: ${DEFAULT-VALUE}, the one this machine's "
            + "calibration predicts fastest for the call; split:A,B divides the problems among several at once).")
    String backend = SlicedAttention.AUTO;

    @Option(names = "--force", description = "Replace --out if it exists.")
    boolean force;

    @Mixin
    SpotCheckOption spotCheck;

    private final Console console;

    AttendCommand(Console console) {
        this.console = console;
    }

    @Override
    public Integer call() {
        OutputFile.check(out, force);
        long start = System.nanoTime();
        Tensor[] inputs = TensorFiles.readAll(q, k, v, theta);
        Tensor queries = inputs[0], keys = inputs[1], values = inputs[2], direction = inputs[3];
        AttentionOptions chosen = kernel.forFiles();
        if (keyLengths != null) {
            chosen = chosen.withKeyLengths(Npy.readIntegers(keyLengths));
        }
        if (queryLengths != null) {
            chosen = chosen.withQueryLengths(Npy.readIntegers(queryLengths));
        }
        // Shapes, options against shapes, and finiteness, before a device is opened; checked once.
        AttentionOptions options = chosen;
        TensorBatch batch = TensorBatch.of(queries, keys, values, direction, options);
        long read = System.nanoTime();
        try (Backend opened = spotCheck.apply(CalibrationProgress.open(backend, console, this.options))) {
            long opening = System.nanoTime();
            ForwardResult result = opened.run(batch);
            long computed = System.nanoTime();
            Tensor output = result.output();              // [m, e] for one problem given without the P axis
            output.writeNpy(out);
            long written = System.nanoTime();
            console.err().printf("attend: %s%s kernel on %s (%s), output %s -> %s%n"
                            + "  read and check %.0f ms, open %.0f ms, forward %.0f ms (stages %.0f ms), write %.0f ms%n",
                    options.isCausal() ? "causal " : "", options.kernel(),
                    opened.info().name(), opened.info().deviceName(), output.shapeText(), out,
                    (read - start) / 1e6, (opening - read) / 1e6, (computed - opening) / 1e6,
                    result.times().totalNanos() / 1e6, (written - computed) / 1e6);
        }
        return ExitCode.OK;
    }
}
