package dev.slicedattention.validation.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slicedattention.error.NpyFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Files NumPy wrote in every real float layout (float16, big-endian, Fortran order), each read
 * against NumPy's own reading of it: {@code NAME.expected.npy} is what NumPy loads from
 * {@code NAME.npy}, converted by NumPy to little-endian float32 in C order. The fixtures and the
 * script that made them are in {@code src/test/resources/npy/} ({@code make_fixtures.py}).
 */
class NpyNumPyFixturesTest {
    private static Path fixture(String file) {
        try {
            return Path.of(NpyNumPyFixturesTest.class.getResource("/npy/" + file).toURI());
        } catch (URISyntaxException | NullPointerException missing) {
            throw new AssertionError("test resource npy/" + file + " is missing", missing);
        }
    }

    private static void assertSameBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": number of values");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                    what + ": value " + i + " is " + actual[i] + ", NumPy reads " + expected[i]);
        }
    }

    @ParameterizedTest(name = "{0} ({1})")
    @CsvSource({
        "f2-le-2d, <f2, False",
        "f2-be-3d, >f2, False",
        "f2-0d, <f2, False",
        "f2-nan, <f2, False",
        "f2-inf, <f2, False",
        "f4-be-1d, >f4, False",
        "f4-be-2d, >f4, False",
        "f8-be-2d, >f8, False",
        "f4-le-fortran-2d, <f4, True",
        "f4-le-fortran-3d, <f4, True",
        "f8-le-fortran-3d, <f8, True",
        "f2-be-fortran-2d, >f2, True",
        "f4-be-fortran-4d, >f4, True",
    })
    void readsWhatNumPyReads(String name, String dtype, boolean fortran) throws IOException {
        Path file = fixture(name + ".npy");
        String header = new String(Files.readAllBytes(file), 0, 128, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(header.contains("'descr': '" + dtype + "'") && header.contains("'fortran_order': " + (fortran ? "True" : "False")),
                "the fixture's header is not the layout its name says: " + header);
        NpyArray expected = Npy.read(fixture(name + ".expected.npy"));
        assertEquals("<f4", expected.sourceDtype());

        NpyArray read = Npy.read(file);
        assertArrayEquals(expected.shape(), read.shape(), name + ": shape");
        assertSameBits(expected.data(), read.data(), name + " read");
        assertEquals(dtype, read.sourceDtype());

        NpyArray parsed = Npy.parse(name, Files.readAllBytes(file));
        assertArrayEquals(expected.shape(), parsed.shape());
        assertSameBits(expected.data(), parsed.data(), name + " parsed");
        try (InputStream in = Files.newInputStream(file)) {
            assertSameBits(expected.data(), Npy.read(name, in).data(), name + " streamed");
        }

        // Only little-endian float32 in C order is read in place; the rest is converted by read.
        assertEquals(dtype.equals("<f4") && !fortran, Npy.map(file).isPresent(), name + ": mapped");
    }

    @ParameterizedTest
    @ValueSource(strings = {"lengths-i4-be", "lengths-i8-be", "lengths-f8-be", "lengths-f4-be"})
    void readsBigEndianLengthsAsNumPyDoes(String name) throws IOException {
        int[] expected = Npy.readIntegers(fixture(name + ".expected.npy"));
        assertArrayEquals(expected, Npy.readIntegers(fixture(name + ".npy")));
        assertArrayEquals(expected, Npy.parseIntegers(name, Files.readAllBytes(fixture(name + ".npy"))));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "refused-c8   | dtype '<c8' is not supported; only float16, float32 and float64",
        "refused-i4   | dtype '<i4' is not supported; only float16, float32 and float64",
        "refused-bool | dtype '|b1' is not supported; only float16, float32 and float64",
        "refused-record | a structured dtype (record array) is not supported; save each field as its own float array",
    })
    void refusesWhatIsNotARealFloatArrayInOneLine(String name, String problem) {
        Path file = fixture(name + ".npy");
        NpyFormatException error = assertThrows(NpyFormatException.class, () -> Npy.read(file));
        assertEquals(file + ": " + problem, error.getMessage().substring(0, file.toString().length() + 2 + problem.length()));
        assertTrue(!error.getMessage().contains("\n"), "one line: " + error.getMessage());
        assertEquals(error.getMessage(), assertThrows(NpyFormatException.class, () -> Npy.map(file)).getMessage());
    }
}
