"""PyTorch peer of EagerStepBenchmark: one eager training step of the iris MLP on a batch of 16.

4 -> 64 -> ReLU -> Dropout(0.3) -> 32 -> ReLU -> 3, CrossEntropyLoss, Adam(lr=1e-3); the step is
zero_grad, forward, loss, backward, step, as in Java. One thread, as the JMH runs use per step.
Prints the mean time per step of each of 5 one-second rounds after 2 warm-up rounds, in µs.

Run: python3 benchmarks/peers/eager_step_torch.py
"""
import time

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
x = torch.randn(16, 4)
y = torch.randint(0, 3, (16,))
model = nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Dropout(0.3), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 3))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()


def step():
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()


rounds = []
for r in range(7):
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < 1.0:
        step()
        n += 1
    if r >= 2:
        rounds.append((time.perf_counter() - start) / n * 1e6)
print("torch", torch.__version__, "eager iris step (batch 16), us per step:", " ".join(f"{t:.1f}" for t in rounds))
print(f"mean {sum(rounds) / len(rounds):.1f} us")
