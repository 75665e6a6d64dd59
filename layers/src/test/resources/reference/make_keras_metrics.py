"""Regenerates keras_metrics.txt: Keras 3's AUC, Precision, Recall and top-k accuracies on fixed data.

Binary data, 53 samples: p[i] = 0.5 + 0.45 sin(1.7 i + 0.3), y[i] = 1 where
sin(0.9 i + 1.1) + 0.8 (p[i] - 0.5) > 0, else 0. Ten classes, 41 samples: scores
s[i][c] = 0.5 + 0.49 sin(0.37 i + 1.3 c + 0.1 i c), label (7 i + 3) mod 10 (one-hot for the
categorical metrics). Everything in float32, the metric fed in batches of 16 (its state summed over
batches, as in evaluate). Each line: "case 1 scalar value" (core's Reference format).
Run: KERAS_BACKEND=torch python3 make_keras_metrics.py
"""
import math
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402
import numpy as np  # noqa: E402

p = np.array([0.5 + 0.45 * math.sin(1.7 * i + 0.3) for i in range(53)], dtype="float32").reshape(-1, 1)
y = np.array([1.0 if math.sin(0.9 * i + 1.1) + 0.8 * (p[i, 0] - 0.5) > 0 else 0.0 for i in range(53)], dtype="float32").reshape(-1, 1)
s = np.array([[0.5 + 0.49 * math.sin(0.37 * i + 1.3 * c + 0.1 * i * c) for c in range(10)] for i in range(41)], dtype="float32")
labels = np.array([(7 * i + 3) % 10 for i in range(41)])
onehot = np.eye(10, dtype="float32")[labels]

CASES = {
    "binary_auc": (keras.metrics.AUC, {}, y, p),
    "binary_pr_auc": (keras.metrics.AUC, {"curve": "PR"}, y, p),
    "binary_auc_50": (keras.metrics.AUC, {"num_thresholds": 50}, y, p),
    "binary_precision": (keras.metrics.Precision, {}, y, p),
    "binary_recall": (keras.metrics.Recall, {}, y, p),
    "binary_precision_0.7": (keras.metrics.Precision, {"thresholds": 0.7}, y, p),
    "onehot_auc": (keras.metrics.AUC, {}, onehot, s),
    "onehot_pr_auc": (keras.metrics.AUC, {"curve": "PR"}, onehot, s),
    "onehot_precision": (keras.metrics.Precision, {}, onehot, s),
    "onehot_recall": (keras.metrics.Recall, {}, onehot, s),
    "onehot_top5": (keras.metrics.TopKCategoricalAccuracy, {}, onehot, s),
    "onehot_top3": (keras.metrics.TopKCategoricalAccuracy, {"k": 3}, onehot, s),
    "sparse_top5": (keras.metrics.SparseTopKCategoricalAccuracy, {}, labels, s),
    "sparse_top3": (keras.metrics.SparseTopKCategoricalAccuracy, {"k": 3}, labels, s),
}

with open("keras_metrics.txt", "w") as out:
    for name, (cls, kwargs, yt, yp) in CASES.items():
        m = cls(**kwargs)
        for start in range(0, len(yt), 16):
            m.update_state(yt[start:start + 16], yp[start:start + 16])
        out.write(f"{name} value scalar {float(keras.ops.convert_to_numpy(m.result()))!r}\n")
print("keras", keras.__version__)
