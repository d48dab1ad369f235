package dev.slicedattention.validation.npy;

import java.nio.ByteOrder;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code .npy} header's {@code 'descr'} for a plain number type with an explicit byte order, as
 * NumPy writes it: {@code '<f4'} is little-endian float32, {@code '>f2'} big-endian float16,
 * {@code '<i8'} little-endian int64.
 *
 * @param descr the text as the header has it
 * @param kind  NumPy's kind letter: 'f' float, 'i' signed integer, 'u' unsigned, 'c' complex, ...
 * @param size  bytes per value
 * @param order the values' byte order
 */
record NpyDtype(String descr, char kind, int size, ByteOrder order) {
    private static final Pattern FORM = Pattern.compile("([<>])([a-zA-Z])(\\d{1,2})");

    /**
     * The dtype {@code descr} names; empty for one without a byte order ('|u1', '|b1', '|O': one-byte
     * and object types) or not of the form order-kind-size (strings such as '<U5' are of the form and
     * come back with kind 'U').
     */
    static Optional<NpyDtype> parse(String descr) {
        Matcher form = FORM.matcher(descr);
        if (!form.matches()) {
            return Optional.empty();
        }
        ByteOrder order = form.group(1).equals("<") ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        return Optional.of(new NpyDtype(descr, form.group(2).charAt(0), Integer.parseInt(form.group(3)), order));
    }

    /** float16, float32 or float64: what is read as float32 values. */
    boolean isFloat() {
        return kind == 'f' && (size == 2 || size == 4 || size == 8);
    }

    /** int32 or int64. */
    boolean isInteger() {
        return kind == 'i' && (size == 4 || size == 8);
    }

    /** Little-endian float32, the layout read in place ({@link Npy#map}). */
    boolean isLittleFloat32() {
        return kind == 'f' && size == 4 && order == ByteOrder.LITTLE_ENDIAN;
    }
}
