"""The SPEC's operator as the sorting pipeline a PyTorch user would write: the GPU peer of the bench.

docs/SPEC.md (version 2) §1–§2 and §5, one head, float32 throughout, in plain PyTorch operations and
nothing hand-made: the projections q @ theta and k @ theta, torch.sort of the projected keys, cumsum
prefix sums of the moments the kernel needs over the sorted keys, torch.searchsorted for each query's
ranks, and gathers of the prefix sums at those ranks. Both kernels (relu with the authors' factor 2
and value centring, bump divided by n) and their causal forms (§5, divide and conquer by levels: at
level w every block of 2w positions sorts its left half's keys with one batched torch.sort, and the
queries of its right half search them with one batched searchsorted; log2(n) levels, plus each query's
own key).

Two commands:

  time     the benchmark: Gaussian inputs (seeded, generated on the device), n = m, d = e = 64 like the
           bench's forward suite, bump b = 0.5 x the spread of the projected keys (as the bench's
           Bandwidths); per (kernel, n): warm-up calls, then the median and half the interquartile
           range of --repeats calls of
             - each stage (projection, sort, prefixSum, rank, combine: CUDA events between stages, or
               perf_counter on a CPU), summed over the levels in causal mode;
             - forwardDevice: the call with Q, K, V already on the device;
             - on a GPU, forward: the host->device copy of Q, K, V, the call and the copy of the
               output back (transferIn, transferOut apart), from pageable host memory and from pinned
               host memory (forwardPinned), --transfer-repeats calls each.
           Every output is checked against a float64 reference: the naive O(n·m·e) sums at n <=
           --naive-max, beyond that the same pipeline in float64; max |O - R| / max |R| is printed
           (SPEC §6). Non-causal outputs at n <= --authors-max are also compared with the authors'
           module (fixtures/golden-tools, as bench/peers/torch_authors.py builds it).
           Results are printed, one line per (kernel, n), and written as JSON after every line.

      python3 torch_pipeline.py time [--device cuda|cpu] [--sizes 2^16,...,2^22]
                                     [--kernels relu,bump,causal-relu,causal-bump] [--dim 64]
                                     [--repeats 10] [--transfer-repeats 5] [--threads N] [--json OUT]

  attend   one call on .npy files, like bench/peers/numpy_sliced.py: Q [m, d], K [n, d], V [n, e],
           THETA [d] in, the float32 output [m, e] out (causal needs m = n).

      python3 torch_pipeline.py attend Q.npy K.npy V.npy THETA.npy OUT.npy
                                       [--kernel relu|bump|causal-relu|causal-bump] [--bandwidth B]
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

STAGES = ("projection", "sort", "prefixSum", "rank", "combine")
KERNELS = ("relu", "bump", "causal-relu", "causal-bump")


# ----------------------------------------------------------------------------------------------
# Stage clocks: CUDA events on a GPU (read after one synchronize), perf_counter on a CPU
# ----------------------------------------------------------------------------------------------

class NoClock:
    """What the pipeline is given when nobody times it."""

    def end(self, stage):
        pass


class StageClock:
    """Marks the end of each stage; a stage's time is the time since the previous mark, summed per name."""

    def __init__(self, device):
        self.cuda = device.type == "cuda"
        self.points = [(None, self._now())]

    def _now(self):
        if self.cuda:
            event = torch.cuda.Event(enable_timing=True)
            event.record()
            return event
        return time.perf_counter()

    def end(self, stage):
        self.points.append((stage, self._now()))

    def millis(self):
        """{stage: milliseconds}, after the device has finished."""
        if self.cuda:
            torch.cuda.synchronize()
        sums = {}
        for (_, before), (stage, after) in zip(self.points, self.points[1:]):
            ms = before.elapsed_time(after) if self.cuda else (after - before) * 1e3
            sums[stage] = sums.get(stage, 0.0) + ms
        return sums


