package dev.slicedattention.error;

/**
 * A device backend failed while running: a kernel did not compile, the device ran out of memory,
 * or the runtime fell back to sequential Java where a device run was required.
 */
public class DeviceFailureException extends SlicedAttentionException {
    public DeviceFailureException(String message) {
        super(message);
    }

    public DeviceFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
