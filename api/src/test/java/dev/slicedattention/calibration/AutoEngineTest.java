package dev.slicedattention.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.AttentionOptions;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** auto runs each call where the calibration predicts it fastest for that call's shape. */
class AutoEngineTest {
    private static Calibration.Fit fit(CostModel model) {
        return new Calibration.Fit(model, List.of(new Calibration.Point(1, 256, 8, 8, 1)));
    }

    // "device": 2 ms a call, then cheap; "cpu": no fixed cost, 20x dearer per unit. Crossover near 1e5 units.
    private static final Calibration CALIBRATION = new Calibration(Calibration.FORMAT, "test", "test", "now", List.of("cpu", "device"), 1,
            Map.of("cpu", Map.of("relu", fit(new CostModel(0, 20, 20))),
                    "device", Map.of("relu", fit(new CostModel(2_000_000, 1, 1)), "bump", fit(new CostModel(2_000_000, 1, 1)))));

    @Test
    void smallCallsGoToTheCpuLargeOnesToTheDevice() {
        List<String> calls = new ArrayList<>();
        try (AutoEngine auto = new AutoEngine(CALIBRATION, List.of(FakeEngine.info("cpu"), FakeEngine.info("device")), "cpu",
                name -> new FakeEngine(name, 0, 0, calls))) {
            auto.forward(InputGenerator.GAUSSIAN.generate(new Shape(1, 64, 64, 8, 8), 1), new StageTimes());
            assertEquals("cpu", auto.info().name());
            auto.forward(InputGenerator.GAUSSIAN.generate(new Shape(4, 8192, 8192, 8, 8), 1), new StageTimes());
            assertEquals("device", auto.info().name());
            // The bump has no cpu model: the device, the only backend measured for it, even when small.
            AttentionBatch small = InputGenerator.GAUSSIAN.generate(new Shape(1, 64, 64, 8, 8), 1);
            auto.forward(small.withOptions(AttentionOptions.bump(1f)), new StageTimes());
            assertEquals(List.of("cpu", "device", "device"), calls);
        }
    }

    @Test
    void aCausalCallWithoutItsOwnModelUsesTheKernelsModel() {
        assertEquals(CALIBRATION.model("cpu", Kernel.RELU, false), CALIBRATION.model("cpu", Kernel.RELU, true));
        assertEquals(java.util.Optional.empty(), CALIBRATION.model("cpu", Kernel.BUMP, true));
    }
}
