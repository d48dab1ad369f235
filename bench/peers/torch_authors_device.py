"""The authors' PyTorch module (github SiwanB/Sliced_ReLU_Attention, copied under
fixtures/golden-tools/authors/) timed on a device: the reference point for the TornadoVM backends on
the same GPU in scripts/gpu-check, and PyTorch's own softmax attention
(torch.nn.functional.scaled_dot_product_attention) beside it for the crossover.

The module is built exactly as torch_authors.py builds it (operator_module of
fixtures/golden-tools/make_golden.py: X = [Q | K | V], selection layers, the scalar projection set to
theta), moved to the device; its forward() is unchanged, so each time includes the three selection
matmuls. Inputs are Gaussian (seeded), one head, d = e = 64 by default, float32. Each (kernel, n) is
timed with CUDA events (on CUDA) or a wall clock (on a CPU): warm-up calls, then --repeats timed
calls; the median and half the interquartile range are reported, one line each, and written as JSON.

    python3 torch_authors_device.py [--device cuda] [--sizes 2^16,2^20] [--kernels relu,bump]
                                    [--bandwidth 1.0] [--softmax-max 2^16] [--repeats 10] [--json OUT]
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "fixtures", "golden-tools"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from make_golden import log_bandwidth_for, operator_module  # noqa: E402


def size(text):
    text = text.strip()
    value = 2 ** int(text[2:]) if text.startswith("2^") else int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"a size must be positive, not '{text}'")
    return value


def sizes(text):
    return [size(part) for part in text.split(",") if part.strip()]


def timed(call, device, repeats, warmup=3):
    """Median and half the interquartile range of `repeats` calls, in milliseconds, after warm-up."""
    for _ in range(warmup):
        call()
    times = []
    for _ in range(repeats):
        if device.type == "cuda":
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            call()
            end.record()
            torch.cuda.synchronize()
            times.append(start.elapsed_time(end))
        else:
            t0 = time.perf_counter()
            call()
            times.append((time.perf_counter() - t0) * 1e3)
    q = statistics.quantiles(times, n=4) if len(times) >= 2 else [times[0]] * 3
    return statistics.median(times), (q[2] - q[0]) / 2


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--sizes", type=sizes, default=sizes("2^12,2^14,2^16,2^18,2^20,2^22"))
    parser.add_argument("--kernels", default="relu,bump")
    parser.add_argument("--bandwidth", type=float, default=1.0, help="b of the bump kernel (default 1)")
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--softmax-max", type=size, default=size("2^16"),
                        help="largest n at which softmax attention is timed (0: none)")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--json", help="where to write the results as JSON")
    args = parser.parse_args()
    kernels = [k for k in args.kernels.split(",") if k]
    for k in kernels:
        if k not in ("relu", "bump"):
            parser.error(f"unknown kernel '{k}' (relu or bump)")
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        sys.exit("torch_authors_device.py: CUDA is not available to this PyTorch")
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    print(f"torch {torch.__version__} on {device} ({name}), d = e = {args.dim}, float32, "
          f"{args.repeats} timed calls after 3 warm-ups")
    rng = np.random.default_rng(20261130)
    d = args.dim
    theta = rng.standard_normal(d).astype(np.float32)
    rows = []
    for n in args.sizes:
        x = torch.from_numpy(rng.standard_normal((1, n, 3 * d), dtype=np.float32)).to(device)
        for kernel in kernels:
            log_bw = log_bandwidth_for(args.bandwidth)[0] if kernel == "bump" else None
            module = operator_module(kernel, d, theta, log_bw).to(device)
            with torch.no_grad():
                median, spread = timed(lambda: module(x), device, args.repeats)
            rows.append({"what": f"authors' module, {kernel}", "kernel": kernel, "n": n,
                         "medianMillis": median, "spreadMillis": spread})
            print(f"  {kernel:<8} n = {n:>9}: {median:10.3f} ms ± {spread:.3f}", flush=True)
            del module
        if n <= args.softmax_max:
            q, k, v = (x[..., i * d:(i + 1) * d].reshape(1, 1, n, d).contiguous() for i in range(3))
            with torch.no_grad():
                median, spread = timed(lambda: F.scaled_dot_product_attention(q, k, v), device, args.repeats)
            rows.append({"what": "softmax (scaled_dot_product_attention)", "kernel": "softmax", "n": n,
                         "medianMillis": median, "spreadMillis": spread})
            print(f"  {'softmax':<8} n = {n:>9}: {median:10.3f} ms ± {spread:.3f}", flush=True)
            del q, k, v
        del x
        if device.type == "cuda":
            torch.cuda.empty_cache()
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"torch": torch.__version__, "device": str(device), "deviceName": name, "d": d,
                       "bandwidth": args.bandwidth, "repeats": args.repeats, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
