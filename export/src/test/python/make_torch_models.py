"""Writes resources/torch-models: nine small PyTorch models, each exported with every exporter setting
a PyTorch user meets (the TorchScript exporter and the dynamo exporter; opsets 17, 18 and the
exporter's default; weights inside the file or in external data), stored as ONNX test folders with
PyTorch's own outputs, and the 2-layer transformer encoder (d_model 64, 4 heads).

Each folder holds model.onnx (and model.onnx.data when the weights are external), meta.json (the
model, the exporter, the opset asked for and written, whether the batch is dynamic) and
test_data_set_0 (batch 2, the export's example). A dynamic export also has test_data_set_1 at batch
5, which the export never saw. The outputs are PyTorch's, in eval mode, float32.

Every batch is exported dynamic (dynamic_axes / dynamic_shapes on the first axis), as
`torch.onnx.export` users do, except for the static-batch model `static_mlp`. The sequence models
take batch-first input.

    /work/pyenv/bin/python make_torch_models.py    (torch 2.13, onnx 1.23, onnxscript 0.7)
"""
import json
import shutil
import warnings
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import numpy_helper

out = Path(__file__).resolve().parents[1] / "resources" / "torch-models"
warnings.filterwarnings("ignore")


class MlpBn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(6, 16)
        self.bn = torch.nn.BatchNorm1d(16)
        self.fc2 = torch.nn.Linear(16, 3)

    def forward(self, x):
        return self.fc2(torch.relu(self.bn(self.fc1(x))))


class Cnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.bn1 = torch.nn.BatchNorm2d(4)
        self.conv2 = torch.nn.Conv2d(4, 8, 3, padding=1)
        self.fc = torch.nn.Linear(8 * 2 * 2, 5)

    def forward(self, x):
        h = torch.max_pool2d(torch.relu(self.bn1(self.conv1(x))), 2)
        h = torch.max_pool2d(torch.relu(self.conv2(h)), 2)
        return self.fc(h.view(h.size(0), -1))


