#!/usr/bin/env python3
# Groups `perf record` profiles of `dipdefense bench` by what the DIP trace spends its time on, as one Markdown table:
# only the samples of the DIP worker threads count (the trace loop; the main thread starts them and reports progress),
# and each sample's leaf symbol goes to the first category whose pattern it matches. Used by docs/results/profile.sh.
# Usage: python3 tools/perf-categories.py LABEL=PERF_DATA...
import collections
import re
import subprocess
import sys

# (category, pattern on "dso [.] symbol"); oneDNN's generated convolution kernels have no symbol: perf shows them as
# bare addresses in an anonymous executable mapping ("[JIT] tid N"), like .NET code without a perf map.
CATEGORIES = [
    ("convolution: oneDNN generated kernels", r"^\[JIT\] tid \d+ \[\.\] 0x"),
    ("convolution: im2col / col2im copies", r"im2col|col2im|unfolded2d"),
    ("convolution: matrix products (MKL sgemm)", r"sgemm|gemm_driver|gemm_convolution"),
    ("convolution: oneDNN reorders and set-up", r"dnnl|mkldnn|ideep|Xbyak"),
    ("BatchNorm forward and backward", r"batch_norm"),
    ("bilinear upsampling forward and backward", r"upsample"),
    ("reflection padding forward and backward", r"padding"),
    ("random numbers (input perturbation σ_z)", r"normal_kernel|CPUGeneratorImpl"),
    ("element-wise and reductions (copies, LeakyReLU, sigmoid, loss, Adam)",
     r"VectorizedLoop|Vectorized|vml|Sleef|_kernel|reduce|cat_serial|leaky|sqrt"),
    ("memory: malloc/free, memset, kernel (page faults, hypervisor)",
     r"malloc|free|memalign|memset|memmove|memcpy|unlink_chunk|consolidate|\[k\]|operator new|operator delete"),
    ("libtorch dispatch, autograd and tensor bookkeeping",
     r"c10::|at::|torch::|intrusive|Dispatch|autograd|_M_release|tls_get_addr|std::|pthread_mutex"),
    (".NET (TorchSharp calls, dispose scopes, JIT compiler, runtime)",
     r"\[TorchSharp\]|\[DipDefense\]|System\.|coreclr|clrjit|IL_STUB|stub|LibTorchSharp|doublemapper|^\[JIT\]"),
]
OTHER = "other"


def worker_shares(path):
    """Share of each category in the DIP worker threads' samples of one profile."""
    report = subprocess.run(
        ["perf", "report", "-i", path, "--no-children", "--sort", "comm,dso,symbol", "--stdio", "-g", "none"],
        capture_output=True, text=True, check=True).stdout
    totals = collections.Counter()
    for line in report.splitlines():
        row = re.match(r"\s+([0-9.]+)%\s+DIP worker \d+\s+(.*?)\s+(\[[.k]\].*)", line)
        if not row:
            continue
        share, key = float(row.group(1)), f"{row.group(2)} {row.group(3).strip()}"
        name = next((name for name, pattern in CATEGORIES if re.search(pattern, key)), OTHER)
        totals[name] += share
    workers = sum(totals.values())
    return {name: 100 * share / workers for name, share in totals.items()}


def main(arguments):
    if not arguments:
        sys.exit("usage: perf-categories.py LABEL=PERF_DATA...")
    profiles = [argument.rsplit("=", 1) for argument in arguments]
    shares = [worker_shares(path) for _, path in profiles]
    print("| where the time goes | " + " | ".join(label for label, _ in profiles) + " |")
    print("|---|" + "---|" * len(profiles))
    for name in [name for name, _ in CATEGORIES] + [OTHER]:
        print(f"| {name} | " + " | ".join(f"{share.get(name, 0):.1f}%" for share in shares) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
