package dev.slicedattention.host;

import dev.slicedattention.Backend;
import dev.slicedattention.Layer;
import dev.slicedattention.SlicedAttention;
import dev.slicedattention.Tensor;
import dev.slicedattention.error.InvalidInputException;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.projection.HeadLayout;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "layer", mixinStandardHelpOptions = true,
        description = "A trained sliced-attention layer (the authors' SlicedReLUSelfAttention or SlicedReLUBumpSelfAttention) "
                + "from its state_dict: hidden states X [B,T,hidden] in, the module's output [B,T,hidden] out (float32 .npy).",
        footer = {"%nExamples:",
                "  scripts/sliced-attention layer --x x.npy --weights attn.safetensors --heads 4 --out o.npy",
                "  scripts/sliced-attention layer --kernel bump --rope --mask mask.npy --x x.npy --weights attn.npz --heads 4 --out o.npy",
                "  scripts/sliced-attention layer --authors-head-layout ...   (a model trained with the authors' code, H > 1)",
                ExitCode.FOOTER})
final class LayerCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions options;

    @Option(names = "--x", required = true, paramLabel = "X.npy", description = "Hidden states [B, T, hidden].")
    Path x;

    @Option(names = "--weights", required = true, paramLabel = "W",
            description = "The module's state_dict as .safetensors (F32, F64, F16, BF16) or .npz, under PyTorch's key names.")
    Path weights;

    @Option(names = "--heads", required = true, paramLabel = "H", description = "Attention heads (hidden = H x d).")
    int heads;

    @Option(names = "--kernel", paramLabel = "relu|bump",
            description = "relu (SlicedReLUSelfAttention: MLP projection, the default) or bump (SlicedReLUBumpSelfAttention: "
                    + "linear projection, bandwidths from log_bandwidth).")
    String kernel = "relu";

    @Option(names = "--rope", description = "Rotary embedding on q and k, as the modules' use_rope=True.")
    boolean rope;

    @Option(names = "--causal", description = "Causal attention: token t attends to tokens at positions <= t (not in the authors' modules).")
    boolean causal;

    @Option(names = "--mask", paramLabel = "M.npy", description = "Padding mask [B, T]: 1 for tokens, 0 for padding (excluded as keys, output 0).")
    Path mask;

    @Option(names = "--authors-head-layout",
            description = "Feed the projection the authors' token vectors for H > 1 (q.reshape(B, T, -1) of [B, H, T, d]), "
                    + "as a model trained with their code expects; default: each token's own H*d vector.")
    boolean authorsHeadLayout;

    @Option(names = "--out", required = true, paramLabel = "O.npy", description = "Output file (float32 .npy, [B, T, hidden]).")
    Path out;

    @Option(names = "--backend", paramLabel = "NAME", description = "Backend of the kernel stage (default: ${DEFAULT-VALUE}, the one "
            + "this machine's calibration predicts fastest for the call).")
    String backend = SlicedAttention.AUTO;

    @Option(names = "--force", description = "Replace --out if it exists.")
    boolean force;

    @Mixin
    SpotCheckOption spotCheck;

    private final Console console;

    LayerCommand(Console console) {
        this.console = console;
    }

    @Override
    public Integer call() {
        OutputFile.check(out, force);
        if (heads < 1) {
            throw new InvalidInputException("--heads must be at least 1, got " + heads);
        }
        Layer layer = Layer.read(weights, heads, Kernel.parse(kernel)).withRope(rope).withCausal(causal)
                .withHeadLayout(authorsHeadLayout ? HeadLayout.AUTHORS : HeadLayout.INTENDED);
        Tensor hidden = Tensor.readNpy(x);
        Tensor padding = mask == null ? null : Tensor.readNpy(mask);
        try (Backend opened = spotCheck.apply(CalibrationProgress.open(backend, console, this.options))) {
            Layer.Result result = layer.forward(opened, hidden, padding);
            result.output().writeNpy(out);
            console.err().printf("layer: %s%s kernel, %d heads%s on %s (%s), output %s -> %s (dense %.1f ms, projection %.1f ms, "
                            + "kernel %.1f ms)%n", causal ? "causal " : "", layer.weights().kernel(), heads, rope ? " with RoPE" : "",
                    opened.info().name(), opened.info().deviceName(), result.output().shapeText(), out,
                    result.denseNanos() / 1e6, result.projectionNanos() / 1e6, result.kernel().totalNanos() / 1e6);
        }
        return ExitCode.OK;
    }
}
