package dev.slicedattention.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes {@code .npy} files in the layouts NumPy writes besides little-endian float32 C order —
 * float16, float64, big-endian, Fortran order — laid out by hand from C-order values, for tests of
 * the commands that read them. (The reader itself is checked against files NumPy wrote, in
 * validation's NpyNumPyFixturesTest.)
 */
final class NumPyLayouts {
    private NumPyLayouts() {}

    /**
     * {@code values} in C order, stored as {@code descr} ('<f2', '>f4', '>f8', ...); in Fortran order
     * when asked, which takes a 2-d shape: the columns one after another.
     */
    static void write(Path file, String descr, boolean fortran, int[] shape, float[] values) throws IOException {
        int size = Integer.parseInt(descr.substring(2));
        ByteBuffer data = ByteBuffer.allocate(size * values.length)
                .order(descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        if (fortran && shape.length != 2) {
            throw new IllegalArgumentException("Fortran order is written for 2-d shapes only");
        }
        for (int at = 0; at < values.length; at++) {
            float value = values[fortran ? (at % shape[0]) * shape[1] + at / shape[0] : at];
            switch (size) {
                case 2 -> data.putShort(Float.floatToFloat16(value));
                case 4 -> data.putFloat(value);
                default -> data.putDouble(value);
            }
        }
        StringBuilder shapeText = new StringBuilder("(");
        for (int axis : shape) {
            shapeText.append(axis).append(", ");
        }
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False")
                + ", 'shape': " + shapeText.append(')') + ", }";
        String header = dict + " ".repeat((64 - (10 + dict.length() + 1) % 64) % 64) + "\n";
        ByteBuffer file10 = ByteBuffer.allocate(10 + header.length() + data.capacity()).order(ByteOrder.LITTLE_ENDIAN);
        file10.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        file10.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data.array());
        Files.write(file, file10.array());
    }
}
