"""PyTorch peer of DigitsCnnBenchmark: one eager training step of the digits CNN, timed here.

Same network, batches and optimizer as the Java benchmark: conv 3x3 16 (padding 1) -> ReLU -> max
pool 2 -> conv 3x3 32 (padding 1) -> ReLU -> max pool 2 -> flatten -> linear 10, cross entropy,
Adam lr 1e-3, batches of 32 8x8 digits (rows (37 (32 b + k) + 11) mod 1797, pixels / 16) going
round 8 batches, weights and optimizer starting again every 675 steps. Prints the median over 7
repeats of the mean time per step, on 1 thread and on all threads (--quick: shorter and fewer
repeats); with --json, a last line for the Bench runner: {"DigitsCnnBenchmark.cnnStep": {"peer":
[median seconds, half the spread]}}.
Run from the repository root: python3 benchmarks/peers/digits_cnn_torch.py [--quick] [--json]   (needs torch)
"""
import gzip
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

from timing import timed, train_step

HERE = os.path.dirname(os.path.abspath(__file__))
DIGITS = os.path.join(HERE, "../../core/src/main/resources/dev/janus/core/data/digits.csv.gz")


def batches():
    data = np.loadtxt(gzip.open(DIGITS), delimiter=",", dtype=np.float32)
    out = []
    for b in range(8):
        rows = [(37 * (32 * b + k) + 11) % 1797 for k in range(32)]
        out.append((torch.from_numpy(data[rows, :64] / 16).reshape(32, 1, 8, 8), torch.from_numpy(data[rows, 64]).long()))
    return out


def step_fn():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(128, 10))
    return train_step(model, lambda: torch.optim.Adam(model.parameters(), lr=1e-3), batches(), run=675)


if __name__ == "__main__":
    threads = torch.get_num_threads()
    print(f"torch {torch.__version__}")
    torch.set_num_threads(1)
    one = timed(step_fn())
    print(f"digits CNN train step, batch 32, 1 thread: {one[0] * 1e6:.1f} us")
    torch.set_num_threads(threads)
    every = timed(step_fn())
    print(f"digits CNN train step, batch 32, {threads} threads: {every[0] * 1e6:.1f} us")
    if "--json" in sys.argv:
        print(json.dumps({"DigitsCnnBenchmark.cnnStep": {"pytorch": list(one), f"pytorch{threads}threads": list(every)}}))
