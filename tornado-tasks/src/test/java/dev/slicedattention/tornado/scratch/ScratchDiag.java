package dev.slicedattention.tornado.scratch;

import dev.slicedattention.timing.StageTimes;
import dev.slicedattention.validation.*;
import dev.slicedattention.validation.sequential.*;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("scratch")
class ScratchDiag {
    @Test
    void diag() throws Exception {
        Shape shape = new Shape(1, 4096, 1 << 20, 64, 64);
        AttentionBatch plain = InputGenerator.GAUSSIAN.generate(shape, 11);
        var provider = new dev.slicedattention.tornado.TornadoProvider();
        try (var engine = provider.open("tornado")) {
            for (float b : new float[] {1f, 0.25f, 0.0625f}) {
                AttentionBatch batch = plain.withOptions(AttentionOptions.bump(b));
                double[] ref = SequentialPipeline64.forward(batch);
                float[] dev = ((dev.slicedattention.spi.BackendEngine) engine).forward(batch, new StageTimes());
                float[] seq = SequentialPipeline.forward(batch);
                ErrorMetrics md = ErrorMetrics.compare(dev, ref, batch), ms = ErrorMetrics.compare(seq, ref, batch);
                int w = md.worstIndex();
                System.out.printf("b=%s device %.3g (worst row %d col %d ref %.4g dev %.4g) seq %.3g refMax %.3g%n", b, md.relativeError(),
                        w / 64, w % 64, ref[w], dev[w], ms.relativeError(), md.referenceMax());
            }
        }
    }
}
