"""PyTorch peers of CompiledIrisBenchmark and CompiledMlpBenchmark, timed on this machine.

The iris training step's peer is eager_step_torch.py (the same step for both front ends).

Same models, batches and optimizer as the Java benchmarks: the iris MLP (4-64-32-3, dropout 0.3,
Adam, cross entropy) one training step and one inference at batch 16, on 1 thread; the
784-512-512-10 MLP one training step at batch 1024 on 1 thread and on all threads. As there,
weights and optimizer state start again every 400 steps. Prints the median over 7 repeats of the
mean time per step (--quick: shorter and fewer repeats); with --json, a last line for the Bench
runner: {"Class.case": {"peer": [median seconds, half the spread]}}.
Run: python3 benchmarks/peers/compiled_torch.py [--quick] [--json]   (needs torch; pip install torch)
"""
import json
import sys

import torch
import torch.nn as nn

from timing import timed, train_step


def iris():
    torch.manual_seed(42)
    model = nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Dropout(0.3), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 3))
    x, y = torch.randn(16, 4), torch.arange(16) % 3
    model.train()
    t_train = timed(train_step(model, lambda: torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7), [(x, y)]))
    model.eval()

    def infer():
        with torch.no_grad():
            return torch.softmax(model(x), dim=1)
    t_infer = timed(infer)
    return t_train, t_infer


def mlp():
    torch.manual_seed(42)
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    x, y = torch.randn(1024, 784), torch.arange(1024) % 10
    return timed(train_step(model, lambda: torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7), [(x, y)]),
                 seconds=2.0, repeats=5)


if __name__ == "__main__":
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    t_train, t_infer = iris()
    print(f"torch {torch.__version__}")
    print(f"iris train step, batch 16, 1 thread: {t_train[0] * 1e6:.1f} us")
    print(f"iris inference, batch 16, 1 thread: {t_infer[0] * 1e6:.1f} us")
    t_mlp1 = mlp()
    print(f"mlp 784-512-512-10 train step, batch 1024, 1 thread: {t_mlp1[0] * 1e3:.2f} ms")
    torch.set_num_threads(threads)
    t_mlp = mlp()
    print(f"mlp 784-512-512-10 train step, batch 1024, {threads} threads: {t_mlp[0] * 1e3:.2f} ms")
    if "--json" in sys.argv:
        print(json.dumps({
            "CompiledIrisBenchmark.inference": {"pytorch": list(t_infer)},
            "CompiledMlpBenchmark.trainStep": {"pytorch": list(t_mlp1), f"pytorch{threads}threads": list(t_mlp)},
        }))
