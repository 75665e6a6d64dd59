"""PyTorch peer of IrisStepBenchmark: one eager training step of the iris MLP on a batch of 16.

4 -> 64 -> ReLU -> Dropout(0.3) -> 32 -> ReLU -> 3, CrossEntropyLoss, Adam(lr=1e-3); the step is
zero_grad, forward, loss, backward, step, as in Java, on one thread. As in Java, the steps go
round 8 batches of standardised iris (rows (37 (16 b + k) + 11) mod 150) and training restarts
from the initial weights every 400 steps (see the Java class for why). Prints the mean time per
step of each of 5 one-second rounds after 2 warm-up rounds, in microseconds (--quick: 3 rounds of
0.5 s after 2); with --json, a last line for the Bench runner: {"IrisStepBenchmark.irisStep":
{"pytorch": [mean seconds, half the spread]}}.

Run: python3 benchmarks/peers/eager_step_torch.py [--quick] [--json]
"""
import copy
import json
import os
import sys
import time

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
IRIS = os.path.join(HERE, "../../core/src/main/resources/dev/janus/core/data/iris.csv")
QUICK = "--quick" in sys.argv

torch.set_num_threads(1)
torch.manual_seed(0)
rows = [line.strip().split(",") for line in open(IRIS)][1:]
features = torch.tensor([[float(v) for v in r[:4]] for r in rows], dtype=torch.float64)
features = ((features - features.mean(0)) / features.std(0, unbiased=False)).float()
labels = torch.tensor([int(r[4]) for r in rows])
batches = []
for b in range(8):
    idx = torch.tensor([(37 * (16 * b + k) + 11) % 150 for k in range(16)])
    batches.append((features[idx], labels[idx]))

model = nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Dropout(0.3), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 3))
initial = copy.deepcopy(model.state_dict())
loss_fn = nn.CrossEntropyLoss()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
step_count = 0


def step():
    global opt, step_count
    if step_count == 400:
        model.load_state_dict(initial)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        step_count = 0
    x, y = batches[step_count % 8]
    step_count += 1
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()


seconds, measured = (0.5, 3) if QUICK else (1.0, 5)
rounds = []
for r in range(2 + measured):
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        step()
        n += 1
    if r >= 2:
        rounds.append((time.perf_counter() - start) / n * 1e6)
print("torch", torch.__version__, "eager iris step (batch 16), us per step:", " ".join(f"{t:.1f}" for t in rounds))
mean = sum(rounds) / len(rounds)
print(f"mean {mean:.1f} us")
if "--json" in sys.argv:
    print(json.dumps({"IrisStepBenchmark.irisStep": {"pytorch": [mean * 1e-6, (max(rounds) - min(rounds)) / 2 * 1e-6]}}))
