package dev.slicedattention;

import dev.slicedattention.timing.StageTimes;

/**
 * One forward pass: the output, the time each stage took, and what ran it.
 *
 * @param output  [m, e] for 2-D inputs, [P, m, e] for batched inputs
 * @param times   wall-clock time per stage; {@link StageTimes#setupNanos()} holds one-off work such as
 *                TornadoVM's JIT compilation on the first call for a shape (0 when a plan was reused)
 * @param backend the backend and device that ran it
 */
public record ForwardResult(Tensor output, StageTimes times, BackendInfo backend) {}
