"""Regenerates reference.txt: PyTorch's nn layers (forward values, gradients, batch norm's running
statistics) for the eager layers' tests, in float64.

Every input and parameter follows one formula that the Java tests repeat exactly (core's
Reference.pattern): element i of pattern(seed, scale) is ((37 i + 11 seed) mod 101 - 50) * scale.
Parameter number k (in named_parameters order) is pattern(20 + k, scale); the input is
pattern(1, 1/32). The objective is sum over the outputs j of sum(output_j * pattern(100 + j, 1/32)),
so each output element gets its own weight; its gradient is written for the input (if float), the
initial states given, and every parameter.

Each line is: case output dims values..., dims joined by 'x' ("scalar" for none).
Run from this folder: python3 make_reference.py (needs torch).
"""
import os

import numpy as np
import torch
import torch.nn as nn

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
LINES = []


def pattern(seed, shape, scale=1 / 32):
    n = int(np.prod(shape))
    v = [((37 * i + 11 * seed) % 101 - 50) * scale for i in range(n)]
    return torch.tensor(v, dtype=torch.float64).reshape(shape)


def emit(case, output, t):
    t = torch.as_tensor(t).detach()
    dims = "x".join(str(d) for d in t.shape) if t.dim() else "scalar"
    vals = " ".join(repr(float(v)) for v in t.reshape(-1).tolist())
    LINES.append(f"{case} {output} {dims} {vals}")


def load(module, scale):
    with torch.no_grad():
        for k, (name, p) in enumerate(module.named_parameters()):
            p.copy_(pattern(20 + k, p.shape, scale))


def check(case, module, x, forward=None, scale=1 / 32, extra=()):
    """Loads the parameters, runs forward(module, x, *extra) -> outputs, backward of the objective."""
    load(module, scale)
    if x.is_floating_point():
        x.requires_grad_(True)
    for e in extra:
        e.requires_grad_(True)
    outs = forward(module, x, *extra) if forward else [module(x)]
    objective = sum((o * pattern(100 + j, o.shape)).sum() for j, o in enumerate(outs))
    objective.backward()
    for j, o in enumerate(outs):
        emit(case, f"out{j}", o)
    if x.is_floating_point():
        emit(case, "grad.input", x.grad)
    for k, e in enumerate(extra):
        emit(case, f"grad.state{k}", e.grad)
    for name, p in module.named_parameters():
        emit(case, "grad." + name, p.grad)


# ---------------------------------------------------------------- convolution and pooling

check("conv1d", nn.Conv1d(3, 4, 3, stride=2, padding=1, dilation=2), pattern(1, [2, 3, 9]))
check("conv2d_groups", nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2), pattern(1, [2, 4, 7, 6]))
check("conv2d_same", nn.Conv2d(2, 3, (4, 3), padding="same", dilation=(1, 2), bias=False), pattern(1, [1, 2, 5, 6]))
check("max_pool", nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), pattern(1, [2, 3, 7, 7]))
check("max_pool_dilated", nn.MaxPool2d(2, stride=1, dilation=2), pattern(1, [1, 2, 5, 5]))
check("avg_pool", nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), pattern(1, [2, 2, 6, 6]))
check("avg_pool_default", nn.AvgPool2d(2), pattern(1, [1, 2, 5, 4]))
check("adaptive_1", nn.AdaptiveAvgPool2d(1), pattern(1, [2, 3, 5, 4]))
check("adaptive_3x2", nn.AdaptiveAvgPool2d((3, 2)), pattern(1, [1, 2, 7, 5]))
check("adaptive_2", nn.AdaptiveAvgPool2d(2), pattern(1, [1, 2, 6, 4]))

# ---------------------------------------------------------------- normalisation


def batch_norm(case, bn, shape):
    """Training step 1 (values and gradients), training step 2 on another batch, then eval."""
    check(case, bn, pattern(1, shape))
    with torch.no_grad():
        bn(pattern(2, shape))
    emit(case, "running_mean", bn.running_mean)
    emit(case, "running_var", bn.running_var)
    emit(case, "num_batches_tracked", bn.num_batches_tracked)
    bn.eval()
    with torch.no_grad():
        emit(case, "eval", bn(pattern(3, shape)))


batch_norm("batch_norm2d", nn.BatchNorm2d(3), [4, 3, 3, 2])
batch_norm("batch_norm1d_cumulative", nn.BatchNorm1d(5, momentum=None), [6, 5])
batch_norm("batch_norm1d_sequence", nn.BatchNorm1d(3, eps=1e-3, momentum=0.3, affine=False), [4, 3, 5])
check("layer_norm", nn.LayerNorm((3, 4)), pattern(1, [2, 3, 4]))
check("layer_norm_plain", nn.LayerNorm(4, elementwise_affine=False), pattern(1, [2, 5, 4]))
check("embedding", nn.Embedding(7, 3, padding_idx=2), torch.tensor([[1, 2, 0, 6], [2, 5, 1, 1]]))

# ---------------------------------------------------------------- recurrent


def lstm_states(m, x, h0, c0):
    y, (h, c) = m(x, (h0, c0))
    return [y, h, c]


def lstm_zero(m, x):
    y, (h, c) = m(x)
    return [y, h, c]


def gru_state(m, x, h0):
    y, h = m(x, h0)
    return [y, h]


def gru_zero(m, x):
    y, h = m(x)
    return [y, h]


small = 1 / 64
check("lstm_deep", nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True), pattern(1, [2, 5, 3]), lstm_states, small,
      (pattern(2, [4, 2, 4]), pattern(3, [4, 2, 4])))
check("lstm", nn.LSTM(3, 5), pattern(1, [4, 2, 3]), lstm_zero, small)
check("gru_deep", nn.GRU(3, 4, num_layers=2, bidirectional=True), pattern(1, [5, 2, 3]), gru_state, small, (pattern(2, [4, 2, 4]),))
check("gru_plain", nn.GRU(2, 3, batch_first=True, bias=False), pattern(1, [2, 4, 2]), gru_zero, small)

with open(os.path.join(HERE, "reference.txt"), "w") as f:
    f.write("\n".join(LINES) + "\n")
