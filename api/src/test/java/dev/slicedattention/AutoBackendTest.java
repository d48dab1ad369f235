package dev.slicedattention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.calibration.Calibration;
import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.InputGenerator;
import dev.slicedattention.validation.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * auto and its alias fastest through the API, on the real JVM backends (the build's surefire settings
 * point the store at target/ and give the sweep 3 s): each call's output is its chosen backend's own.
 */
class AutoBackendTest {
    @Test
    void autoRunsEachCallOnTheBackendItNamesAndGivesThatBackendsOutput() {
        Calibration calibration = SlicedAttention.calibration(new dev.slicedattention.calibration.CalibrationListener() {
            @Override
            public void notice(String line) {}
        });
        assertEquals(SlicedAttention.backends().stream().map(BackendInfo::name).toList(), calibration.backends());
        assertEquals(calibration, SlicedAttention.storedCalibration().orElseThrow());
        assertTrue(calibration.models().containsKey("jvm-par"), calibration.models().keySet().toString());
        for (String name : List.of(SlicedAttention.AUTO, SlicedAttention.FASTEST)) {
            try (Backend auto = SlicedAttention.open(name)) {
                for (Shape shape : List.of(new Shape(1, 64, 64, 8, 8), new Shape(2, 1 << 14, 1 << 14, 64, 64))) {
                    AttentionBatch batch = InputGenerator.GAUSSIAN.generate(shape, 5);
                    ForwardResult result = auto.run(batch);
                    try (Backend chosen = SlicedAttention.open(result.backend().name())) {
                        assertArrayEquals(chosen.run(batch).output().data(), result.output().data(), result.backend().name());
                    }
                }
            }
        }
    }
}