# ----------------------------------------------------------------------------------------------
# The pipeline (SPEC §2); the dtype of the inputs is the dtype of every sum (float32, or float64
# for the reference at large n)
# ----------------------------------------------------------------------------------------------

def project(q, k, v, theta, relu, clock):
    """s, t centred by the keys' mean (a shared shift, SPEC §3, keeps float32 digits), and μ for relu."""
    s = q @ theta
    t = k @ theta
    centre = t.mean()
    s = s - centre
    t = t - centre
    mu = v.mean(dim=0) if relu else None
    clock.end("projection")
    return s, t, mu


def exclusive_cumsum(x):
    """Prefix sums over dim 0 with a leading zero row: row k holds the sum of rows 0..k-1."""
    out = torch.zeros((x.shape[0] + 1,) + tuple(x.shape[1:]), dtype=x.dtype, device=x.device)
    torch.cumsum(x, dim=0, out=out[1:])
    return out


def sliced(q, k, v, theta, kernel, bandwidth=None, clock=NoClock()):
    """O [m, e] of SPEC §1 by the sorting algorithm of §2: relu or bump, not causal."""
    relu = kernel == "relu"
    s, t, mu = project(q, k, v, theta, relu, clock)
    n = t.shape[0]

    tau, order = torch.sort(t)
    clock.end("sort")

    u = v[order]
    if relu:
        u = u - mu
    a = exclusive_cumsum(u)                       # A_k = Σ_{l<k} U_l
    b = exclusive_cumsum(tau[:, None] * u)        # B_k = Σ_{l<k} τ_l U_l
    c = exclusive_cumsum(tau) if relu else None   # C_k = Σ_{l<k} τ_l
    clock.end("prefixSum")

    r = torch.searchsorted(tau, s)                # #{t_j < s_i}
    if not relu:
        lo = torch.searchsorted(tau, s - bandwidth)             # #{t_j < s_i - b}
        hi = torch.searchsorted(tau, s + bandwidth, right=True)  # #{t_j <= s_i + b}
    clock.end("rank")

    if relu:
        z = s * (2 * r - n) + c[n] - 2 * c[r]
        numerator = s[:, None] * a[r] - b[r]
        out = torch.where(z[:, None] > 0, 2 * numerator / z[:, None], torch.zeros((), dtype=s.dtype, device=s.device))
    else:
        ratio = (s / bandwidth)[:, None]
        a_r, b_r = a[r], b[r]
        below = (1 - ratio) * (a_r - a[lo]) + (b_r - b[lo]) / bandwidth
        above = (1 + ratio) * (a[hi] - a_r) - (b[hi] - b_r) / bandwidth
        out = (below + above) / n
    clock.end("combine")
    return out


