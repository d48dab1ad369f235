"""Writes the .npy fixtures of NpyNumPyFixturesTest, with NumPy's own reading of each beside it.

For every fixture NAME.npy this writes NAME.expected.npy: what NumPy reads from NAME.npy, converted
by NumPy to little-endian float32 in C order (for lengths: int32), the form the Java reader returns.
The Java test reads both and compares the values bit for bit.

Run from this folder:  python3 make_fixtures.py   (made with NumPy 2.4)
"""
import numpy as np

rng = np.random.default_rng(28)


def save(name, array, fortran=False, lengths=False):
    np.save(name + ".npy", array)
    header = open(name + ".npy", "rb").read(128).decode("latin1")
    # The fixture must hold the layout its name promises.
    assert ("'fortran_order': True" in header) == fortran, (name, header)
    assert repr(array.dtype.str) in header, (name, header)
    read = np.load(name + ".npy")
    expected = read.astype("<i4") if lengths else read.astype("<f4")
    np.save(name + ".expected.npy", np.array(expected, order="C"))  # (ascontiguousarray makes 0-d 1-d)


# float16: normal values, the smallest and largest subnormals, the smallest normal, the largest
# finite value, signed zeros, and values that need all ten fraction bits.
half = np.array([
    [1.0, -2.5, 0.1, 1 / 3, 65504.0],
    [2.0 ** -24, -(2.0 ** -24), 2.0 ** -14 - 2.0 ** -24, 2.0 ** -14, -0.0],
    [0.0, 1000.5, -7.123, 3.14159, 2.0 ** -20],
], dtype="<f2")
save("f2-le-2d", half)
save("f2-be-3d", rng.standard_normal((2, 3, 4)).astype(">f2"))
save("f2-0d", np.array(1.5, dtype="<f2"))
save("f2-nan", np.array([1.0, np.nan, 2.0], dtype="<f2"))
save("f2-inf", np.array([[1.0, 2.0], [np.inf, -np.inf]], dtype="<f2"))

# Big-endian float32 and float64 (float64 is rounded to float32 as NumPy's astype rounds it).
save("f4-be-2d", (rng.standard_normal((4, 3)) * 100).astype(">f4"))
save("f8-be-2d", (rng.standard_normal((3, 5)) / 7).astype(">f8"))
save("f4-be-1d", np.array([1.0, -0.0, 3.4e38, 1e-45], dtype=">f4"))

# Fortran order, what np.save(x.T) writes: 2-d, 3-d and 4-d, each float size, both byte orders.
save("f4-le-fortran-2d", np.arange(12, dtype="<f4").reshape(3, 4).T, fortran=True)
save("f4-le-fortran-3d", rng.standard_normal((4, 3, 2)).astype("<f4").T, fortran=True)
save("f8-le-fortran-3d", np.asfortranarray(rng.standard_normal((2, 5, 3))), fortran=True)
save("f2-be-fortran-2d", np.asfortranarray(rng.standard_normal((5, 3)).astype(">f2")), fortran=True)
save("f4-be-fortran-4d", np.asfortranarray(rng.standard_normal((2, 3, 4, 5)).astype(">f4")), fortran=True)

# Lengths (integers) in big-endian forms.
save("lengths-i4-be", np.array([3, 0, 7], dtype=">i4"), lengths=True)
save("lengths-i8-be", np.array([1, 2 ** 31 - 1], dtype=">i8"), lengths=True)
save("lengths-f8-be", np.array([4.0, 5.0], dtype=">f8"), lengths=True)
save("lengths-f4-be", np.array([6.0, 0.0], dtype=">f4"), lengths=True)

# Still refused: complex, integers as values, bool, structured records.
np.save("refused-c8.npy", np.array([1 + 2j], dtype="<c8"))
np.save("refused-i4.npy", np.array([[1, 2]], dtype="<i4"))
np.save("refused-bool.npy", np.array([True]))
np.save("refused-record.npy", np.zeros(2, dtype=[("a", "<f4"), ("b", "<f4")]))
