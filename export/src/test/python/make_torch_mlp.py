"""Writes resources/onnx-models/torch-mlp: a PyTorch MLP exported by torch.onnx.export (the
TorchScript exporter, opset 17, dynamic batch), with two data sets of PyTorch's own outputs
(batch 5 and batch 2), in the layout of ONNX's node tests.

    /tmp/pyref/bin/python make_torch_mlp.py    (torch 2.13, onnx 1.23)
"""
from pathlib import Path

import onnx
import torch
from onnx import numpy_helper

out = Path(__file__).resolve().parents[1] / "resources" / "onnx-models" / "torch-mlp"
out.mkdir(parents=True, exist_ok=True)
torch.manual_seed(0)
model = torch.nn.Sequential(
    torch.nn.Linear(4, 16), torch.nn.GELU(), torch.nn.Dropout(0.2), torch.nn.Linear(16, 8), torch.nn.Tanh(),
    torch.nn.Flatten(), torch.nn.Linear(8, 3), torch.nn.LogSoftmax(dim=1)).eval()
torch.onnx.export(model, (torch.randn(5, 4),), str(out / "model.onnx"), input_names=["x"], output_names=["y"],
                  dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, dynamo=False, opset_version=17)
onnx.checker.check_model(onnx.load(out / "model.onnx"), full_check=True)
for i, batch in enumerate([5, 2]):
    x = torch.randn(batch, 4)
    with torch.no_grad():
        y = model(x)
    d = out / f"test_data_set_{i}"
    d.mkdir(exist_ok=True)
    (d / "input_0.pb").write_bytes(numpy_helper.from_array(x.numpy(), "x").SerializeToString())
    (d / "output_0.pb").write_bytes(numpy_helper.from_array(y.numpy(), "y").SerializeToString())
print("wrote", out)
