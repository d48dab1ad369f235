package dev.slicedattention.validation;

import java.util.SplittableRandom;

/** Random small problems across every hidden-case generator, both kernels, causal and ragged (for the spot check's tests). */
public final class RandomCases {
    private RandomCases() {}

    /** P ≤ 3, n ≤ 70, m ≤ 40 (m = n when causal), d ≤ 9, e ≤ 6; a random generator, kernel, bandwidth, causal flag and, a third of the time, ragged lengths. */
    public static AttentionBatch small(SplittableRandom random) {
        boolean causal = random.nextBoolean();
        int heads = 1 + random.nextInt(3), n = 1 + random.nextInt(70), m = causal ? n : 1 + random.nextInt(40);
        return of(random, new Shape(heads, m, n, 1 + random.nextInt(9), 1 + random.nextInt(6)), causal,
                random.nextBoolean() ? Kernel.RELU : Kernel.BUMP);
    }

    /** Random data, bandwidth and (a third of the time) ragged lengths for a fixed shape, kernel and causal flag. */
    public static AttentionBatch of(SplittableRandom random, Shape shape, boolean causal, Kernel kernel) {
        InputGenerator generator = InputGenerator.values()[random.nextInt(InputGenerator.values().length)];
        AttentionBatch batch = generator.generate(shape, random.nextLong());
        AttentionOptions options = kernel == Kernel.RELU ? AttentionOptions.relu()
                : AttentionOptions.bump((float) Math.exp(random.nextDouble(-3, 3)));
        if (random.nextInt(3) == 0) {
            int heads = shape.heads();
            int[] keys = new int[heads], queries = new int[heads];
            for (int p = 0; p < heads; p++) {
                keys[p] = 1 + random.nextInt(shape.n());
                queries[p] = causal ? keys[p] : 1 + random.nextInt(shape.m());
            }
            options = options.withKeyLengths(keys).withQueryLengths(queries);
        }
        return batch.withOptions(options.causal(causal));
    }
}
