"""Regenerates reference.txt: 100 Adam steps of the iris MLP in PyTorch, float32, dropout off.

Model 4 -> 64 -> ReLU -> Dropout(0.3) -> 32 -> ReLU -> 3 in eval mode (dropout off), weights set by
formula: layer l (0, 1, 2) of shape [out, in] has W[o, i] = 0.5 sin(0.37 (o in + i) + l) / sqrt(in)
and b[o] = 0.1 cos(0.53 o + l), computed in float64 and rounded to float32. Step t (0..99) trains
on iris rows (37 (16 t + k) + 11) mod 150, k = 0..15, raw features from core's iris.csv, with
CrossEntropyLoss and Adam(lr=1e-3). The file holds "loss t value" lines, then "param name values".

Run from this folder: python3 make_reference.py
"""
import math
import os
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
IRIS = os.path.join(HERE, "../../../../../core/src/main/resources/dev/janus/core/data/iris.csv")

rows = [line.strip().split(",") for line in open(IRIS)][1:]
features = torch.tensor([[float(v) for v in r[:4]] for r in rows], dtype=torch.float32)
labels = torch.tensor([int(r[4]) for r in rows])

model = nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Dropout(0.3), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 3))
model.eval()
linears = [model[0], model[3], model[5]]
with torch.no_grad():
    for l, lin in enumerate(linears):
        out_f, in_f = lin.weight.shape
        w = [[0.5 * math.sin(0.37 * (o * in_f + i) + l) / math.sqrt(in_f) for i in range(in_f)] for o in range(out_f)]
        lin.weight.copy_(torch.tensor(w, dtype=torch.float64).float())
        lin.bias.copy_(torch.tensor([0.1 * math.cos(0.53 * o + l) for o in range(out_f)], dtype=torch.float64).float())

opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
torch.set_num_threads(1)
with open(os.path.join(HERE, "reference.txt"), "w") as f:
    for t in range(100):
        idx = torch.tensor([(37 * (16 * t + k) + 11) % 150 for k in range(16)])
        opt.zero_grad()
        loss = loss_fn(model(features[idx]), labels[idx])
        loss.backward()
        opt.step()
        f.write(f"loss {t} {float(loss.detach())!r}\n")
    for name, p in model.named_parameters():
        f.write("param " + name + " " + " ".join(repr(float(v)) for v in p.detach().reshape(-1)) + "\n")
