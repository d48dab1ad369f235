package dev.slicedattention.validation;

/** The dimensions of a batched problem: P heads, m queries, n keys, key dimension d, value dimension e. */
public record Shape(int heads, int m, int n, int d, int e) {
    public Shape {
        if (heads < 1 || m < 1 || n < 1 || d < 1 || e < 1) {
            // Not "+ this": in a compact constructor the fields are still 0.
            throw new IllegalArgumentException("every dimension must be at least 1: P=" + heads + " m=" + m
                    + " n=" + n + " d=" + d + " e=" + e);
        }
    }

    /** One head with m = n (self-attention shape). */
    public static Shape square(int n, int d, int e) {
        return new Shape(1, n, n, d, e);
    }

    @Override
    public String toString() {
        return "P=" + heads + " m=" + m + " n=" + n + " d=" + d + " e=" + e;
    }
}
