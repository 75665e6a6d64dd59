"""Regenerates layers_reference.txt: the Keras-style layers as Keras defines them, computed by PyTorch
in float64 (Keras is not available here, so each layer's documented formula is written in PyTorch:
channels-last data permuted to PyTorch's channels-first, TensorFlow's "same" padding made explicit,
Keras's kernels transposed and their gates reordered into nn.LSTM / nn.GRU, GRU with reset_after
False written out step by step, BatchNormalization's moving averages with Keras's momentum and the
biased variance).

Inputs and weights follow core's Reference.pattern: element i of pattern(seed, scale) is
((37 i + 11 seed) mod 101 - 50) * scale. The input is pattern(1, 1/32); weight number k, in the
layer's weight order, is pattern(20 + k, scale). The objective is sum(output * pattern(100, 1/32));
its gradient is written for the input (unless it holds indices) and for every weight.
Each line is: case output dims values...
Run from this folder: python3 make_layers_reference.py (needs torch).
"""
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

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
    LINES.append(f"{case} {output} {dims} " + " ".join(repr(float(v)) for v in t.reshape(-1).tolist()))


def check(case, x, shapes, forward, scale=1 / 32, names=None, grad_input=True):
    ws = [pattern(20 + k, s, scale).requires_grad_() for k, s in enumerate(shapes)]
    if grad_input:
        x.requires_grad_()
    y = forward(x, *ws)
    emit(case, "out", y)
    (y * pattern(100, y.shape)).sum().backward()
    if grad_input:
        emit(case, "grad.input", x.grad)
    for k, w in enumerate(ws):
        if w.grad is not None:
            emit(case, f"grad.{k}", w.grad)


