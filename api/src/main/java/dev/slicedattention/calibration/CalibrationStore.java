package dev.slicedattention.calibration;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.slicedattention.io.AtomicFiles;
import dev.slicedattention.jvm.JvmHost;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Where calibrations live: one JSON file per project version and machine,
 * {@code calibration-<version>-<machine hash>.json} in {@code $XDG_CACHE_HOME/sliced-attention/}
 * (default {@code ~/.cache/sliced-attention/}; the system property {@value #FOLDER_PROPERTY} overrides
 * it). Written to a temporary file in the same folder and moved over the old one atomically, so that a
 * reader never sees half a file and two writers at once leave one whole calibration, the last one's.
 */
public final class CalibrationStore {
    /** The system property naming the folder (tests, read-only homes). */
    public static final String FOLDER_PROPERTY = "sliced.attention.cache";

    private static final ObjectMapper JSON = new ObjectMapper()
            .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .setVisibility(PropertyAccessor.CREATOR, JsonAutoDetect.Visibility.ANY)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Path folder;

    public CalibrationStore(Path folder) {
        this.folder = folder;
    }

    /** The store of this user: {@value #FOLDER_PROPERTY}, else {@code $XDG_CACHE_HOME/sliced-attention}, else {@code ~/.cache/sliced-attention}. */
    public static CalibrationStore standard() {
        String configured = System.getProperty(FOLDER_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return new CalibrationStore(Path.of(configured));
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return new CalibrationStore(cache.resolve("sliced-attention"));
    }

    public Path folder() {
        return folder;
    }

    /** The file of this project version on this machine. */
    public Path file() {
        return file(version(), machine());
    }

    Path file(String version, String machine) {
        return folder.resolve("calibration-" + version + "-" + shortHash(machine) + ".json");
    }

    /** The project version, from the jar ({@code unknown} when run from classes without it). */
    public static String version() {
        try (InputStream in = CalibrationStore.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                String version = properties.getProperty("version", "").trim();
                if (!version.isEmpty() && !version.startsWith("${")) {
                    return version;
                }
            }
        } catch (IOException ignored) {
            // fall through
        }
        return "unknown";
    }

    /**
     * This machine as the calibration sees it: the processor, the cores this JVM may use, the operating
     * system and the JDK (a different JIT runs the JVM backends at another speed).
     */
    public static String machine() {
        return JvmHost.cpuName() + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", JDK " + System.getProperty("java.version");
    }

    /** What was found at {@link #file()} for the given version, machine and backends. */
    public sealed interface Loaded {
        /** No file. */
        record Missing(Path file) implements Loaded {}

        /** A whole calibration, but of another version, machine or set of backends. */
        record Stale(Path file, String reason) implements Loaded {}

        /** A file that is not a calibration (truncated, edited, another format): never used. */
        record Corrupt(Path file, String reason) implements Loaded {}

        record Valid(Path file, Calibration calibration) implements Loaded {}
    }

    /** Reads and checks the calibration of this version and machine against the backends available now. */
    public Loaded load(List<String> backends) {
        return load(version(), machine(), backends);
    }

    Loaded load(String version, String machine, List<String> backends) {
        Path file = file(version, machine);
        if (!Files.exists(file)) {
            return new Loaded.Missing(file);
        }
        Calibration calibration;
        try {
            calibration = JSON.readValue(Files.readString(file, StandardCharsets.UTF_8), Calibration.class);
        } catch (IOException | RuntimeException unreadable) {
            String reason = unreadable.getMessage() == null ? unreadable.getClass().getSimpleName() : unreadable.getMessage();
            return new Loaded.Corrupt(file, "not a calibration file (" + firstLine(reason) + ")");
        }
        String problem = problem(calibration);
        if (problem != null) {
            return new Loaded.Corrupt(file, problem);
        }
        if (!calibration.version().equals(version)) {
            return new Loaded.Stale(file, "measured by version " + calibration.version() + ", this is " + version);
        }
        if (!calibration.machine().equals(machine)) {
            return new Loaded.Stale(file, "measured on " + calibration.machine());
        }
        if (!calibration.backends().equals(backends)) {
            return new Loaded.Stale(file, "measured with backends " + calibration.backends() + ", available now " + backends);
        }
        return new Loaded.Valid(file, calibration);
    }

    /** Why a parsed file cannot be used, or null when every field is there and every model valid. */
    private static String problem(Calibration c) {
        if (c == null) {
            return "the file is empty";
        }
        if (c.format() != Calibration.FORMAT) {
            return "format " + c.format() + ", expected " + Calibration.FORMAT;
        }
        if (c.version() == null || c.machine() == null || c.backends() == null || c.models() == null || c.created() == null) {
            return "a field is missing (version, machine, created, backends or models)";
        }
        for (Map.Entry<String, Map<String, Calibration.Fit>> backend : c.models().entrySet()) {
            if (!c.backends().contains(backend.getKey()) || backend.getValue() == null) {
                return "a model for '" + backend.getKey() + "', which is not among its backends";
            }
            for (Map.Entry<String, Calibration.Fit> mode : backend.getValue().entrySet()) {
                Calibration.Fit fit = mode.getValue();
                if (fit == null || fit.model() == null || !fit.model().isValid() || fit.points() == null || fit.points().isEmpty()) {
                    return "the model of " + backend.getKey() + " " + mode.getKey() + " is missing or not finite and >= 0";
                }
            }
        }
        return null;
    }

    /** Writes {@code calibration} as this version's and machine's, atomically. */
    public Path write(Calibration calibration) {
        Path target = file(calibration.version(), calibration.machine());
        try {
            AtomicFiles.writeString(target, JSON.writeValueAsString(calibration));
        } catch (IOException failed) {
            throw new UncheckedIOException("cannot write the calibration to " + target + ": " + failed.getMessage()
                    + " (set XDG_CACHE_HOME or -D" + FOLDER_PROPERTY + " to a writable folder)", failed);
        }
        return target;
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
