"""Regenerates schedules.txt: PyTorch's learning-rate schedules, 40 epochs each.

Each line: name, then the learning rate after each of 40 scheduler steps (the optimizer starts at
lr 0.1). The plateau schedules step on the metric m_t = 1 / (1 + t) for t < 10, then flat or
noisy, so that cuts, cooldown and min_lr all show. Run: python3 make_schedules.py
"""
import math
import torch

EPOCHS = 40


def metric(t):
    return 1.0 / (1 + t) if t < 10 else 0.09 + 0.001 * math.sin(t)


def run(make, plateau=False):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1)
    sched = make(opt)
    out = []
    for t in range(EPOCHS):
        opt.step()
        if plateau:
            sched.step(metric(t))
        else:
            sched.step()
        out.append(opt.param_groups[0]["lr"])
    return out


S = torch.optim.lr_scheduler
CONFIGS = {
    "step": lambda o: S.StepLR(o, step_size=7, gamma=0.5),
    "exponential": lambda o: S.ExponentialLR(o, gamma=0.9),
    "cosine": lambda o: S.CosineAnnealingLR(o, T_max=15, eta_min=0.001),
    "plateau": lambda o: S.ReduceLROnPlateau(o),
    "plateau_tuned": lambda o: S.ReduceLROnPlateau(o, mode="max", factor=0.5, patience=2, threshold=0.01,
                                                   threshold_mode="abs", cooldown=3, min_lr=0.01),
}

with open("schedules.txt", "w") as f:
    for name, make in CONFIGS.items():
        lrs = run(make, plateau=name.startswith("plateau"))
        f.write(name + " " + " ".join(repr(float(v)) for v in lrs) + "\n")
