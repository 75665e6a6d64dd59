"""References for TrainingReferenceTest: small Keras-style models trained by PyTorch.

Dense layers are y = x @ kernel + bias with kernel [in, out] (Keras layout); weights are
0.5 sin(1.7 seed + 0.37 i) row-major, seeds 1, 2, 3, 4 for kernel, bias, kernel_1, bias_1.
Batches are taken in order (no shuffling); the epoch loss is the mean over samples, as Keras logs it.
Run: /tmp/pyref/bin/python make_training_reference.py > training_reference.txt
"""
import math
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)


def weights(seed, *shape):
    n = math.prod(shape)
    return torch.tensor([0.5 * math.sin(seed * 1.7 + i * 0.37) for i in range(n)]).reshape(shape).requires_grad_()


def run(name, n_in, hidden, n_out, act, loss_fn, make_opt, x, y, batch, epochs):
    params = [weights(1, n_in, hidden), weights(2, hidden), weights(3, hidden, n_out), weights(4, n_out)]
    opt = make_opt(params)
    losses = []
    for _ in range(epochs):
        total = 0.0
        for start in range(0, len(x), batch):
            xb, yb = x[start:start + batch], y[start:start + batch]
            opt.zero_grad()
            z = act(xb @ params[0] + params[1]) @ params[2] + params[3]
            loss = loss_fn(z, yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
        losses.append(total / len(x))
    print(name, "losses", " ".join(repr(v) for v in losses))
    for wname, p in zip(("dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"), params):
        print(name, wname, " ".join(repr(v) for v in p.detach().flatten().tolist()))


rows = 12
x4 = torch.tensor([[math.cos(0.9 * r + 1.3 * c) for c in range(4)] for r in range(rows)])
run("softmax_adam", 4, 8, 3, torch.relu, lambda z, y: F.cross_entropy(z, y),
    lambda p: torch.optim.Adam(p, lr=0.01), x4, torch.tensor([r % 3 for r in range(rows)]), 4, 3)

x3 = torch.tensor([[math.sin(0.7 * r - 0.4 * c) for c in range(3)] for r in range(rows)])
run("sigmoid_sgd", 3, 5, 1, torch.tanh, lambda z, y: F.binary_cross_entropy_with_logits(z, y),
    lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), x3, torch.tensor([[float(r % 2)] for r in range(rows)]), 5, 2)

x2 = torch.tensor([[math.cos(0.5 * r + c) for c in range(2)] for r in range(rows)])
t2 = torch.tensor([[math.sin(0.3 * r), math.cos(0.2 * r)] for r in range(rows)])
run("mse_rmsprop", 2, 4, 2, F.elu, lambda z, y: F.mse_loss(z, y),
    lambda p: torch.optim.RMSprop(p, lr=0.01), x2, t2, 6, 2)
