package dev.slicedattention.validation.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slicedattention.error.InvalidInputException;
import dev.slicedattention.error.NpyFormatException;
import dev.slicedattention.validation.FiniteCheck;
import dev.slicedattention.validation.npy.Npy;
import dev.slicedattention.validation.npy.NpyArray;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * A PyTorch {@code state_dict} saved as {@code .safetensors} or {@code .npz} (SPEC §8), read
 * without Python: every tensor by its own key ({@code query.weight}, {@code proj_layer.0.bias}, …),
 * converted to float32 from F32, F64, F16 or BF16 (npz: float32, float64, float16).
 *
 * <p>Tensors of other dtypes are kept by name and refused only when asked for, so that extra keys of
 * any kind (a step counter, a buffer) do not stop a file from loading. A missing key, a wrong shape,
 * a non-float dtype or a non-finite value is refused naming the file and the key.
 */
public final class WeightsFile {
    private final String name;
    private final Map<String, NpyArray> floats;
    private final Map<String, String> otherDtypes;

    private WeightsFile(String name, Map<String, NpyArray> floats, Map<String, String> otherDtypes) {
        this.name = name;
        this.floats = floats;
        this.otherDtypes = otherDtypes;
    }

    /** Reads a {@code .safetensors} or {@code .npz} file, chosen by its extension. */
    public static WeightsFile read(Path file) {
        String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException missing) {
            throw new NpyFormatException(file + ": no such file; check the path");
        } catch (IOException failure) {
            throw new NpyFormatException(file + ": cannot be read (" + failure.getMessage() + ")", failure);
        }
        if (lower.endsWith(".safetensors")) {
            return safetensors(file.toString(), bytes);
        }
        if (lower.endsWith(".npz")) {
            return npz(file.toString(), bytes);
        }
        throw new NpyFormatException(file + ": weights must be a .safetensors or .npz file (a PyTorch state_dict)");
    }

    /** The keys of float tensors in the file. */
    public Set<String> keys() {
        return floats.keySet();
    }

    public boolean has(String key) {
        return floats.containsKey(key) || otherDtypes.containsKey(key);
    }

    /** The float32 values of {@code key}, checked against {@code shape} and for finiteness. */
    public float[] floats(String key, int... shape) {
        NpyArray array = floats.get(key);
        if (array == null) {
            String dtype = otherDtypes.get(key);
            if (dtype != null) {
                throw new InvalidInputException(name + ": " + key + " has dtype " + dtype + "; weights must be float "
                        + "(F32, F64, F16 or BF16)");
            }
            throw new InvalidInputException(name + ": " + key + " is missing (the file holds: "
                    + String.join(", ", floats.keySet()) + ")");
        }
        if (!Arrays.equals(array.shape(), shape)) {
            throw new InvalidInputException(name + ": " + key + " has shape " + Npy.shapeText(array.shape())
                    + ", expected " + Npy.shapeText(shape));
        }
        FiniteCheck.requireFinite(name + ": " + key, array.data(), shape);
        return array.data();
    }

    /** The shape of {@code key}, or null when absent. */
    public int[] shape(String key) {
        NpyArray array = floats.get(key);
        return array == null ? null : array.shape();
    }

    private static WeightsFile safetensors(String name, byte[] bytes) {
        if (bytes.length < 8) {
            throw new NpyFormatException(name + ": not a .safetensors file (shorter than its 8-byte header length)");
        }
        ByteBuffer little = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = little.getLong(0);
        if (headerLength <= 0 || headerLength > bytes.length - 8) {
            throw new NpyFormatException(name + ": not a .safetensors file (header length " + headerLength + ")");
        }
        JsonNode header;
        try {
            header = new ObjectMapper().readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
        } catch (IOException malformed) {
            throw new NpyFormatException(name + ": malformed .safetensors header (" + malformed.getMessage() + ")");
        }
        long dataStart = 8 + headerLength;
        Map<String, NpyArray> floats = new LinkedHashMap<>();
        Map<String, String> others = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String key = entry.getKey();
            if (key.equals("__metadata__")) {
                continue;
            }
            JsonNode info = entry.getValue();
            String dtype = info.path("dtype").asText("");
            int[] shape = new int[info.path("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = info.path("shape").get(i).asInt();
            }
            long begin = info.path("data_offsets").path(0).asLong(-1);
            long end = info.path("data_offsets").path(1).asLong(-1);
            int itemSize = switch (dtype) {
                case "F32" -> 4;
                case "F64" -> 8;
                case "F16", "BF16" -> 2;
                default -> 0;
            };
            if (itemSize == 0) {
                others.put(key, dtype);
                continue;
            }
            long count = 1;
            for (int size : shape) {
                count *= size;
            }
            if (begin < 0 || end < begin || dataStart + end > bytes.length || end - begin != count * itemSize) {
                throw new NpyFormatException(name + ": " + key + ": data offsets [" + begin + ", " + end
                        + ") do not fit its shape " + Npy.shapeText(shape) + " of " + dtype + " or the file");
            }
            float[] data = new float[(int) count];
            int at = (int) (dataStart + begin);
            for (int i = 0; i < data.length; i++) {
                data[i] = switch (dtype) {
                    case "F32" -> little.getFloat(at + 4 * i);
                    case "F64" -> narrow(name, key, little.getDouble(at + 8 * i));
                    case "F16" -> Float.float16ToFloat(little.getShort(at + 2 * i));
                    // bfloat16 is the high half of a float32.
                    default -> Float.intBitsToFloat((little.getShort(at + 2 * i) & 0xffff) << 16);
                };
            }
            floats.put(key, new NpyArray(shape, data, dtype));
        }
        return new WeightsFile(name, floats, others);
    }

    private static float narrow(String name, String key, double value) {
        float narrowed = (float) value;
        if (Double.isFinite(value) && Float.isInfinite(narrowed)) {
            throw new InvalidInputException(name + ": " + key + " holds " + value + ", outside float32's range");
        }
        return narrowed;
    }

    private static WeightsFile npz(String name, byte[] bytes) {
        Map<String, NpyArray> floats = new LinkedHashMap<>();
        Map<String, String> others = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            ZipEntry entry;
            boolean any = false;
            while ((entry = zip.getNextEntry()) != null) {
                any = true;
                String file = entry.getName();
                if (!file.endsWith(".npy")) {
                    continue;
                }
                String key = file.substring(0, file.length() - 4);
                byte[] content = zip.readAllBytes();
                try {
                    floats.put(key, Npy.parse(name + ": " + key, content));
                } catch (NpyFormatException notFloat) {
                    if (!notFloat.getMessage().contains("dtype")) {
                        throw notFloat;
                    }
                    others.put(key, dtypeOf(content));
                }
            }
            if (!any) {
                throw new NpyFormatException(name + ": not an .npz file (no zip entries)");
            }
        } catch (ZipException notZip) {
            throw new NpyFormatException(name + ": not an .npz file (" + notZip.getMessage() + ")");
        } catch (IOException failure) {
            throw new NpyFormatException(name + ": cannot be read (" + failure.getMessage() + ")", failure);
        }
        return new WeightsFile(name, floats, others);
    }

    private static String dtypeOf(byte[] npy) {
        String text = new String(npy, 0, Math.min(npy.length, 200), StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher descr = java.util.regex.Pattern.compile("'descr'\\s*:\\s*'([^']*)'").matcher(text);
        return descr.find() ? descr.group(1) : "unknown";
    }
}
