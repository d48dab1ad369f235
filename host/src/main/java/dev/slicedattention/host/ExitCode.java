package dev.slicedattention.host;

/** The exit codes of every command, documented in each command's help footer. */
public final class ExitCode {
    /** Everything ran and every validation passed. */
    public static final int OK = 0;
    /** A validation failed: a backend's result exceeded its tolerance (validate, showcase, or a call's spot check). */
    public static final int VALIDATION_FAILED = 1;
    /** Bad usage or bad input: an option, a file, a shape, a value, an unknown backend. */
    public static final int BAD_INPUT = 2;
    /** A device failed (TornadoVM compilation or execution, out of memory). */
    public static final int DEVICE_FAILURE = 3;
    /** Writing results failed, or an unexpected internal error. */
    public static final int INTERNAL = 4;

    static final String FOOTER = "%nExit codes: 0 ok, 1 a validation failed, 2 bad usage or input, "
            + "3 device failure, 4 I/O or internal error.";

    private ExitCode() {}
}
