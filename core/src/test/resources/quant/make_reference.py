"""Reference calibration ranges and scales from onnxruntime.quantization, for CalibratorTest.

Run with /work/pyenv/bin/python (onnxruntime, numpy); writes reference.json and batches.bin (the
values, little-endian float32, case after case and batch after batch) beside this script.
Each case is a tensor fed in two batches (the second reaching further, so the histogram grows); the
reference gives the ranges of onnxruntime's MinMax, percentile (asymmetric, on the value histogram)
and entropy (value histogram) calibrators with 2048 bins and 128 quantized bins, and
compute_scale_zp's uint8 scale and zero point for the min/max range.
"""
import json
import os

import numpy as np
from onnxruntime.quantization.calibrate import HistogramCollector
from onnxruntime.quantization.quant_utils import compute_scale_zp

rng = np.random.default_rng(17)
cases = {
    "normal with an outlier": [np.append(rng.normal(0, 1, 3000), 20.0), rng.normal(0.5, 2, 3000)],
    "relu output": [np.maximum(rng.normal(0.3, 1, 4000), 0), np.maximum(rng.normal(0, 1.5, 4000), 0)],
    "laplace": [rng.laplace(0, 0.5, 5000), rng.laplace(0.1, 0.8, 5000)],
}

out = {}
data = []
for name, batches in cases.items():
    batches = [b.astype(np.float32) for b in batches]
    data.extend(batches)
    ranges = {}
    for method, kw in [("percentile 99.9", dict(method="percentile", percentile=99.9)),
                       ("percentile 99.999", dict(method="percentile", percentile=99.999)),
                       ("entropy", dict(method="entropy", percentile=None))]:
        c = HistogramCollector(method=kw["method"], symmetric=False, num_bins=2048, num_quantized_bins=128,
                               percentile=kw["percentile"] if kw["percentile"] else 99.999, scenario="same")
        for b in batches:
            c.collect({"t": [b]})
        r = c.compute_collection_result()["t"]
        ranges[method] = [float(r[0]), float(r[1])]
    lo = float(min(b.min() for b in batches))
    hi = float(max(b.max() for b in batches))
    ranges["minmax"] = [lo, hi]
    zp, scale = compute_scale_zp(np.array(lo, dtype=np.float32), np.array(hi, dtype=np.float32),
                                 np.array(0, dtype=np.uint8), np.array(255, dtype=np.uint8))
    out[name] = {
        "batch_sizes": [int(b.size) for b in batches],
        "ranges": ranges,
        "uint8": {"scale": float(scale), "zero_point": int(zp)},
    }

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "reference.json"), "w") as f:
    json.dump(out, f, indent=1)
# The batches, in the order of the cases, as little-endian float32.
np.concatenate(data).astype("<f4").tofile(os.path.join(here, "batches.bin"))
