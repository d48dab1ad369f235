"""Sliced ReLU attention (and the bump kernel) in NumPy: the few lines a Python user would write.

The peer of `scripts/sliced-attention attend` in `scripts/bench --peers`: same .npy files in, the
output .npy out, float32 throughout like the project's storage. One head, Q [m, d], K [n, d], V [n, e],
theta [d] (SPEC section 2, with the authors' factor 2).

    python3 numpy_sliced.py Q.npy K.npy V.npy THETA.npy OUT.npy [--kernel relu|bump] [--bandwidth B]
"""
import argparse

import numpy as np


def sliced_relu(q, k, v, theta):
    centre = k.mean(axis=0)                       # a shared shift keeps float32 digits (SPEC section 3)
    s = (q - centre) @ theta
    t = (k - centre) @ theta
    order = np.argsort(t, kind="stable")
    tau = t[order]
    u = v[order] - v.mean(axis=0)
    zero = np.zeros((1, v.shape[1]), dtype=v.dtype)
    a = np.concatenate([zero, np.cumsum(u, axis=0)])
    b = np.concatenate([zero, np.cumsum(tau[:, None] * u, axis=0)])
    c = np.concatenate([[0], np.cumsum(tau)]).astype(v.dtype)
    r = np.searchsorted(tau, s, side="left")
    n = len(t)
    z = s * (2 * r - n) + c[n] - 2 * c[r]
    num = s[:, None] * a[r] - b[r]
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(z[:, None] > 0, 2 * num / z[:, None], 0)
    return out.astype(np.float32)


def sliced_bump(q, k, v, theta, bandwidth):
    centre = k.mean(axis=0)
    s = (q - centre) @ theta
    t = (k - centre) @ theta
    order = np.argsort(t, kind="stable")
    tau = t[order]
    u = v[order].astype(np.float64)               # float32 window sums lose digits (SPEC section 6)
    zero = np.zeros((1, v.shape[1]))
    a = np.concatenate([zero, np.cumsum(u, axis=0)])
    b = np.concatenate([zero, np.cumsum(tau[:, None] * u, axis=0)])
    lo = np.searchsorted(tau, s - bandwidth, side="left")
    r = np.searchsorted(tau, s, side="left")
    hi = np.searchsorted(tau, s + bandwidth, side="right")
    ratio = (s / bandwidth)[:, None]
    below = (1 - ratio) * (a[r] - a[lo]) + (b[r] - b[lo]) / bandwidth
    above = (1 + ratio) * (a[hi] - a[r]) - (b[hi] - b[r]) / bandwidth
    return ((below + above) / len(t)).astype(np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("q", "k", "v", "theta", "out"):
        parser.add_argument(name)
    parser.add_argument("--kernel", choices=("relu", "bump"), default="relu")
    parser.add_argument("--bandwidth", type=float)
    args = parser.parse_args()
    q, k, v, theta = (np.load(path).astype(np.float32, copy=False) for path in (args.q, args.k, args.v, args.theta))
    if args.kernel == "bump":
        out = sliced_bump(q, k, v, theta, args.bandwidth)
    else:
        out = sliced_relu(q, k, v, theta)
    np.save(args.out, out)


if __name__ == "__main__":
    main()
