"""PyTorch CUDA peer of GpuBenchmark: the same training steps on the same GPU (cuda:0).

mlpStep: 784-512-512-10 at batch 1024 (8 batches of randn, labels (i + b) mod 10); cnnStep: the
digits CNN at batch 256 (rows (37 (256 b + k) + 11) mod 1797, pixels / 16); irisStep: the iris
MLP with dropout 0.3 at batch 16 (standardised, rows (37 (16 b + k) + 11) mod 150). Cross
entropy, Adam(lr 1e-3, eps 1e-7); weights and optimizer start again every 400 steps; batches are
on the GPU before timing; each step ends with loss.item(), as the Java side reads its loss back.
Prints the median over 7 repeats of the mean time per step (--quick: fewer, shorter); with --json,
a last line for the Bench runner: {"GpuBenchmark.case": {"pytorchCuda": [seconds, half spread]}}.
Run from the repository (or gpu-check bundle) root: python3 benchmarks/peers/gpu_torch.py [--quick] [--json]
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
DATA = os.path.join(HERE, "../../core/src/main/resources/dev/janus/core/data")
GPU = torch.device("cuda:0")


def step_fn(model, batches, run=400):
    """timing.train_step on the GPU, each step ending with loss.item() (the Java side reads its loss back)."""
    model = model.to(GPU)
    batches = [(x.to(GPU), y.to(GPU)) for x, y in batches]
    step = train_step(model, lambda: torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7), batches, run)
    return lambda: step().item()


def mlp():
    torch.manual_seed(42)
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    batches = [(torch.randn(1024, 784), (torch.arange(1024) + b) % 10) for b in range(8)]
    return step_fn(model, batches)


def cnn():
    data = np.loadtxt(gzip.open(os.path.join(DATA, "digits.csv.gz")), delimiter=",", dtype=np.float32)
    batches = []
    for b in range(8):
        rows = [(37 * (256 * b + k) + 11) % 1797 for k in range(256)]
        batches.append((torch.from_numpy(data[rows, :64] / 16).reshape(256, 1, 8, 8), torch.from_numpy(data[rows, 64]).long()))
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(128, 10))
    return step_fn(model, batches)


def iris():
    rows = [line.strip().split(",") for line in open(os.path.join(DATA, "iris.csv"))][1:]
    features = torch.tensor([[float(v) for v in r[:4]] for r in rows], dtype=torch.float64)
    features = ((features - features.mean(0)) / features.std(0, unbiased=False)).float()
    labels = torch.tensor([int(r[4]) for r in rows])
    batches = []
    for b in range(8):
        idx = torch.tensor([(37 * (16 * b + k) + 11) % 150 for k in range(16)])
        batches.append((features[idx], labels[idx]))
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Dropout(0.3), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 3))
    return step_fn(model, batches)


if __name__ == "__main__":
    if not torch.cuda.is_available():
        sys.exit("gpu_torch.py: torch " + torch.__version__ + " sees no CUDA device")
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name(0)}, CUDA {torch.version.cuda}")
    results = {}
    for case, make in (("mlpStep", mlp), ("cnnStep", cnn), ("irisStep", iris)):
        t = timed(make())
        print(f"{case}: {t[0] * 1e6:.1f} us per step")
        results[f"GpuBenchmark.{case}"] = {"pytorchCuda": list(t)}
    if "--json" in sys.argv:
        print(json.dumps(results))
