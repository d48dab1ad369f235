package dev.slicedattention.validation;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;

/**
 * Seeded, reproducible inputs (Q, K, V, θ) for every kind of data the operator must survive. The
 * same generator, shape and seed always give the same batch, on every machine.
 */
public enum InputGenerator {
    /** Standard normal Q, K, V and θ. */
    GAUSSIAN("standard normal") {
        @Override
        void fill(Shape shape, SplittableRandom random, float[] q, float[] k, float[] v, float[] theta) {
            gaussian(random, q, 1.0);
            gaussian(random, k, 1.0);
            gaussian(random, v, 1.0);
            gaussian(random, theta, 1.0);
        }
    },
    /** Q and K share an offset of 1e3 in every coordinate: the case that breaks unshifted float32 sums. */
    SHARED_OFFSET("Q and K offset by 1e3") {
        @Override
        void fill(Shape shape, SplittableRandom random, float[] q, float[] k, float[] v, float[] theta) {
            GAUSSIAN.fill(shape, random, q, k, v, theta);
            offset(q, 1e3f);
            offset(k, 1e3f);
        }
    },
    /** Every tensor scaled by 1e6. */
    LARGE_SCALE("all tensors scaled by 1e6") {
        @Override
        void fill(Shape shape, SplittableRandom random, float[] q, float[] k, float[] v, float[] theta) {
            gaussian(random, q, 1e6);
            gaussian(random, k, 1e6);
            gaussian(random, v, 1e6);
            gaussian(random, theta, 1e6);
        }
    },
    /** Every tensor scaled by 1e-6. */
    TINY_SCALE("all tensors scaled by 1e-6") {
        @Override
        void fill(Shape shape, SplittableRandom random, float[] q, float[] k, float[] v, float[] theta) {
            gaussian(random, q, 1e-6);
            gaussian(random, k, 1e-6);
            gaussian(random, v, 1e-6);
            gaussian(random, theta, 1e-6);
        }
    },
    /** Student-t with 2 degrees of freedom (infinite variance): rare values hundreds of times the typical one. */
    HEAVY_TAILED("Student-t, 2 degrees of freedom") {
        @Override
        void fill(Shape shape, SplittableRandom random, float[] q, float[] k, float[] v, float[] theta) {
            studentT(random, q);
            studentT(random, k);
            studentT(random, v);
            gaussian(random, theta, 1.0);
        }
    },
    /** Keys drawn from four distinct rows, and half the queries equal to one of them: many exact ties s_i = t_j. */
    MANY_TIES("keys from 4 distinct rows; half the queries equal a key row") {
        @Override
        void fill(Shape shape, SplittableRandom random, float[] q, float[] k, float[] v, float[] theta) {
            GAUSSIAN.fill(shape, random, q, k, v, theta);
            int d = shape.d();
            for (int p = 0; p < shape.heads(); p++) {
                float[] pool = new float[4 * d];
                gaussian(random, pool, 1.0);
                for (int j = 0; j < shape.n(); j++) {
                    System.arraycopy(pool, random.nextInt(4) * d, k, (p * shape.n() + j) * d, d);
                }
                for (int i = 0; i < shape.m(); i += 2) {
                    System.arraycopy(pool, random.nextInt(4) * d, q, (p * shape.m() + i) * d, d);
                }
            }
        }
    },
    /** Every key row identical; the first query equals it too, so its denominator is exactly 0. */
    ALL_KEYS_EQUAL("all key rows identical; query 0 equals them") {
        @Override
        void fill(Shape shape, SplittableRandom random, float[] q, float[] k, float[] v, float[] theta) {
            GAUSSIAN.fill(shape, random, q, k, v, theta);
            int d = shape.d();
            for (int p = 0; p < shape.heads(); p++) {
                int first = p * shape.n() * d;
                for (int j = 1; j < shape.n(); j++) {
                    System.arraycopy(k, first, k, first + j * d, d);
                }
                System.arraycopy(k, first, q, p * shape.m() * d, d);
            }
        }
    },
    /** Key rows (with their values) reordered so that the projected keys t are already ascending. */
    KEYS_SORTED("keys already in ascending projected order") {
        @Override
        void fill(Shape shape, SplittableRandom random, float[] q, float[] k, float[] v, float[] theta) {
            GAUSSIAN.fill(shape, random, q, k, v, theta);
            orderKeys(shape, k, v, theta, false);
        }
    },
    /** Key rows reordered so that the projected keys t are descending: the worst case for many sorts. */
    KEYS_REVERSED("keys in descending projected order") {
        @Override
        void fill(Shape shape, SplittableRandom random, float[] q, float[] k, float[] v, float[] theta) {
            GAUSSIAN.fill(shape, random, q, k, v, theta);
            orderKeys(shape, k, v, theta, true);
        }
    };