def sliced_causal(q, k, v, theta, kernel, bandwidth=None, clock=NoClock()):
    """O [n, e] of SPEC §5 (query i sees keys j <= i): divide and conquer over positions.

    n is padded to a power of two N with zero keys and values at the end (only padded queries see
    them). At level w = 1, 2, ..., N/2 the positions form N/2w blocks of 2w; the keys of each block's
    left half are sorted (one batched sort), their moments summed in that order (one cumsum along
    the block), and each query of the right half finds its ranks among them (one batched
    searchsorted) and adds the window sums that its ranks pick out. Every pair j < i meets at exactly
    one level; j = i is added directly.
    """
    relu = kernel == "relu"
    n, e = k.shape[0], v.shape[1]
    s, t, _ = project(q, k, v, theta, False, clock)
    if relu:
        v = v - v.mean(dim=0)   # a shared shift of V changes no causal output (μ_i shifts with it)
    size = 1 << max(0, (n - 1).bit_length())
    if size != n:
        s, t = F.pad(s, (0, size - n)), F.pad(t, (0, size - n))
        v = F.pad(v, (0, 0, 0, size - n))
    clock.end("projection")

    acc = torch.zeros(size, e, dtype=v.dtype, device=v.device)  # relu: Σ ReLU(s_i - t_j) V_j; bump: Σ bump V_j
    if relu:
        weight = torch.zeros(size, dtype=v.dtype, device=v.device)  # Σ ReLU(s_i - t_j)
        total = torch.zeros(size, dtype=v.dtype, device=v.device)   # Σ |s_i - t_j|
    w = 1
    while w < size:
        blocks = size // (2 * w)
        left_t = t.view(blocks, 2, w)[:, 0]
        right_s = s.view(blocks, 2, w)[:, 1].contiguous()
        tau, order = torch.sort(left_t, dim=1)
        clock.end("sort")

        u = torch.take_along_dim(v.view(blocks, 2, w, e)[:, 0], order[..., None], dim=1)
        a = F.pad(torch.cumsum(u, dim=1), (0, 0, 1, 0))
        b = F.pad(torch.cumsum(tau[..., None] * u, dim=1), (0, 0, 1, 0))
        c = F.pad(torch.cumsum(tau, dim=1), (1, 0)) if relu else None
        clock.end("prefixSum")

        r = torch.searchsorted(tau, right_s)
        if not relu:
            lo = torch.searchsorted(tau, right_s - bandwidth)
            hi = torch.searchsorted(tau, right_s + bandwidth, right=True)
        clock.end("rank")

        a_r = torch.take_along_dim(a, r[..., None], dim=1)
        b_r = torch.take_along_dim(b, r[..., None], dim=1)
        sr = right_s[..., None]
        if relu:
            c_r = torch.gather(c, 1, r)
            below = right_s * r - c_r                       # Σ_{t_j < s_i} (s_i - t_j)
            above = (c[:, w:] - c_r) - right_s * (w - r)    # Σ_{t_j >= s_i} (t_j - s_i)
            acc.view(blocks, 2, w, e)[:, 1].add_(sr * a_r - b_r)
            weight.view(blocks, 2, w)[:, 1].add_(below)
            total.view(blocks, 2, w)[:, 1].add_(below + above)
        else:
            ratio = sr / bandwidth
            a_lo = torch.take_along_dim(a, lo[..., None], dim=1)
            b_lo = torch.take_along_dim(b, lo[..., None], dim=1)
            a_hi = torch.take_along_dim(a, hi[..., None], dim=1)
            b_hi = torch.take_along_dim(b, hi[..., None], dim=1)
            acc.view(blocks, 2, w, e)[:, 1].add_((1 - ratio) * (a_r - a_lo) + (b_r - b_lo) / bandwidth
                                                 + (1 + ratio) * (a_hi - a_r) - (b_hi - b_r) / bandwidth)
        clock.end("combine")
        w *= 2

    diff = s - t   # each query's own key
    count = torch.arange(1, size + 1, dtype=v.dtype, device=v.device)
    if relu:
        own = torch.clamp(diff, min=0)
        acc += own[:, None] * v
        weight += own
        total += diff.abs()
        mean = torch.cumsum(v, dim=0) / count[:, None]   # μ_i, the mean of V_0..V_i
        clock.end("prefixSum")
        numerator = acc - mean * weight[:, None]
        out = torch.where(total[:, None] > 0, 2 * numerator / total[:, None], torch.zeros((), dtype=v.dtype, device=v.device))
    else:
        acc += torch.clamp(1 - diff.abs() / bandwidth, min=0)[:, None] * v
        out = acc / count[:, None]
    out = out[:n]
    clock.end("combine")
    return out


def attend(q, k, v, theta, kernel, bandwidth=None, clock=NoClock()):
    """The operator for a kernel of KERNELS."""
    with torch.no_grad():
        if kernel.startswith("causal-"):
            return sliced_causal(q, k, v, theta, kernel[len("causal-"):], bandwidth, clock)
        return sliced(q, k, v, theta, kernel, bandwidth, clock)


