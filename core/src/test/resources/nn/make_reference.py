"""Regenerates reference.txt: conv, pooling, normalisation and recurrent ops computed by PyTorch
(and, for GRU with linear_before_reset=0, which PyTorch has no module for, by ONNX's own reference
evaluator, cross-checked against ONNX Runtime), in float64.

Inputs follow one formula that the Java tests repeat exactly: element i of pattern(seed, scale)
is ((37 i + 11 seed) mod 101 - 50) * scale, and positive(seed) is ((37 i + 11 seed) mod 101 + 10) / 64.
Attributes are written in ONNX form (pads: all begins, then all ends); PyTorch calls get the same
geometry through F.pad and cropping where PyTorch's own padding is symmetric only.

Each line is: case output dims values..., dims joined by 'x'.
Run: python3 make_reference.py (needs torch, onnx, onnxruntime).
"""
import numpy as np
import onnx
import onnx.helper as oh
import onnxruntime as ort
import torch
import torch.nn.functional as F
from onnx.reference import ReferenceEvaluator

torch.set_default_dtype(torch.float64)
LINES = []


def pattern(seed, shape, scale=1 / 32):
    n = int(np.prod(shape))
    v = [((37 * i + 11 * seed) % 101 - 50) * scale for i in range(n)]
    return torch.tensor(v, dtype=torch.float64).reshape(shape)


def positive(seed, shape):
    n = int(np.prod(shape))
    v = [((37 * i + 11 * seed) % 101 + 10) / 64 for i in range(n)]
    return torch.tensor(v, dtype=torch.float64).reshape(shape)


def emit(case, output, t):
    t = torch.as_tensor(np.asarray(t))
    dims = "x".join(str(d) for d in t.shape) if t.dim() else "scalar"
    vals = " ".join(repr(float(v)) for v in t.reshape(-1).tolist())
    LINES.append(f"{case} {output} {dims} {vals}")


def torch_pad(x, pads):
    """ONNX pads [b1, b2, e1, e2] (or [b, e]) to F.pad's last-axis-first order."""
    r = len(pads) // 2
    order = []
    for i in reversed(range(r)):
        order += [pads[i], pads[r + i]]
    return F.pad(x, order)


# ---------------------------------------------------------------- conv

def conv(case, x, w, b, strides, pads, dilations, group):
    y = (F.conv2d if x.dim() == 4 else F.conv1d)(torch_pad(x, pads), w, b, stride=strides, dilation=dilations, groups=group)
    emit(case, "y", y)


conv("conv2d_basic", pattern(1, [2, 3, 5, 5]), pattern(2, [4, 3, 3, 3], 1 / 64), pattern(3, [4]), [1, 1], [0, 0, 0, 0], [1, 1], 1)
conv("conv2d_strided", pattern(4, [1, 2, 6, 7]), pattern(5, [3, 2, 3, 2], 1 / 64), pattern(6, [3]), [2, 1], [1, 0, 2, 1], [1, 2], 1)
conv("conv2d_groups", pattern(7, [2, 4, 5, 4]), pattern(8, [6, 2, 3, 3], 1 / 64), None, [2, 1], [1, 1, 1, 1], [1, 1], 2)
conv("conv2d_depthwise", pattern(9, [1, 3, 4, 4]), pattern(10, [3, 1, 2, 2], 1 / 64), pattern(11, [3]), [1, 1], [0, 0, 0, 0], [1, 1], 3)
# auto_pad SAME_UPPER, strides 2 on [5, 6] with a 3x3 kernel: out [3, 3], total pads [2, 1] -> begins [1, 0], ends [1, 1]
conv("conv2d_same", pattern(12, [1, 2, 5, 6]), pattern(13, [3, 2, 3, 3], 1 / 64), None, [2, 2], [1, 0, 1, 1], [1, 1], 1)
conv("conv1d", pattern(14, [2, 3, 9]), pattern(15, [4, 3, 3], 1 / 64), pattern(16, [4]), [2], [2, 1], [2], 1)


def conv_transpose(case, x, w, b, strides, pads, dilations, group, output_padding):
    f = F.conv_transpose2d if x.dim() == 4 else F.conv_transpose1d
    full = f(x, w, b, stride=strides, padding=0, output_padding=output_padding, groups=group, dilation=dilations)
    r = x.dim() - 2
    index = [slice(None), slice(None)] + [slice(pads[i], full.shape[2 + i] - pads[r + i]) for i in range(r)]
    emit(case, "y", full[tuple(index)])


conv_transpose("conv_transpose2d", pattern(17, [2, 3, 3, 3]), pattern(18, [3, 2, 3, 3], 1 / 64), pattern(19, [2]),
               [2, 2], [1, 1, 1, 1], [1, 1], 1, [1, 1])
