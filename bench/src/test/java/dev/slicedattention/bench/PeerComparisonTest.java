package dev.slicedattention.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.bench.peers.PeerComparison;
import dev.slicedattention.results.PeerResults;
import dev.slicedattention.results.PeerResults.Contender;
import dev.slicedattention.results.ResultsIO;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The peers comparison's record and table (the whole-process runs themselves are measured, not unit-tested). */
class PeerComparisonTest {
    @Test
    void resultsRoundTripAndTheTableGivesRatiosToNumPy(@TempDir Path folder) throws Exception {
        PeerResults results = new PeerResults(1024, 64, 64, 3, List.of(
                new Contender("sliced-attention attend (jvm-par)", "scripts/sliced-attention attend", List.of(1.0, 1.2, 1.1), 1.1, 300.0, 1e-7, null),
                new Contender("NumPy pipeline (bench/peers/numpy_sliced.py)", "python3 numpy_sliced.py", List.of(4.4, 4.5, 4.3), 4.4, 700.0, 2e-5, null),
                new Contender("authors' PyTorch module (bench/peers/torch_authors.py)", "python3 torch_authors.py", List.of(),
                        Double.NaN, null, Double.NaN, "python3 cannot import torch (ModuleNotFoundError)")));
        ResultsIO.writePeers(folder, results);
        assertEquals(results, ResultsIO.readPeers(folder));
        assertNull(ResultsIO.readPeers(folder.resolve("elsewhere")));
        String table = PeerComparison.table(results);
        assertTrue(table.contains("0.25x NumPy"), table);
        assertTrue(table.contains("skipped: python3 cannot import torch"), table);
        assertTrue(table.contains("median of 3 paired rounds"), table);
    }

    @Test
    void medianOfEvenAndOddCounts() {
        assertEquals(2.0, PeerComparison.median(List.of(3.0, 1.0, 2.0)));
        assertEquals(2.5, PeerComparison.median(List.of(4.0, 1.0, 2.0, 3.0)));
    }
}
