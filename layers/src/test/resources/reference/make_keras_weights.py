"""Regenerates keras_weights.txt: Keras 3 fit and evaluate with sample_weight and class_weight.

A Dense model 4 -> 5 (tanh) -> k, weights 0.5 sin(1.7 seed + 0.37 i) row-major (seeds 1..4 for
kernel, bias, kernel_1, bias_1, as make_training_reference.py), float32; x[i][j] = sin(0.3 i + 1.1 j),
20 samples. Fit: SGD(0.1), batches of 8 in order (shuffle=False), 2 epochs. Each line (core's
Reference format): "case what dims values": the epoch losses, the weights after fit, and evaluate's
loss (batches of 8) with sample weights and without, before fit. Labels: class (3 i + 1) mod 3
(one-hot for categorical losses), binary [cos(0.7 i) > 0], targets [cos(0.5 i), sin(0.2 i)]
(plus 2, or doubled, for some losses), soft labels (1 + sin(0.4 i + c)) normalised per row,
counts (i + c) mod 3, two binary columns [cos(0.7 i + c) > 0].
Run: KERAS_BACKEND=torch python3 make_keras_weights.py
"""
import math
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402
import numpy as np  # noqa: E402

N = 20
x = np.array([[math.sin(0.3 * i + 1.1 * j) for j in range(4)] for i in range(N)], dtype="float32")
sw = np.array([0.5 + (i % 4) * 0.5 for i in range(N)], dtype="float32")  # 0.5, 1, 1.5, 2, ...
classes = np.array([(3 * i + 1) % 3 for i in range(N)])
binary = np.array([[1.0 if math.cos(0.7 * i) > 0 else 0.0] for i in range(N)], dtype="float32")
target = np.array([[math.cos(0.5 * i), math.sin(0.2 * i)] for i in range(N)], dtype="float32")
positive = target + 2
soft = np.array([[1 + math.sin(0.4 * i + c) for c in range(3)] for i in range(N)], dtype="float32")
soft = soft / soft.sum(axis=1, keepdims=True)
counts = np.array([[(i + c) % 3 for c in range(3)] for i in range(N)], dtype="float32")
binary2 = np.array([[1.0 if math.cos(0.7 * i + c) > 0 else 0.0 for c in range(2)] for i in range(N)], dtype="float32")


def weights(seed, *shape):
    n = math.prod(shape)
    return np.array([0.5 * math.sin(seed * 1.7 + i * 0.37) for i in range(n)], dtype="float32").reshape(shape)


def model(k, activation):
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="tanh"), keras.layers.Dense(k, activation=activation)])
    m.set_weights([weights(1, 4, 5), weights(2, 5), weights(3, 5, k), weights(4, k)])
    return m


def dims(a):
    return "x".join(str(d) for d in a.shape) if a.ndim else "scalar"


def write(out, case, what, a):
    a = np.asarray(a, dtype="float64")
    out.write(f"{case} {what} {dims(a)} " + " ".join(repr(float(v)) for v in a.reshape(-1)) + "\n")


CASES = {
    # case: (outputs, activation, loss, labels, fit keyword arguments)
    "sparse_class_weight": (3, "softmax", "sparse_categorical_crossentropy", classes, {"class_weight": {0: 0.5, 1: 2.0, 2: 1.0}}),
    "sparse_sample_weight": (3, "softmax", "sparse_categorical_crossentropy", classes, {"sample_weight": sw}),
    "onehot_class_weight": (3, "softmax", "categorical_crossentropy", np.eye(3, dtype="float32")[classes], {"class_weight": {1: 3.0}}),
    "binary_class_weight": (1, "sigmoid", "binary_crossentropy", binary, {"class_weight": {0: 1.0, 1: 4.0}}),
    "binary_sample_weight": (1, "sigmoid", "binary_crossentropy", binary, {"sample_weight": sw}),
    "mse_sample_weight": (2, None, "mse", target, {"sample_weight": sw}),
    "mae_sample_weight": (2, None, "mae", target, {"sample_weight": sw}),
    "split_sample_weight": (3, "softmax", "sparse_categorical_crossentropy", classes, {"sample_weight": sw, "validation_split": 0.25}),
    "mape": (2, None, "mape", positive, {"sample_weight": sw}),
    "msle": (2, None, "msle", positive, {"sample_weight": sw}),
    "kld": (3, "softmax", "kld", soft, {"sample_weight": sw}),
    "poisson": (3, "softmax", "poisson", counts, {"sample_weight": sw}),
    "log_cosh": (2, None, "log_cosh", 2 * target, {"sample_weight": sw}),
    "huber": (2, None, "huber", 2 * target, {"sample_weight": sw}),
    "hinge": (2, "tanh", "hinge", binary2, {"sample_weight": sw}),
    "squared_hinge": (2, "tanh", "squared_hinge", binary2, {"sample_weight": sw}),
    "categorical_hinge": (3, None, "categorical_hinge", np.eye(3, dtype="float32")[classes], {"sample_weight": sw}),
}

with open("keras_weights.txt", "w") as out:
    for case, (k, act, loss, y, kwargs) in CASES.items():
        m = model(k, act)
        m.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss)
        write(out, case, "evaluate", m.evaluate(x, y, batch_size=8, sample_weight=sw, verbose=0))
        write(out, case, "evaluate_plain", m.evaluate(x, y, batch_size=8, verbose=0))
        h = m.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0, **kwargs)
        write(out, case, "losses", h.history["loss"])
        if "val_loss" in h.history:
            write(out, case, "val_losses", h.history["val_loss"])
        for name, w in zip(("dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"), m.get_weights()):
            write(out, case, name, w)
print("keras", keras.__version__)