def same_pads(size, k, s, d=1):
    """TensorFlow's SAME: (before, after)."""
    out = -(-size // s)
    total = max(0, (out - 1) * s + (k - 1) * d + 1 - size)
    return total // 2, total - total // 2


def nchw(x):
    return x.permute(0, 3, 1, 2)


def nhwc(x):
    return x.permute(0, 2, 3, 1)


# ---------------------------------------------------------------- Conv2D


def conv2d(kernel_size, strides, padding, dilation, groups, act):
    def forward(x, kernel, bias):
        xc = nchw(x)
        if padding == "same":
            ph = same_pads(x.shape[1], kernel_size[0], strides[0], dilation[0])
            pw = same_pads(x.shape[2], kernel_size[1], strides[1], dilation[1])
            xc = F.pad(xc, [pw[0], pw[1], ph[0], ph[1]])
        y = F.conv2d(xc, kernel.permute(3, 2, 0, 1), bias, stride=strides, dilation=dilation, groups=groups)
        return act(nhwc(y))
    return forward


check("conv2d_same", pattern(1, [2, 5, 6, 3]), [[3, 2, 3, 4], [4]], conv2d([3, 2], [2, 2], "same", [1, 1], 1, torch.tanh), 1 / 64)
check("conv2d_dilated_groups", pattern(1, [1, 7, 7, 2]), [[3, 3, 1, 4], [4]], conv2d([3, 3], [1, 1], "valid", [2, 2], 2, torch.relu), 1 / 64)

# ---------------------------------------------------------------- pooling


def max_pool_same(x):
    ph, pw = same_pads(x.shape[1], 3, 2), same_pads(x.shape[2], 3, 2)
    xc = F.pad(nchw(x), [pw[0], pw[1], ph[0], ph[1]], value=-math.inf)
    return nhwc(F.max_pool2d(xc, 3, 2))


def avg_pool_same(x):
    """Padding never counts: the window sum over the number of real pixels in it."""
    ph, pw = same_pads(x.shape[1], 3, 2), same_pads(x.shape[2], 3, 2)
    pads = [pw[0], pw[1], ph[0], ph[1]]
    sums = F.avg_pool2d(F.pad(nchw(x), pads), 3, 2)
    counts = F.avg_pool2d(F.pad(torch.ones_like(nchw(x)), pads), 3, 2)
    return nhwc(sums / counts)


check("max_pool_same", pattern(1, [2, 5, 5, 3]), [], lambda x: max_pool_same(x))
check("max_pool_valid", pattern(1, [1, 5, 4, 2]), [], lambda x: nhwc(F.max_pool2d(nchw(x), 2, 2)))
check("avg_pool_same", pattern(1, [1, 6, 5, 2]), [], lambda x: avg_pool_same(x))
check("global_avg_pool", pattern(1, [2, 3, 4, 5]), [], lambda x: x.mean(dim=(1, 2)))

# ---------------------------------------------------------------- normalisation


def batch_norm_train(x, gamma, beta, mm, mv):
    axes = tuple(range(x.dim() - 1))
    mean, var = x.mean(dim=axes), x.var(dim=axes, unbiased=False)
    return (x - mean) / torch.sqrt(var + 1e-3) * gamma + beta


def batch_norm(case, shape):
    c = shape[-1]
    x = pattern(1, shape)
    check(case, x, [[c], [c], [c], [c]], batch_norm_train)
    # The moving averages after that training call: momentum 0.99, the biased variance.
    axes = tuple(range(len(shape) - 1))
    mm, mv = pattern(22, [c]), pattern(23, [c])
    emit(case, "moving_mean", 0.99 * mm + 0.01 * x.detach().mean(dim=axes))
    emit(case, "moving_variance", 0.99 * mv + 0.01 * x.detach().var(dim=axes, unbiased=False))
    # Inference with the stored (pattern) averages; the variance made positive as Java does (abs + 0.5).
    mvp = mv.abs() + 0.5
    emit(case, "inference", (x - mm) / torch.sqrt(mvp + 1e-3) * pattern(20, [c]) + pattern(21, [c]))


batch_norm("batch_norm_images", [4, 3, 2, 5])
batch_norm("batch_norm_features", [6, 4])
check("layer_norm", pattern(1, [2, 3, 6]), [[6], [6]],
      lambda x, g, b: (x - x.mean(-1, keepdim=True)) / torch.sqrt(x.var(-1, unbiased=False, keepdim=True) + 1e-3) * g + b)
check("embedding", torch.tensor([[1.0, 2.0, 0.0], [4.0, 4.0, 3.0]]), [[5, 3]], lambda i, w: w[i.long()], grad_input=False)

# ---------------------------------------------------------------- recurrent


def lstm(return_sequences):
    def forward(x, kernel, recurrent, bias):
        units = recurrent.shape[0]
        # Keras's gates i, f, c, o are PyTorch's i, f, g, o: only the layout differs; one bias.
        m = torch.nn.LSTM(x.shape[2], units, batch_first=True)
        params = {"weight_ih_l0": kernel.t(), "weight_hh_l0": recurrent.t(), "bias_ih_l0": bias, "bias_hh_l0": torch.zeros(4 * units)}
        y, _ = torch.func.functional_call(m, params, (x,))
        return y if return_sequences else y[:, -1]
    return forward


def zrh_to_rzn(t, units):
    """Keras's GRU gate blocks z, r, h (last axis) as PyTorch's r, z, n."""
    return torch.cat([t[..., units:2 * units], t[..., :units], t[..., 2 * units:]], dim=-1)


def gru_reset_after(return_sequences):
    def forward(x, kernel, recurrent, bias):
        units = recurrent.shape[0]
        m = torch.nn.GRU(x.shape[2], units, batch_first=True)
        params = {"weight_ih_l0": zrh_to_rzn(kernel, units).t(), "weight_hh_l0": zrh_to_rzn(recurrent, units).t(),
                  "bias_ih_l0": zrh_to_rzn(bias[0], units), "bias_hh_l0": zrh_to_rzn(bias[1], units)}
        y, _ = torch.func.functional_call(m, params, (x,))
        return y if return_sequences else y[:, -1]
    return forward


def gru_reset_before(x, kernel, recurrent, bias):
    """Keras's GRU with reset_after=False: the reset gate scales h before the recurrent product."""
    units = recurrent.shape[0]
    h = torch.zeros(x.shape[0], units)
    outs = []
    for t in range(x.shape[1]):
        xw = x[:, t] @ kernel + bias
        z = torch.sigmoid(xw[:, :units] + h @ recurrent[:, :units])
        r = torch.sigmoid(xw[:, units:2 * units] + h @ recurrent[:, units:2 * units])
        hh = torch.tanh(xw[:, 2 * units:] + (r * h) @ recurrent[:, 2 * units:])
        h = z * h + (1 - z) * hh
        outs.append(h)
    return torch.stack(outs, dim=1)


small = 1 / 64
check("lstm_sequences", pattern(1, [2, 4, 3]), [[3, 20], [5, 20], [20]], lstm(True), small)
check("lstm_last", pattern(1, [3, 5, 2]), [[2, 16], [4, 16], [16]], lstm(False), small)
check("gru_sequences", pattern(1, [2, 3, 3]), [[3, 12], [4, 12], [2, 12]], gru_reset_after(True), small)
check("gru_last", pattern(1, [2, 4, 2]), [[2, 9], [3, 9], [2, 9]], gru_reset_after(False), small)
check("gru_reset_before", pattern(1, [2, 3, 3]), [[3, 12], [4, 12], [12]], gru_reset_before, small)

with open(os.path.join(HERE, "layers_reference.txt"), "w") as f:
    f.write("\n".join(LINES) + "\n")
