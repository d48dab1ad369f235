package dev.slicedattention;

/** What kind of processor a backend runs on. */
public enum DeviceKind {
    CPU, GPU, ACCELERATOR
}
