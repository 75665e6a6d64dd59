"""PyTorch peer of WidthSweepBenchmark: one training step of an MLP w -> w -> w -> 10 at batch 256.

Same model, data and optimizer as the Java benchmark: Linear(w, w), ReLU, Linear(w, w), ReLU,
Linear(w, 10), cross entropy, Adam lr 1e-3, x ~ N(0, 1) [256, w], labels i mod 10; weights and
optimizer state start again every 400 steps. For each w in 32, 128, 512, 2048 prints the median
over 7 repeats of the mean time per step on 1 thread and on all threads (--quick: shorter and fewer
repeats); with --json, a last line for the Bench runner:
{"WidthSweepBenchmark.trainStep[w=32]": {"pytorch": [seconds, spread], "pytorchNthreads": [...]}, ...}.
Run: python3 benchmarks/peers/width_sweep_torch.py [--quick] [--json]   (needs torch)
"""
import json
import sys

import torch
import torch.nn as nn

from timing import timed, train_step

WIDTHS = (32, 128, 512, 2048)


def step_fn(w):
    torch.manual_seed(42)
    model = nn.Sequential(nn.Linear(w, w), nn.ReLU(), nn.Linear(w, w), nn.ReLU(), nn.Linear(w, 10))
    x, y = torch.randn(256, w), torch.arange(256) % 10
    return train_step(model, lambda: torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7), [(x, y)])


if __name__ == "__main__":
    threads = torch.get_num_threads()
    print(f"torch {torch.__version__}")
    out = {}
    for w in WIDTHS:
        torch.set_num_threads(1)
        one = timed(step_fn(w))
        torch.set_num_threads(threads)
        every = timed(step_fn(w))
        print(f"mlp {w}-{w}-{w}-10 train step, batch 256: 1 thread {one[0] * 1e6:.1f} us, {threads} threads {every[0] * 1e6:.1f} us")
        out[f"WidthSweepBenchmark.trainStep[w={w}]"] = {"pytorch": list(one), f"pytorch{threads}threads": list(every)}
    if "--json" in sys.argv:
        print(json.dumps(out))
