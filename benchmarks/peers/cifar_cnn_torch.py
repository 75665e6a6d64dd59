"""PyTorch peer of CifarCnnBenchmark: one eager training step of a CIFAR-sized CNN, timed here.

Same network, batch and optimizer as the Java benchmark: conv 3x3 32 (padding 1) -> ReLU -> max
pool 2 -> conv 3x3 64 (padding 1) -> ReLU -> max pool 2 -> flatten -> linear 128 -> ReLU -> linear
10, cross entropy, Adam lr 1e-3, four batches of 64 N(0, 1) images [64, 3, 32, 32] with labels
i mod 10 in turn, weights and optimizer starting again every 400 steps. Prints the median over 7
repeats of the mean time per step, on 1 thread and on all threads (--quick: shorter and fewer
repeats); with --json, a last line for the Bench runner: {"CifarCnnBenchmark.cnnStep": {"peer":
[median seconds, half the spread]}}.
Run: python3 benchmarks/peers/cifar_cnn_torch.py [--quick] [--json]   (needs torch)
"""
import json
import sys

import torch
import torch.nn as nn

from timing import timed, train_step


def step_fn():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(64 * 8 * 8, 128), nn.ReLU(), nn.Linear(128, 10))
    data = [(torch.randn(64, 3, 32, 32), (torch.arange(64) + 64 * b) % 10) for b in range(4)]
    return train_step(model, lambda: torch.optim.Adam(model.parameters(), lr=1e-3), data)


if __name__ == "__main__":
    threads = torch.get_num_threads()
    print(f"torch {torch.__version__}")
    torch.set_num_threads(1)
    one = timed(step_fn(), seconds=2.0, repeats=5)
    print(f"CIFAR-sized CNN train step, batch 64, 1 thread: {one[0] * 1e3:.2f} ms")
    torch.set_num_threads(threads)
    every = timed(step_fn(), seconds=2.0, repeats=5)
    print(f"CIFAR-sized CNN train step, batch 64, {threads} threads: {every[0] * 1e3:.2f} ms")
    if "--json" in sys.argv:
        print(json.dumps({"CifarCnnBenchmark.cnnStep": {"pytorch": list(one), f"pytorch{threads}threads": list(every)}}))
