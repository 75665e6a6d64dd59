"""onnxruntime.quantization's own results on the models OnnxQuantizerTest quantizes, for comparison.

Run with /work/pyenv/bin/python (onnx, onnxruntime, numpy); writes src/test/resources/quant/reference.json.
The float models (resources/quant/*.onnx) were exported by Janus (a Keras-style MLP, CNN and LSTM, a PyTorch-style
CNN; random weights, seeds in OnnxQuantizerTest); <model>_cal.bin holds the calibration samples and
<model>_x.bin the held-out samples, little-endian float32 of the shapes below. For each form the test
uses, ONNX Runtime's quantize_static / quantize_dynamic quantizes the same model on the same data
(after its basic graph optimizations; per channel, int8 weights), and the reference records the largest error of its outputs on the
held-out samples relative to the float outputs' largest magnitude: the test holds Janus's quantizer
to about the same.
"""
import json
import os
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType,
                                      quantize_dynamic, quantize_static)

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "quant")
shapes = {
    "mlp": ([200, 4], [50, 4]),
    "cnn_keras": ([100, 8, 8, 1], [20, 8, 8, 1]),
    "cnn_eager": ([400, 1, 8, 8], [20, 1, 8, 8]),
    "lstm": ([100, 6, 5], [20, 6, 5]),
}
forms = {
    "mlp": ["qdq minmax uint8", "qoperator minmax uint8", "qdq entropy int8", "dynamic"],
    "cnn_keras": ["qdq minmax uint8", "qoperator percentile99.99 uint8", "dynamic"],
    "cnn_eager": ["qdq minmax uint8", "qoperator minmax uint8", "dynamic"],
    "lstm": ["dynamic", "qdq minmax uint8"],
}


def load(name, shape):
    return np.fromfile(os.path.join(here, name), dtype="<f4").reshape(shape)


class Reader(CalibrationDataReader):
    def __init__(self, name, cal):
        self.it = iter([{name: cal}])

    def get_next(self):
        return next(self.it, None)


def run(path, name, x):
    return ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(None, {name: x})[0]


out = {}
with tempfile.TemporaryDirectory() as tmp:
    for model, (cal_shape, x_shape) in shapes.items():
        path = os.path.join(here, model + ".onnx")
        name = onnx.load(path).graph.input[0].name
        cal, x = load(model + "_cal.bin", cal_shape), load(model + "_x.bin", x_shape)
        expected = run(path, name, x)
        # ONNX Runtime's basic graph optimizations first (constant folding: the Keras kernels' Transpose
        # becomes an initializer, which its quantizer needs; quant_pre_process leaves it).
        pre = os.path.join(tmp, model + ".pre.onnx")
        so = ort.SessionOptions()
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        so.optimized_model_filepath = pre
        ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
        errors = {}
        for form in forms[model]:
            q = os.path.join(tmp, model + ".int8.onnx")
            if form == "dynamic":
                quantize_dynamic(pre, q, per_channel=True, weight_type=QuantType.QInt8)
            else:
                fmt, method, act = form.split(" ")
                extra = {}
                if method.startswith("percentile"):
                    extra["CalibPercentile"] = float(method[len("percentile"):])
                    calibrate = CalibrationMethod.Percentile
                else:
                    calibrate = {"minmax": CalibrationMethod.MinMax, "entropy": CalibrationMethod.Entropy}[method]
                quantize_static(pre, q, Reader(name, cal), quant_format=QuantFormat.QDQ if fmt == "qdq" else QuantFormat.QOperator,
                                per_channel=True, activation_type=QuantType.QUInt8 if act == "uint8" else QuantType.QInt8,
                                weight_type=QuantType.QInt8, calibrate_method=calibrate, extra_options=extra)
            got = run(q, name, x)
            errors[form] = float(np.abs(got - expected).max() / np.abs(expected).max())
        out[model] = {"calibration_shape": cal_shape, "input_shape": x_shape, "onnxruntime_error": errors}

with open(os.path.join(here, "reference.json"), "w") as f:
    json.dump(out, f, indent=1)
print(json.dumps(out, indent=1))