    private final String description;

    InputGenerator(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    /** The batch for this generator, shape and seed. */
    public AttentionBatch generate(Shape shape, long seed) {
        SplittableRandom random = new SplittableRandom(seed ^ ((long) ordinal() << 48));
        float[] q = new float[shape.heads() * shape.m() * shape.d()];
        float[] k = new float[shape.heads() * shape.n() * shape.d()];
        float[] v = new float[shape.heads() * shape.n() * shape.e()];
        float[] theta = new float[shape.heads() * shape.d()];
        fill(shape, random, q, k, v, theta);
        return new AttentionBatch(shape.heads(), shape.m(), shape.n(), shape.d(), shape.e(), q, k, v, theta);
    }

    abstract void fill(Shape shape, SplittableRandom random, float[] q, float[] k, float[] v, float[] theta);

    /** Parses a generator name as users type it: case-insensitive, '-' or '_'. */
    public static InputGenerator parse(String name) {
        String normalised = name.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        for (InputGenerator generator : values()) {
            if (generator.name().equals(normalised)) {
                return generator;
            }
        }
        throw new IllegalArgumentException("unknown generator '" + name + "'; known: " + names());
    }

    /** The generator names in the form {@link #parse} accepts, comma-separated. */
    public static String names() {
        StringBuilder text = new StringBuilder();
        for (InputGenerator generator : values()) {
            if (text.length() > 0) {
                text.append(", ");
            }
            text.append(generator.cliName());
        }
        return text.toString();
    }

    /** The name on the command line: lower case with '-'. */
    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    private static void gaussian(SplittableRandom random, float[] data, double scale) {
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (random.nextGaussian() * scale);
        }
    }

    private static void offset(float[] data, float offset) {
        for (int i = 0; i < data.length; i++) {
            data[i] += offset;
        }
    }

    private static void studentT(SplittableRandom random, float[] data) {
        for (int i = 0; i < data.length; i++) {
            double a = random.nextGaussian();
            double b = random.nextGaussian();
            double chiSquare2 = a * a + b * b;
            data[i] = (float) (random.nextGaussian() / Math.sqrt(Math.max(chiSquare2, 1e-12) / 2.0));
        }
    }

    /** Reorders the key rows of each head (and the value rows with them) by their float64 projection. */
    private static void orderKeys(Shape shape, float[] k, float[] v, float[] theta, boolean descending) {
        int n = shape.n(), d = shape.d(), e = shape.e();
        for (int p = 0; p < shape.heads(); p++) {
            double[] t = NaiveReference.project(k, p * n, n, theta, p * d, d);
            Integer[] order = new Integer[n];
            Arrays.setAll(order, j -> j);
            Comparator<Integer> byKey = Comparator.comparingDouble(j -> t[j]);
            Arrays.sort(order, descending ? byKey.reversed() : byKey);
            float[] keys = Arrays.copyOfRange(k, p * n * d, (p + 1) * n * d);
            float[] values = Arrays.copyOfRange(v, p * n * e, (p + 1) * n * e);
            for (int j = 0; j < n; j++) {
                System.arraycopy(keys, order[j] * d, k, (p * n + j) * d, d);
                System.arraycopy(values, order[j] * e, v, (p * n + j) * e, e);
            }
        }
    }
}