# ----------------------------------------------------------------------------------------------
# References
# ----------------------------------------------------------------------------------------------

def naive(q, k, v, theta, kernel, bandwidth=None):
    """The literal float64 sums of SPEC §1 (and §5 for causal), O(m·n·e), a block of queries at a time."""
    q, k, v, theta = (x.double() for x in (q, k, v, theta))
    causal = kernel.startswith("causal-")
    relu = kernel.endswith("relu")
    s, t = q @ theta, k @ theta
    m, n = s.shape[0], t.shape[0]
    if relu and not causal:
        v = v - v.mean(dim=0)
    out = torch.empty(m, v.shape[1], dtype=torch.float64, device=v.device)
    step = max(1, (1 << 24) // n)
    positions = torch.arange(n, device=v.device)
    for start in range(0, m, step):
        rows = torch.arange(start, min(m, start + step), device=v.device)
        diff = s[rows, None] - t[None, :]
        visible = (positions[None, :] <= rows[:, None]).double() if causal else torch.ones_like(diff)
        if relu:
            weight = diff.clamp(min=0) * visible
            numerator = weight @ v
            if causal:
                mean = (visible @ v) / visible.sum(dim=1, keepdim=True)
                numerator = numerator - mean * weight.sum(dim=1, keepdim=True)
            denominator = (diff.abs() * visible).sum(dim=1, keepdim=True)
            out[rows] = torch.where(denominator > 0, 2 * numerator / denominator, torch.zeros((), dtype=torch.float64, device=v.device))
        else:
            weight = (1 - diff.abs() / bandwidth).clamp(min=0) * visible
            out[rows] = (weight @ v) / visible.sum(dim=1, keepdim=True)
    return out


def relative_error(out, reference):
    """max |O - R| / max |R| (SPEC §6)."""
    reference = reference.double()
    return ((out.double() - reference).abs().max() / reference.abs().max()).item()


def authors_output(q, k, v, theta, kernel, bandwidth):
    """The authors' module (fixtures/golden-tools/make_golden.py, operator_module) on the same inputs."""
    sys.path.insert(0, os.path.join(HERE, "..", "..", "fixtures", "golden-tools"))
    from make_golden import log_bandwidth_for, operator_module
    log_bw = log_bandwidth_for(bandwidth)[0] if kernel == "bump" else None
    module = operator_module(kernel, q.shape[1], theta.cpu().numpy(), log_bw).to(q.device)
    with torch.no_grad():
        return module(torch.cat([q, k, v], dim=1)[None])[0]


def authors_bandwidth(bandwidth):
    """The float32 b that the authors' module computes from its parameter, so both compute one operator."""
    sys.path.insert(0, os.path.join(HERE, "..", "..", "fixtures", "golden-tools"))
    from make_golden import log_bandwidth_for
    return float(log_bandwidth_for(bandwidth)[1])


# ----------------------------------------------------------------------------------------------
# time
# ----------------------------------------------------------------------------------------------

def size(text):
    text = text.strip()
    try:
        value = 2 ** int(text[2:]) if text.startswith("2^") else int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a size is a number or 2^k, not '{text}'")
    if value < 2:
        raise argparse.ArgumentTypeError(f"a size must be at least 2, not '{text}'")
    return value


def limit(text):
    """A size, or 0 for none."""
    return 0 if text.strip() == "0" else size(text)


def sizes(text):
    return [size(part) for part in text.split(",") if part.strip()]


def kernels(text):
    names = [part.strip() for part in text.split(",") if part.strip()]
    for name in names:
        if name not in KERNELS:
            raise argparse.ArgumentTypeError(f"unknown kernel '{name}' (one of {', '.join(KERNELS)})")
    return names


def summary(samples):
    """{name: {medianMillis, spreadMillis}} of a list of {name: millis}; spread = half the interquartile range."""
    result = {}
    for name in samples[0]:
        values = [sample[name] for sample in samples]
        q = statistics.quantiles(values, n=4) if len(values) >= 2 else [values[0]] * 3
        result[name] = {"medianMillis": statistics.median(values), "spreadMillis": (q[2] - q[0]) / 2}
    return result


def repeat(once, repeats, warmup):
    for _ in range(warmup):
        once()
    return summary([once() for _ in range(repeats)])


def time_device_call(device, call):
    """{forwardDevice: ms} of one call whose inputs are on the device."""
    clock = StageClock(device)
    call()
    clock.end("forwardDevice")
    return clock.millis()


def time_with_transfers(device, host, kernel, bandwidth, out_host, suffix):
    """One whole call from host tensors to a host output, its copies apart (CUDA events)."""
    events = [torch.cuda.Event(enable_timing=True) for _ in range(4)]
    pinned = out_host is not None
    events[0].record()
    q, k, v, theta = (x.to(device, non_blocking=pinned) for x in host)
    events[1].record()
    out = attend(q, k, v, theta, kernel, bandwidth)
    events[2].record()
    if pinned:
        out_host.copy_(out, non_blocking=True)
    else:
        out.cpu()
    events[3].record()
    torch.cuda.synchronize()
    return {"transferIn" + suffix: events[0].elapsed_time(events[1]),
            "transferOut" + suffix: events[2].elapsed_time(events[3]),
            "forward" + suffix: events[0].elapsed_time(events[3])}


def run_time(args):
    device = device_of(args.device)
    cuda = device.type == "cuda"
    default_sizes = "2^16,2^17,2^18,2^19,2^20,2^21,2^22" if cuda else "2^10,2^12,2^14,2^16"
    chosen = args.sizes or sizes(default_sizes)
    name = torch.cuda.get_device_name(device) if cuda else f"cpu ({torch.get_num_threads()} threads)"
    print(f"torch {torch.__version__} on {device} ({name}), d = e = {args.dim}, float32, {args.repeats} timed "
          f"calls after {args.warmup} warm-ups{f', {args.transfer_repeats} with transfers' if cuda else ''}; "
          f"reference: naive float64 up to n = {args.naive_max}, else the float64 pipeline", flush=True)
    header = {"torch": torch.__version__, "device": str(device), "deviceName": name, "d": args.dim, "e": args.dim,
              "bandwidthFactor": args.bandwidth_factor, "repeats": args.repeats, "warmup": args.warmup,
              "transferRepeats": args.transfer_repeats if cuda else 0, "naiveMax": args.naive_max,
              "authorsMax": args.authors_max, "stages": list(STAGES), "rows": []}
    generator = torch.Generator(device=device).manual_seed(20261207)
    d = args.dim
    for n in chosen:
        q, k, v = (torch.randn(n, d, generator=generator, device=device) for _ in range(3))
        theta = torch.randn(d, generator=generator, device=device)
        host = pinned = None
        if cuda:
            host = [x.cpu() for x in (q, k, v, theta)]
            pinned = [x.pin_memory() for x in host] if args.transfer_repeats > 0 else None
        spread = (k.double() @ theta.double()).std(unbiased=False).item()
        for kernel in args.kernels:
            bandwidth = None
            if kernel.endswith("bump"):
                bandwidth = args.bandwidth_factor * spread if spread > 0 else 1.0
                if n <= args.authors_max and not kernel.startswith("causal-"):
                    bandwidth = authors_bandwidth(bandwidth)
            row = {"what": f"torch pipeline, {kernel}", "kernel": kernel, "n": n, "bandwidth": bandwidth}

            def staged():
                clock = StageClock(device)
                attend(q, k, v, theta, kernel, bandwidth, clock)
                return clock.millis()

            stages = repeat(staged, args.repeats, args.warmup)
            row["stages"] = stages
            row["stagesMillis"] = sum(stages[s]["medianMillis"] for s in STAGES)
            row.update(repeat(lambda: time_device_call(device, lambda: attend(q, k, v, theta, kernel, bandwidth)),
                              args.repeats, args.warmup))
            row["medianMillis"] = row["forwardDevice"]["medianMillis"]
            row["spreadMillis"] = row["forwardDevice"]["spreadMillis"]
            if cuda and args.transfer_repeats > 0:
                row.update(repeat(lambda: time_with_transfers(device, host, kernel, bandwidth, None, ""),
                                  args.transfer_repeats, 1))
                out_pinned = torch.empty(n, d).pin_memory()
                row.update(repeat(lambda: time_with_transfers(device, pinned, kernel, bandwidth, out_pinned, "Pinned"),
                                  args.transfer_repeats, 1))
                del out_pinned

            out = attend(q, k, v, theta, kernel, bandwidth)
            if n <= args.naive_max:
                row["reference"] = "naive float64"
                reference = naive(q, k, v, theta, kernel, bandwidth)
            else:
                row["reference"] = "float64 pipeline"
                reference = attend(q.double(), k.double(), v.double(), theta.double(), kernel, bandwidth)
            row["maxRelError"] = relative_error(out, reference)
            del reference
            row["authorsRelDiff"] = None
            if n <= args.authors_max and not kernel.startswith("causal-"):
                row["authorsRelDiff"] = relative_error(out, authors_output(q, k, v, theta, kernel, bandwidth))
            del out
            header["rows"].append(row)
            print(line(row), flush=True)
            if args.json:
                with open(args.json, "w", encoding="utf-8") as f:
                    json.dump(header, f, indent=1)
            if cuda:
                torch.cuda.empty_cache()
        del q, k, v, theta, host, pinned
        if cuda:
            torch.cuda.empty_cache()


def line(row):
    stages = " ".join(f"{s} {row['stages'][s]['medianMillis']:.3f}" for s in STAGES)
    text = (f"  {row['kernel']:<11} n = {row['n']:>8}: stages {row['stagesMillis']:9.3f} ms ({stages}); "
            f"on device {row['forwardDevice']['medianMillis']:9.3f} ms ± {row['forwardDevice']['spreadMillis']:.3f}")
    if "forward" in row:
        text += (f"; with transfers {row['forward']['medianMillis']:.3f} ms (in {row['transferIn']['medianMillis']:.3f}, "
                 f"out {row['transferOut']['medianMillis']:.3f}), pinned {row['forwardPinned']['medianMillis']:.3f} ms "
                 f"(in {row['transferInPinned']['medianMillis']:.3f})")
    text += f"; max rel. error {row['maxRelError']:.2e} vs {row['reference']}"
    if row["authorsRelDiff"] is not None:
        text += f", {row['authorsRelDiff']:.2e} vs the authors' module"
    return text


# ----------------------------------------------------------------------------------------------
# attend
# ----------------------------------------------------------------------------------------------

def fail(code, message):
    print(f"torch_pipeline.py: {message}", file=sys.stderr)
    sys.exit(code)


def device_of(name):
    """The torch device called name, or a one-line error (exit 3) where this PyTorch cannot use it."""
    try:
        device = torch.device(name)
    except RuntimeError as error:
        fail(2, f"unknown device '{name}' ({error}): use cpu or cuda")
    if device.type == "cuda" and not torch.cuda.is_available():
        fail(3, "CUDA is not available to this PyTorch: pass --device cpu, or install a CUDA build of torch")
    return device


def run_attend(args):
    arrays = []
    for label, path in (("Q", args.q), ("K", args.k), ("V", args.v), ("THETA", args.theta)):
        try:
            arrays.append(np.load(path).astype(np.float32, copy=False))
        except (OSError, ValueError) as error:
            fail(2, f"cannot read {label} from {path}: {error}")
    q, k, v, theta = arrays
    if q.ndim != 2 or k.ndim != 2 or v.ndim != 2 or theta.ndim != 1:
        fail(2, f"Q, K, V must be matrices and THETA a vector, not shapes {q.shape}, {k.shape}, {v.shape}, {theta.shape}")
    if q.shape[1] != k.shape[1] or theta.shape[0] != k.shape[1] or v.shape[0] != k.shape[0]:
        fail(2, f"shapes do not fit: Q {q.shape}, K {k.shape}, V {v.shape}, THETA {theta.shape} "
                "(Q [m, d], K [n, d], V [n, e], THETA [d])")
    if args.kernel.startswith("causal-") and q.shape[0] != k.shape[0]:
        fail(2, f"causal mode needs as many queries as keys, not m = {q.shape[0]}, n = {k.shape[0]}")
    for label, x in (("Q", q), ("K", k), ("V", v), ("THETA", theta)):
        if not np.isfinite(x).all():
            fail(2, f"{label} holds a non-finite value at flat index {int(np.flatnonzero(~np.isfinite(x))[0])}")
    if args.kernel.endswith("bump") and not (args.bandwidth and args.bandwidth > 0 and math.isfinite(args.bandwidth)):
        fail(2, "the bump kernel needs --bandwidth B with B > 0")
    device = device_of(args.device)
    q, k, v, theta = (torch.from_numpy(x).to(device) for x in (q, k, v, theta))
    out = attend(q, k, v, theta, args.kernel, args.bandwidth).cpu().numpy().astype(np.float32)
    try:
        np.save(args.out, out)
    except OSError as error:
        fail(4, f"cannot write {args.out}: {error}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    default_device = "cuda" if torch.cuda.is_available() else "cpu"

    timing = commands.add_parser("time", help="time the pipeline at several n and check it")
    timing.add_argument("--device", default=default_device)
    timing.add_argument("--sizes", type=sizes, help="n = m (default 2^16..2^22 on a GPU, 2^10..2^16 on a CPU)")
    timing.add_argument("--kernels", type=kernels, default=list(KERNELS))
    timing.add_argument("--dim", type=int, default=64, help="d = e (default 64)")
    timing.add_argument("--bandwidth-factor", type=float, default=0.5,
                        help="bump b = this x the standard deviation of the projected keys (default 0.5)")
    timing.add_argument("--repeats", type=int, default=10)
    timing.add_argument("--warmup", type=int, default=3)
    timing.add_argument("--transfer-repeats", type=int, default=5,
                        help="timed calls with the host<->device copies (GPU only; 0: none)")
    timing.add_argument("--naive-max", type=limit, default=size("2^12"),
                        help="largest n checked against the naive float64 sums (default 2^12)")
    timing.add_argument("--authors-max", type=limit, default=size("2^14"),
                        help="largest n compared with the authors' module (default 2^14; 0: none)")
    timing.add_argument("--threads", type=int, help="CPU threads of torch (default: torch's own choice)")
    timing.add_argument("--json", help="where to write the results as JSON")

    single = commands.add_parser("attend", help="one call on .npy files")
    for name in ("q", "k", "v", "theta", "out"):
        single.add_argument(name)
    single.add_argument("--kernel", choices=KERNELS, default="relu")
    single.add_argument("--bandwidth", type=float, help="b of the bump kernel")
    single.add_argument("--device", default="cpu")

    args = parser.parse_args()
    if args.command == "time":
        if args.repeats < 1 or args.warmup < 0 or args.transfer_repeats < 0 or args.dim < 1 or (args.threads or 1) < 1:
            fail(2, "--repeats, --dim and --threads must be at least 1, --warmup and --transfer-repeats at least 0")
        if args.threads:
            torch.set_num_threads(args.threads)
        run_time(args)
    else:
        run_attend(args)


if __name__ == "__main__":
    main()
