"""Reference for TrainingStepTest: the Models.mlp network (no dropout) trained by torch.optim.Adam.

Weights are 0.5 sin(1.7 seed + 0.37 i) in row-major order, kernels stored [in, out] (Keras
layout), so y = x @ kernel + bias. Data: x[r, c] = cos(0.9 r + 1.3 c), label r % 3, 6 rows.
Writes one line per tensor: name, then values (losses per step first). Run with
/tmp/pyref/bin/python make_mlp_adam.py > mlp_adam.txt
"""
import math
import torch

torch.set_default_dtype(torch.float64)


def weights(seed, *shape):
    n = math.prod(shape)
    return torch.tensor([0.5 * math.sin(seed * 1.7 + i * 0.37) for i in range(n)]).reshape(shape).requires_grad_()


for dtype_name, dtype in (("float64", torch.float64), ("float32", torch.float32)):
    k1, b1, k2, b2 = weights(1, 4, 8), weights(2, 8), weights(3, 8, 3), weights(4, 3)
    params = [p.detach().to(dtype).requires_grad_() for p in (k1, b1, k2, b2)]
    x = torch.tensor([[math.cos(0.9 * r + 1.3 * c) for c in range(4)] for r in range(6)], dtype=dtype)
    y = torch.tensor([r % 3 for r in range(6)])
    opt = torch.optim.Adam(params, lr=0.01)
    losses = []
    for step in range(10):
        opt.zero_grad()
        h = torch.relu(x @ params[0] + params[1])
        z = h @ params[2] + params[3]
        loss = torch.nn.functional.cross_entropy(z, y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    print(dtype_name, "losses", " ".join(repr(v) for v in losses))
    for name, p in zip(("dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"), params):
        print(dtype_name, name, " ".join(repr(v) for v in p.detach().to(torch.float64).flatten().tolist()))
