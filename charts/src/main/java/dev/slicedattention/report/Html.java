package dev.slicedattention.report;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Number formatting and relative links for the report's templates (which escape what they print:
 * see {@link Pages}).
 */
public final class Html {
    private Html() {}

    /**
     * A relative URL for a relative file path ('/'-separated segments, each percent-encoded). The
     * templates escape it for the attribute it goes into.
     */
    public static String href(String relativePath) {
        String[] segments = relativePath.replace('\\', '/').split("/", -1);
        StringBuilder url = new StringBuilder();
        for (int i = 0; i < segments.length; i++) {
            if (i > 0) {
                url.append('/');
            }
            url.append(URLEncoder.encode(segments[i], StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return url.toString();
    }

    /** A number with a fixed count of decimals ("1.50"). */
    public static String fixed(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** Milliseconds with three significant digits ("0.0123", "1.23", "123", "12345"). */
    public static String millis(double ms) {
        if (!Double.isFinite(ms)) {
            return "–";
        }
        double abs = Math.abs(ms);
        if (abs == 0) {
            return "0";
        }
        if (abs >= 100) {
            return String.format(Locale.ROOT, "%.0f", ms);
        }
        if (abs >= 10) {
            return String.format(Locale.ROOT, "%.1f", ms);
        }
        if (abs >= 1) {
            return String.format(Locale.ROOT, "%.2f", ms);
        }
        if (abs >= 0.001) {
            return String.format(Locale.ROOT, "%.3g", ms);
        }
        return String.format(Locale.ROOT, "%.2e", ms);
    }

    /** A number in E-notation with three significant digits ("1.23e-07"). */
    public static String sci(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.2e", value) : "–";
    }

    /** A factor such as a speedup ("12.3×"). */
    public static String factor(double value) {
        if (!Double.isFinite(value)) {
            return "–";
        }
        return (Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%.2f", value)) + "×";
    }

    /** A fraction as a percentage ("42.0 %"). */
    public static String percent(double fraction) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.1f %%", 100 * fraction) : "–";
    }

    /** Bytes per second in GB/s (10^9). */
    public static String gbPerSecond(double bytesPerSecond) {
        return Double.isFinite(bytesPerSecond) ? String.format(Locale.ROOT, "%.1f GB/s", bytesPerSecond / 1e9) : "–";
    }

    /** A byte count in GiB. */
    public static String gib(long bytes) {
        if (bytes <= 0) {
            return "–";
        }
        double gib = bytes / (1024.0 * 1024 * 1024);
        return String.format(Locale.ROOT, gib >= 10 ? "%.0f GiB" : "%.1f GiB", gib);
    }

    /** Queries per second, compactly ("1.23 M/s"). */
    public static String rate(double perSecond) {
        if (!Double.isFinite(perSecond) || perSecond <= 0) {
            return "–";
        }
        if (perSecond >= 1e9) {
            return String.format(Locale.ROOT, "%.2f G/s", perSecond / 1e9);
        }
        if (perSecond >= 1e6) {
            return String.format(Locale.ROOT, "%.2f M/s", perSecond / 1e6);
        }
        if (perSecond >= 1e3) {
            return String.format(Locale.ROOT, "%.2f k/s", perSecond / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f /s", perSecond);
    }
}
