"""The authors' own PyTorch module (github SiwanB/Sliced_ReLU_Attention, copied under
fixtures/golden-tools/authors/) on the same .npy files: the third contender of `scripts/bench --peers`.

One head, Q [m, d], K [n, d], V [n, e = d], theta [d], m = n. The module is fed exactly as the golden
fixtures are (fixtures/golden-tools/make_golden.py, operator_module): hidden state X = [Q | K | V],
query/key/value layers that select those blocks, and the scalar projection set to theta; its forward()
is unchanged, so the time includes those three selection matmuls (3 x n x 3d x d multiply-adds).

    python3 torch_authors.py Q.npy K.npy V.npy THETA.npy OUT.npy [--kernel relu|bump] [--bandwidth B]
"""
import argparse
import os
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "fixtures", "golden-tools"))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from make_golden import log_bandwidth_for, operator_module  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("q", "k", "v", "theta", "out"):
        parser.add_argument(name)
    parser.add_argument("--kernel", choices=("relu", "bump"), default="relu")
    parser.add_argument("--bandwidth", type=float)
    args = parser.parse_args()
    q, k, v, theta = (np.load(path).astype(np.float32, copy=False) for path in (args.q, args.k, args.v, args.theta))
    if q.shape != k.shape or k.shape != v.shape:
        sys.exit("torch_authors.py: the authors' self-attention needs m = n and e = d")
    log_bw = log_bandwidth_for(args.bandwidth)[0] if args.kernel == "bump" else None
    module = operator_module(args.kernel, q.shape[1], theta, log_bw)
    x = torch.from_numpy(np.concatenate([q, k, v], axis=1))[None]
    with torch.no_grad():
        out = module(x)[0].numpy()
    np.save(args.out, out.astype(np.float32))


if __name__ == "__main__":
    main()
