package dev.slicedattention;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.slicedattention.validation.AttentionBatch;
import dev.slicedattention.validation.FiniteCheck;
import dev.slicedattention.validation.Kernel;
import dev.slicedattention.validation.RandomCases;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Every call is spot-checked by default; on the JVM backends no check ever fails across the hidden cases. */
class SpotCheckCallsTest {
    @Test
    void noFalseAlarmInAThousandRandomCallsOnTheJvmBackends() {
        SplittableRandom random = new SplittableRandom(1000);
        try (Backend seq = SlicedAttention.open("jvm-seq"); Backend par = SlicedAttention.open("jvm-par")) {
            assertEquals(dev.slicedattention.validation.SpotCheck.DEFAULT_QUERIES, seq.spotCheckQueries(), "on by default");
            for (int call = 0; call < 1000; call++) {
                AttentionBatch batch = RandomCases.small(random);
                Backend backend = call % 2 == 0 ? seq : par;
                assertDoesNotThrow(() -> backend.run(batch), () -> backend.info().name() + " " + batch);
            }
        }
    }

    @Test
    void aNegativeCountIsRefusedAndZeroTurnsTheCheckOff() {
        try (Backend backend = SlicedAttention.open("jvm-seq")) {
            assertThrows(IllegalArgumentException.class, () -> backend.spotCheck(-1));
            assertEquals(0, backend.spotCheck(0).spotCheckQueries());
        }
    }
}
