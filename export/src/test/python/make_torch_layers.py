"""Writes resources/onnx-models/torch-cnn-opset13, torch-cnn-opset17 and torch-rnn: small PyTorch
models exported by torch.onnx.export (the TorchScript exporter, static shapes), each with two data
sets of PyTorch's own outputs, in the layout of ONNX's node tests.

- torch-cnn: Conv, ReLU, BatchNorm (eval, after the ReLU so that it is not folded into the Conv),
  MaxPool with ceil_mode, AvgPool counting the padding, ConvTranspose with output_padding, a
  dilated depthwise Conv, LayerNorm, Linear. At opset 13 PyTorch writes LayerNorm out in
  ReduceMean, Sub, Pow, Sqrt, Div, Mul, Add; at 17 as LayerNormalization.
- torch-rnn: a bidirectional LSTM into a GRU (PyTorch's GRU is linear_before_reset 1), initial
  states as inputs.

    /tmp/pyref/bin/python make_torch_layers.py    (torch 2.13, onnx 1.23)
"""
from pathlib import Path

import onnx
import torch
from onnx import numpy_helper

out = Path(__file__).resolve().parents[1] / "resources" / "onnx-models"
torch.manual_seed(0)


class Cnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(2, 4, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(4)
        self.pool = torch.nn.MaxPool2d(2, ceil_mode=True)
        self.avg = torch.nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=True)
        self.up = torch.nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1, output_padding=1)
        self.dw = torch.nn.Conv2d(3, 6, (3, 1), groups=3, dilation=(2, 1))
        self.ln = torch.nn.LayerNorm(6)
        self.fc = torch.nn.Linear(6, 5)

    def forward(self, x):
        h = self.pool(self.bn(torch.relu(self.conv(x))))
        h = self.dw(self.up(self.avg(h)))                 # [N, 6, H, W]
        return self.fc(self.ln(h.mean(dim=2).transpose(1, 2)))   # normalised over the channels


class Rnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(3, 4, bidirectional=True)
        self.gru = torch.nn.GRU(8, 5)

    def forward(self, x, h0, c0, g0):
        y, _ = self.lstm(x, (h0, c0))
        return self.gru(y, g0)


def write(name, model, data_sets, inputs, outputs, opset):
    d = out / name
    d.mkdir(parents=True, exist_ok=True)
    model.eval()
    torch.onnx.export(model, data_sets[0], str(d / "model.onnx"), input_names=inputs, output_names=outputs,
                      dynamo=False, opset_version=opset)
    m = onnx.load(d / "model.onnx")
    onnx.checker.check_model(m, full_check=True)
    print(name, sorted({n.op_type for n in m.graph.node}))
    for i, xs in enumerate(data_sets):
        with torch.no_grad():
            ys = model(*xs)
        ys = ys if isinstance(ys, tuple) else (ys,)
        s = d / f"test_data_set_{i}"
        s.mkdir(exist_ok=True)
        for k, t in enumerate(xs):
            (s / f"input_{k}.pb").write_bytes(numpy_helper.from_array(t.numpy(), inputs[k]).SerializeToString())
        for k, t in enumerate(ys):
            (s / f"output_{k}.pb").write_bytes(numpy_helper.from_array(t.numpy(), outputs[k]).SerializeToString())


cnn = Cnn()
with torch.no_grad():   # running statistics as a trained network has them
    cnn.bn.running_mean.uniform_(-0.5, 0.5)
    cnn.bn.running_var.uniform_(0.5, 2)
    cnn.bn.weight.uniform_(0.5, 1.5)
    cnn.bn.bias.uniform_(-0.5, 0.5)
images = [(torch.randn(3, 2, 9, 8),), (torch.randn(3, 2, 9, 8),)]
for opset in (13, 17):
    write(f"torch-cnn-opset{opset}", cnn, images, ["x"], ["y"], opset)
sequences = [tuple(torch.randn(*s) for s in [(6, 2, 3), (2, 2, 4), (2, 2, 4), (1, 2, 5)]) for _ in range(2)]
write("torch-rnn", Rnn(), sequences, ["x", "h0", "c0", "g0"], ["y", "h"], 17)
