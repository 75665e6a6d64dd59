"""Regenerates reference.txt: PyTorch's optimizers on a fixed parameter and gradient sequence.

p0[i] = cos(0.5 i), g_t[i] = sin(1.3 i + 0.7 t) (1 + 0.1 t) for i in 0..5, t = 1..5; the file
holds the parameter after the 5 steps, in float64 and float32 (each the default dtype while it
runs, so that NAdam's running product of mu is kept in that precision too). Run: python3 make_reference.py
"""
import math
import torch

CONFIGS = {
    "sgd": lambda p: torch.optim.SGD(p, lr=0.1),
    "sgd_momentum": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01),
    "sgd_nesterov": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    "adam": lambda p: torch.optim.Adam(p, lr=0.01),
    "adam_l2": lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
    "adamw": lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1),
    "rmsprop": lambda p: torch.optim.RMSprop(p, lr=0.01),
    "rmsprop_centered": lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, momentum=0.9, centered=True, weight_decay=0.01),
    "nadam": lambda p: torch.optim.NAdam(p, lr=0.01),
    "nadam_l2": lambda p: torch.optim.NAdam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, momentum_decay=0.5),
    "adamax": lambda p: torch.optim.Adamax(p, lr=0.01),
    "adamax_l2": lambda p: torch.optim.Adamax(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
    "adagrad": lambda p: torch.optim.Adagrad(p, lr=0.1),
    "adagrad_decays": lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.2, eps=1e-6),
}

with open("reference.txt", "w") as out:
    for name, make in CONFIGS.items():
        for dtype, label in ((torch.float64, "float64"), (torch.float32, "float32")):
            torch.set_default_dtype(dtype)  # NAdam keeps its mu product in the default dtype
            p = torch.tensor([math.cos(0.5 * i) for i in range(6)], dtype=dtype).reshape(2, 3).requires_grad_()
            opt = make([p])
            for t in range(1, 6):
                p.grad = torch.tensor([math.sin(1.3 * i + 0.7 * t) * (1 + 0.1 * t) for i in range(6)], dtype=dtype).reshape(2, 3)
                opt.step()
            out.write(name + " " + label + " " + " ".join(repr(float(v)) for v in p.detach().reshape(-1)) + "\n")
