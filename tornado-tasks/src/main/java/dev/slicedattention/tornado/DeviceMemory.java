package dev.slicedattention.tornado;

/** The device memory TornadoVM lets this process allocate: {@code -Dtornado.device.memory}, read as TornadoVM reads it. */
final class DeviceMemory {
    /** TornadoVM's default when the property is not set. */
    static final String DEFAULT = "4GB";

    private DeviceMemory() {}

    static long tornadoLimit() {
        return parse(System.getProperty("tornado.device.memory", DEFAULT));
    }

    /** "4GB", "512MB", "1024KB" (powers of 1024, as TornadoVM's RuntimeUtilities.parseSize) or plain bytes. */
    static long parse(String size) {
        String text = size.strip();
        try {
            if (!text.endsWith("B")) {
                return Long.parseLong(text);
            }
            String number = text.substring(0, text.length() - 1);
            int prefix = number.isEmpty() ? -1 : "KMGTPE".indexOf(number.charAt(number.length() - 1));
            if (prefix < 0) {
                return Long.parseLong(number);
            }
            return Long.parseLong(number.substring(0, number.length() - 1)) << (10 * (prefix + 1));
        } catch (NumberFormatException bad) {
            throw new IllegalArgumentException("-Dtornado.device.memory=" + size + " is not a size such as 4GB or 512MB", bad);
        }
    }
}
