package dev.slicedattention.tornado.coalescing;

import dev.slicedattention.tornado.kernels.LayerKernels;
import java.util.SplittableRandom;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The attention layer's front (LayerFront): the dense graph (q, k, v by the tiled product, RoPE in the
 * authors' layout, heads in mask order, the value scales) and the learned MLP projection to the
 * scalars, with LayerFront's sizes and work-group tiles. One item of T tokens, H heads of d = 64.
 */
public final class LayerScenario {
    public static final int TOKENS = 256;
    public static final int HEADS = 4;
    public static final int MID = 64;

    public void run(Launcher launcher, long seed) {
        int items = 1, tokens = TOKENS, heads = HEADS, d = ForwardScenario.D, hidden = heads * d, rows = items * tokens, mid = MID;
        int problems = items * heads;
        int paddedN = tokens;
        int chunks = (tokens + LayerKernels.SCALE_CHUNK - 1) / LayerKernels.SCALE_CHUNK;
        SplittableRandom random = new SplittableRandom(seed);
        FloatArray x = launcher.name(ForwardScenario.randoms(rows * hidden, random), "x");
        IntArray order = launcher.name(new IntArray(rows), "order");
        // The mask order: a permutation of the tokens.
        java.util.List<Integer> positions = new java.util.ArrayList<>(java.util.stream.IntStream.range(0, tokens).boxed().toList());
        java.util.Collections.shuffle(positions, new java.util.Random(seed));
        for (int i = 0; i < rows; i++) {
            order.set(i, positions.get(i));
        }
        FloatArray w = launcher.name(ForwardScenario.randoms(hidden * hidden, random), "w");
        FloatArray bias = launcher.name(ForwardScenario.randoms(hidden, random), "bias");
        FloatArray cos = launcher.name(ForwardScenario.randoms(tokens * d / 2, random), "cos");
        FloatArray sin = launcher.name(ForwardScenario.randoms(tokens * d / 2, random), "sin");
        FloatArray raw = launcher.name(new FloatArray(rows * hidden), "qRaw");
        FloatArray qIn = launcher.name(new FloatArray(rows * hidden), "qIn");
        FloatArray v = launcher.name(new FloatArray(rows * hidden), "v");
        IntArray lengths = launcher.name(new IntArray(2 * problems), "lengths");
        for (int i = 0; i < 2 * problems; i++) {
            lengths.set(i, tokens);
        }
        FloatArray factors = launcher.name(new FloatArray(3 * problems), "factors");
        FloatArray partials = launcher.name(new FloatArray(problems * chunks), "partials");
        FloatArray pw = launcher.name(ForwardScenario.randoms(mid * hidden, random), "pw");
        FloatArray pb = launcher.name(ForwardScenario.randoms(mid, random), "pb");
        FloatArray pw2 = launcher.name(ForwardScenario.randoms(heads * mid, random), "pw2");
        FloatArray pb2 = launcher.name(ForwardScenario.randoms(heads, random), "pb2");
        FloatArray qMid = launcher.name(new FloatArray(rows * mid), "qMid");
        FloatArray sq = launcher.name(new FloatArray(rows * heads), "sq");
        FloatArray s = launcher.name(new FloatArray(rows * heads), "s");
        FloatArray keys = launcher.name(new FloatArray(problems * paddedN), "keys");
        IntArray index = launcher.name(new IntArray(problems * paddedN), "index");

        String stage = "layer";
        linear(launcher, x, w, bias, raw, rows, hidden, hidden);
        launcher.parallel(stage, LayerKernels.class, "rotaryLayout", raw, cos, sin, qIn, tokens, heads, d, 1, 1);
        launcher.parallel(stage, LayerKernels.class, "splitHeads", raw, order, v, tokens, heads, d);
        launcher.parallel(stage, LayerKernels.class, "valueScalePartials", v, lengths, partials, tokens, d, chunks);
        launcher.parallel(stage, LayerKernels.class, "valueScales", partials, factors, chunks);
        linear(launcher, qIn, pw, pb, qMid, rows, hidden, mid);
        launcher.parallel(stage, LayerKernels.class, "gelu", qMid);
        linear(launcher, qMid, pw2, pb2, sq, rows, mid, heads);
        launcher.parallel(stage, LayerKernels.class, "problemScalars", sq, order, s, tokens, heads);
        launcher.parallel(stage, LayerKernels.class, "problemKeys", sq, order, lengths, keys, index, tokens, heads, paddedN);
    }

    /** LayerFront.tiles: ⌈outs/TILE⌉·TILE × ⌈rows/TILE⌉·TILE work-items in TILE × TILE groups. */
    private static void linear(Launcher launcher, FloatArray in, FloatArray w, FloatArray bias, FloatArray out, int rows, int inputs,
                               int outs) {
        int tile = LayerKernels.TILE;
        launcher.context("layer", LayerKernels.class, "linear", (outs + tile - 1) / tile * tile, (rows + tile - 1) / tile * tile, tile,
                tile, Launcher.anyContext(), in, w, bias, out, rows, inputs, outs);
    }
}