class ResBlock(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(4, 4, 3, padding=1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(4)
        self.conv2 = torch.nn.Conv2d(4, 4, 3, padding=1, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(4)

    def forward(self, x):
        h = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(x + self.bn2(self.conv2(h)))


class Lstm(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(5, 8, batch_first=True)
        self.fc = torch.nn.Linear(8, 3)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.fc(y[:, -1])


class Gru(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = torch.nn.GRU(5, 8, num_layers=2, batch_first=True)
        self.fc = torch.nn.Linear(8, 3)

    def forward(self, x):
        y, h = self.gru(x)
        return self.fc(h[-1])


class Embedding(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(20, 8)
        self.fc = torch.nn.Linear(8, 4)

    def forward(self, tokens):
        return self.fc(self.emb(tokens).mean(dim=1))


class EncoderLayer(torch.nn.Module):
    def __init__(self, d_model=16, heads=2, layers=1):
        super().__init__()
        layer = torch.nn.TransformerEncoderLayer(d_model, heads, dim_feedforward=2 * d_model, dropout=0.1, batch_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, layers, enable_nested_tensor=False) if layers > 1 else layer

    def forward(self, x):
        return self.encoder(x)


class DepthwiseBlock(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.dw = torch.nn.Conv2d(16, 16, 3, padding=1, groups=16)
        self.bn1 = torch.nn.BatchNorm2d(16)
        self.pw = torch.nn.Conv2d(16, 32, 1)
        self.bn2 = torch.nn.BatchNorm2d(32)

    def forward(self, x):
        h = torch.nn.functional.relu6(self.bn1(self.dw(x)))
        return torch.nn.functional.hardswish(self.bn2(self.pw(h)))


class DynamicBatch(torch.nn.Module):
    """Uses the batch size as a value: a per-sample flatten and a mean over the batch."""

    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(12, 32)

    def forward(self, x):
        flat = x.reshape(x.shape[0], -1)
        return self.fc(flat - flat.mean(dim=0, keepdim=True))


def example(name, batch, gen):
    if name == "embedding":
        return torch.randint(0, 20, (batch, 7), generator=gen)
    shapes = {"mlp_bn": (6,), "cnn": (1, 8, 8), "resblock": (4, 6, 6), "lstm": (7, 5), "gru": (7, 5),
              "encoder_layer": (6, 16), "depthwise": (16, 5, 5), "dynamic_batch": (3, 4), "static_mlp": (6,),
              "transformer": (6, 64)}
    return torch.randn((batch,) + shapes[name], generator=gen)


def models():
    torch.manual_seed(0)
    ms = {"mlp_bn": MlpBn(), "cnn": Cnn(), "resblock": ResBlock(), "lstm": Lstm(), "gru": Gru(), "embedding": Embedding(),
          "encoder_layer": EncoderLayer(), "depthwise": DepthwiseBlock(), "dynamic_batch": DynamicBatch()}
    # Batch norm statistics that are not the initial 0 and 1, so that using them wrongly shows.
    for m in ms.values():
        for mod in m.modules():
            if isinstance(mod, torch.nn.modules.batchnorm._BatchNorm):
                mod.running_mean.uniform_(-0.5, 0.5)
                mod.running_var.uniform_(0.5, 2.0)
                mod.weight.data.uniform_(0.5, 1.5)
                mod.bias.data.uniform_(-0.2, 0.2)
    return ms


def save(tensor, path):
    path.write_bytes(numpy_helper.from_array(tensor.detach().numpy()).SerializeToString())


def export(name, model, exporter, opset, external, dynamic=True):
    folder = out / f"{name}-{exporter}-{'opset' + str(opset) if opset else 'default'}-{'external' if external else 'inline'}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    gen = torch.Generator().manual_seed(1)
    x = example(name, 2, gen)
    path = folder / "model.onnx"
    kwargs = dict(input_names=["input"], output_names=["output"], external_data=external)
    if opset:
        kwargs["opset_version"] = opset
    if exporter == "torchscript":
        if dynamic:
            kwargs["dynamic_axes"] = {"input": {0: "batch"}, "output": {0: "batch"}}
        torch.onnx.export(model, (x,), str(path), dynamo=False, **kwargs)
    else:
        if dynamic:
            kwargs["dynamic_shapes"] = ({0: torch.export.Dim("batch", min=1, max=64)},)
        torch.onnx.export(model, (x,), str(path), dynamo=True, **kwargs)
    written = onnx.load(str(path), load_external_data=False)
    opset_written = next(o.version for o in written.opset_import if o.domain in ("", "ai.onnx"))
    has_external = any(t.data_location == onnx.TensorProto.EXTERNAL for t in written.graph.initializer)
    onnx.checker.check_model(str(path), full_check=False)
    sets = [x] + ([example(name, 5, gen)] if dynamic else [])
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for k, inp in enumerate(sets):
        d = folder / f"test_data_set_{k}"
        d.mkdir()
        with torch.no_grad():
            y = model(inp)
        save(inp, d / "input_0.pb")
        save(y, d / "output_0.pb")
        got = session.run(None, {session.get_inputs()[0].name: inp.numpy()})[0]
        assert np.allclose(got, y.numpy(), rtol=1e-4, atol=1e-5), (folder.name, k, np.abs(got - y.numpy()).max())
    meta = {"model": name, "exporter": exporter, "opset_asked": opset, "opset": opset_written, "external_data": has_external,
            "dynamic_batch": dynamic, "batches": [int(s.shape[0]) for s in sets], "torch": torch.__version__}
    (folder / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    return folder.name, opset_written, has_external


def main():
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    written = []
    for name, model in models().items():
        model.eval()
        for exporter in ("torchscript", "dynamo"):
            for opset in (17, 18, None):
                for external in (False, True):
                    written.append(export(name, model, exporter, opset, external))
    torch.manual_seed(0)
    static = MlpBn().eval()
    written.append(export("static_mlp", static, "dynamo", None, False, dynamic=False))
    torch.manual_seed(0)
    transformer = EncoderLayer(d_model=64, heads=4, layers=2).eval()
    for exporter in ("torchscript", "dynamo"):
        written.append(export("transformer", transformer, exporter, None, exporter == "dynamo"))
    for w in written:
        print(*w)


if __name__ == "__main__":
    main()