conv_transpose("conv_transpose2d_groups", pattern(20, [1, 4, 3, 2]), pattern(21, [4, 1, 2, 3], 1 / 64), None,
               [2, 3], [0, 1, 1, 0], [2, 1], 2, [1, 0])
conv_transpose("conv_transpose1d", pattern(22, [2, 2, 4]), pattern(23, [2, 3, 3], 1 / 64), pattern(24, [3]),
               [3], [1, 2], [1], 1, [2])

# conv_weight_grad: the gradient of sum(g * conv(x, w)) with respect to w
x, g = pattern(25, [2, 2, 5, 5]), pattern(26, [2, 4, 3, 2])
w = torch.zeros([4, 1, 3, 2], requires_grad=True)
(F.conv2d(torch_pad(x, [1, 0, 1, 0]), w, stride=[2, 2], groups=2) * g).sum().backward()
emit("conv_weight_grad", "dw", w.grad)

# ---------------------------------------------------------------- pooling


def max_pool(case, x, kernel, strides, pads, dilations, ceil):
    f = F.max_pool2d if x.dim() == 4 else F.max_pool1d
    y, idx = f(x, kernel, strides, pads, dilations, ceil_mode=ceil, return_indices=True)
    # PyTorch counts indices within each plane; ONNX MaxPool over the whole flattened input.
    plane = int(np.prod(x.shape[2:]))
    planes = torch.arange(x.shape[0] * x.shape[1]).reshape(x.shape[0], x.shape[1], *([1] * (x.dim() - 2)))
    emit(case, "y", y)
    emit(case, "indices", idx + planes * plane)


max_pool("max_pool2d", pattern(27, [2, 2, 5, 5]), [2, 2], [2, 2], 0, 1, False)
max_pool("max_pool2d_ceil", pattern(28, [1, 2, 6, 6]), [3, 3], [2, 2], 1, 1, True)
max_pool("max_pool2d_dilated", pattern(29, [1, 1, 5, 5]), [2, 2], [1, 1], 0, 2, False)
max_pool("max_pool1d", pattern(30, [2, 2, 7]), [3], [2], 1, 1, False)


def avg_pool(case, x, kernel, strides, pads, ceil, include):
    f = F.avg_pool2d if x.dim() == 4 else F.avg_pool1d
    emit(case, "y", f(x, kernel, strides, pads, ceil_mode=ceil, count_include_pad=include))


avg_pool("avg_pool2d_ceil_include", pattern(31, [1, 2, 6, 6]), [3, 3], [2, 2], 1, True, True)
avg_pool("avg_pool2d_ceil_exclude", pattern(31, [1, 2, 6, 6]), [3, 3], [2, 2], 1, True, False)
avg_pool("avg_pool2d", pattern(32, [2, 3, 4, 5]), [2, 2], [2, 2], 0, False, True)
avg_pool("avg_pool1d", pattern(33, [2, 2, 7]), [3], [2], 1, False, False)

# ---------------------------------------------------------------- normalisation

emit("batch_norm4d", "y", F.batch_norm(pattern(34, [2, 3, 4, 5]), pattern(37, [3]), positive(38, [3]), pattern(35, [3]),
                                       pattern(36, [3]), training=False, eps=1e-3))
emit("batch_norm2d", "y", F.batch_norm(pattern(39, [4, 3]), pattern(42, [3]), positive(43, [3]), pattern(40, [3]),
                                       pattern(41, [3]), training=False, eps=1e-5))
emit("layer_norm_last", "y", F.layer_norm(pattern(44, [2, 3, 4]), [4], pattern(45, [4]), pattern(46, [4]), eps=1e-5))
emit("layer_norm_axis1", "y", F.layer_norm(pattern(47, [2, 3, 4]), [3, 4], pattern(48, [3, 4]), None, eps=1e-3))

# ---------------------------------------------------------------- recurrent


def reorder(t, blocks, order):
    """Rows of t in len(blocks) equal blocks, taken in the given order of block names."""
    parts = dict(zip(blocks, torch.chunk(t, len(blocks), dim=0)))
    return torch.cat([parts[k] for k in order], dim=0)


