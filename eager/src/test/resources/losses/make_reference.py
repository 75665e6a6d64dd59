"""Regenerates losses.txt: PyTorch's losses and their input gradients on fixed float64 inputs.

input[i, j] = 2 sin(1.3 i + 0.7 j) for a [4, 3] batch; labels = [0, 2, 1, 2];
regression target[i, j] = cos(0.9 i + 0.4 j); binary target = (target + 1) / 2.
Each line: loss reduction | loss values | d(sum of loss values)/d input. Run: python3 make_reference.py
"""
import math
import torch
import torch.nn as nn

N, C = 4, 3
x0 = torch.tensor([[2 * math.sin(1.3 * i + 0.7 * j) for j in range(C)] for i in range(N)], dtype=torch.float64)
labels = torch.tensor([0, 2, 1, 2])
reg = torch.tensor([[math.cos(0.9 * i + 0.4 * j) for j in range(C)] for i in range(N)], dtype=torch.float64)
binary = (reg + 1) / 2

CASES = {
    "cross_entropy": lambda r: (nn.CrossEntropyLoss(reduction=r), labels, lambda x: x),
    "cross_entropy_smoothing": lambda r: (nn.CrossEntropyLoss(reduction=r, label_smoothing=0.2), labels, lambda x: x),
    "nll": lambda r: (nn.NLLLoss(reduction=r), labels, lambda x: torch.log_softmax(x, 1)),
    "mse": lambda r: (nn.MSELoss(reduction=r), reg, lambda x: x),
    "l1": lambda r: (nn.L1Loss(reduction=r), reg, lambda x: x),
    "bce_with_logits": lambda r: (nn.BCEWithLogitsLoss(reduction=r), binary, lambda x: x),
}

with open("losses.txt", "w") as f:
    for name, make in CASES.items():
        for reduction in ("mean", "sum", "none"):
            loss, target, prep = make(reduction)
            x = x0.clone().requires_grad_()
            out = loss(prep(x), target)
            out.sum().backward()
            values = " ".join(repr(float(v)) for v in out.detach().reshape(-1))
            grads = " ".join(repr(float(v)) for v in x.grad.reshape(-1))
            f.write(f"{name} {reduction} | {values} | {grads}\n")
