"""onnxruntime.quantization on a float model, for QuantizationReport: the peer Janus's quantizer is
compared with on the same model and the same calibration samples.

usage: quantize_ort.py MODEL.onnx CALIBRATION.bin N,D1,D2.. OUT_DIR
CALIBRATION.bin: little-endian float32 samples of the shape given. Writes OUT_DIR/ort_qdq.onnx
(quantize_static, QDQ), OUT_DIR/ort_qoperator.onnx (quantize_static, QOperator), both min/max
calibrated with uint8 activations, and OUT_DIR/ort_dynamic.onnx (quantize_dynamic); weights int8 per
channel throughout. The model first goes through ONNX Runtime's basic graph optimizations (constant
folding: its quantizer needs weights as initializers). Prints the onnxruntime version.
"""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType,
                                      quantize_dynamic, quantize_static)

model, cal_file, shape, out = sys.argv[1], sys.argv[2], [int(d) for d in sys.argv[3].split(",")], sys.argv[4]
cal = np.fromfile(cal_file, dtype="<f4").reshape(shape)
name = onnx.load(model).graph.input[0].name

pre = os.path.join(out, "ort_preprocessed.onnx")
so = ort.SessionOptions()
so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
so.optimized_model_filepath = pre
ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])


class Reader(CalibrationDataReader):
    def __init__(self):
        self.it = iter([{name: cal[i:i + 64]} for i in range(0, len(cal), 64)])

    def get_next(self):
        return next(self.it, None)


for form, fmt in [("qdq", QuantFormat.QDQ), ("qoperator", QuantFormat.QOperator)]:
    quantize_static(pre, os.path.join(out, "ort_" + form + ".onnx"), Reader(), quant_format=fmt, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, calibrate_method=CalibrationMethod.MinMax)
quantize_dynamic(pre, os.path.join(out, "ort_dynamic.onnx"), per_channel=True, weight_type=QuantType.QInt8)
print("onnxruntime", ort.__version__)