def torch_rnn(kind, x, W, R, B, h0, c0, direction):
    """ONNX-shaped weights into nn.LSTM / nn.GRU; returns ONNX-shaped Y, Y_h (, Y_c)."""
    D, H = W.shape[0], R.shape[2]
    onnx_order, torch_order = (("i", "o", "f", "c"), ("i", "f", "c", "o")) if kind == "lstm" else (("z", "r", "h"), ("r", "z", "h"))
    cls = torch.nn.LSTM if kind == "lstm" else torch.nn.GRU
    rnn = cls(x.shape[2], H, bidirectional=direction == "bidirectional")
    G = len(onnx_order)
    with torch.no_grad():
        for d in range(D):
            suffix = "_reverse" if d == 1 else ""
            getattr(rnn, "weight_ih_l0" + suffix).copy_(reorder(W[d], onnx_order, torch_order))
            getattr(rnn, "weight_hh_l0" + suffix).copy_(reorder(R[d], onnx_order, torch_order))
            getattr(rnn, "bias_ih_l0" + suffix).copy_(reorder(B[d, :G * H], onnx_order, torch_order))
            getattr(rnn, "bias_hh_l0" + suffix).copy_(reorder(B[d, G * H:], onnx_order, torch_order))
    seq = x.flip(0) if direction == "reverse" else x
    state = None if h0 is None else ((h0, c0) if kind == "lstm" else h0)
    with torch.no_grad():
        y, final = rnn(seq, state)
    if direction == "reverse":
        y = y.flip(0)
    y = y.reshape(x.shape[0], x.shape[1], D, H).permute(0, 2, 1, 3)
    return [y] + (list(final) if kind == "lstm" else [final])


def onnx_rnn(kind, inputs, dtype, **attrs):
    """Runs one ONNX LSTM/GRU node: by ONNX's reference evaluator in float64, or by ONNX Runtime in float32."""
    names = ["X", "W", "R", "B", "", "initial_h", "initial_c"][:len(inputs) + (1 if len(inputs) > 4 else 0)]
    feeds = [n for n in names if n]
    outs = ["Y", "Y_h"] + (["Y_c"] if kind == "LSTM" else [])
    elem = onnx.TensorProto.DOUBLE if dtype == np.float64 else onnx.TensorProto.FLOAT
    node = oh.make_node(kind, names, outs, **attrs)
    graph = oh.make_graph([node], "g", [oh.make_tensor_value_info(n, elem, None) for n in feeds],
                          [oh.make_tensor_value_info(n, elem, None) for n in outs])
    model = oh.make_model(graph, opset_imports=[oh.make_opsetid("", 14)], ir_version=8)
    values = {n: v.numpy().astype(dtype) for n, v in zip(feeds, inputs)}
    if dtype == np.float64:
        return ReferenceEvaluator(model).run(None, values)
    return ort.InferenceSession(model.SerializeToString()).run(None, values)


def rnn_case(case, kind, T, N, I, H, direction, states, seed, lbr=1):
    D = 2 if direction == "bidirectional" else 1
    G = 4 if kind == "lstm" else 3
    x = pattern(seed, [T, N, I])
    W, R, B = pattern(seed + 1, [D, G * H, I], 1 / 64), pattern(seed + 2, [D, G * H, H], 1 / 64), pattern(seed + 3, [D, 2 * G * H], 1 / 64)
    h0 = pattern(seed + 4, [D, N, H]) if states else None
    c0 = pattern(seed + 5, [D, N, H]) if states and kind == "lstm" else None
    inputs = [t for t in (x, W, R, B, h0, c0) if t is not None]
    attrs = dict(hidden_size=H, direction=direction)
    if kind == "gru":
        attrs["linear_before_reset"] = lbr
    if kind == "gru" and lbr == 0:
        outs = onnx_rnn("GRU", inputs, np.float64, **attrs)
    else:
        outs = [o.numpy() for o in torch_rnn(kind, x, W, R, B, h0, c0, direction)]
    # ONNX Runtime in float32 must agree: the weight mapping above is what the layers will use.
    check = onnx_rnn(kind.upper(), inputs, np.float32, **attrs)
    for a, b in zip(outs, check):
        assert np.allclose(a, b, rtol=1e-5, atol=1e-6), (case, np.abs(a - b).max())
    for name, o in zip(["y", "y_h", "y_c"], outs):
        emit(case, name, o)


rnn_case("lstm_forward", "lstm", 4, 2, 3, 5, "forward", True, 50)
rnn_case("lstm_bidirectional", "lstm", 3, 2, 3, 4, "bidirectional", False, 56)
rnn_case("lstm_reverse", "lstm", 3, 1, 2, 3, "reverse", True, 62)
rnn_case("gru_forward_lbr", "gru", 4, 2, 3, 5, "forward", True, 68)
rnn_case("gru_bidirectional_lbr", "gru", 3, 2, 3, 4, "bidirectional", False, 74)
rnn_case("gru_forward", "gru", 4, 2, 3, 5, "forward", True, 80, lbr=0)
rnn_case("gru_reverse", "gru", 3, 2, 3, 4, "reverse", False, 86, lbr=0)

with open("reference.txt", "w") as out:
    out.write("\n".join(LINES) + "\n")
