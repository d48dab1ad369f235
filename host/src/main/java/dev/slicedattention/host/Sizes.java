package dev.slicedattention.host;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses a size list: {@code 1024,4096}, powers as {@code 2^10}, ranges of powers as {@code 2^10..2^20}. */
final class Sizes implements ITypeConverter<List<Integer>> {
    @Override
    public List<Integer> convert(String text) {
        List<Integer> sizes = new ArrayList<>();
        for (String part : text.split(",")) {
            String item = part.trim();
            if (item.isEmpty()) {
                continue;
            }
            int range = item.indexOf("..");
            if (range >= 0) {
                int from = exponent(item.substring(0, range), text);
                int to = exponent(item.substring(range + 2), text);
                for (int k = from; k <= to; k++) {
                    sizes.add(1 << k);
                }
            } else {
                sizes.add(parse(item, text));
            }
        }
        if (sizes.isEmpty()) {
            throw new TypeConversionException("no sizes in '" + text + "'");
        }
        return sizes;
    }

    static int parse(String item, String whole) {
        long value;
        try {
            if (item.startsWith("2^")) {
                int k = Integer.parseInt(item.substring(2));
                if (k < 0 || k > 30) {
                    throw new TypeConversionException("size " + item + " in '" + whole + "' is out of range: use 2^0..2^30");
                }
                value = 1L << k;
            } else {
                value = Long.parseLong(item);
            }
        } catch (NumberFormatException notANumber) {
            throw new TypeConversionException("'" + item + "' in '" + whole + "' is not a size: write 4096 or 2^12");
        }
        if (value < 1 || value > Integer.MAX_VALUE) {
            throw new TypeConversionException("size " + item + " must be at least 1 (n = 0 has no keys to attend to)");
        }
        return (int) value;
    }

    private static int exponent(String item, String whole) {
        int size = parse(item.trim(), whole);
        if (Integer.bitCount(size) != 1) {
            throw new TypeConversionException("a range '" + whole + "' must go between powers of two, like 2^10..2^16");
        }
        return Integer.numberOfTrailingZeros(size);
    }
}
