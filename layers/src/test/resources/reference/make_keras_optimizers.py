"""Regenerates keras_optimizers.txt: Keras 3's Nadam, Adamax and Adagrad, step by step.

The parameter and gradient sequence of core's optim/make_reference.py: p0[i] = cos(0.5 i),
g_t[i] = sin(1.3 i + 0.7 t) (1 + 0.1 t), i in 0..5, t = 1..5. Each line (core's Reference format):
"config/dtype step{t} 2x3" and the parameter after step t. Run: KERAS_BACKEND=torch python3 make_keras_optimizers.py
"""
import math
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402
import numpy as np  # noqa: E402

CONFIGS = {
    "nadam": lambda: keras.optimizers.Nadam(),
    "nadam_lr": lambda: keras.optimizers.Nadam(learning_rate=0.05, beta_1=0.8, beta_2=0.99, epsilon=1e-6),
    "adamax": lambda: keras.optimizers.Adamax(),
    "adamax_lr": lambda: keras.optimizers.Adamax(learning_rate=0.05, beta_1=0.8, beta_2=0.99, epsilon=1e-6),
    "adagrad": lambda: keras.optimizers.Adagrad(),
    "adagrad_lr": lambda: keras.optimizers.Adagrad(learning_rate=0.05, initial_accumulator_value=0.5, epsilon=1e-6),
}

with open("keras_optimizers.txt", "w") as out:
    for name, make in CONFIGS.items():
        for dtype in ("float64", "float32"):
            keras.config.set_floatx(dtype)  # the learning rate and iteration variables follow floatx
            v = keras.Variable(np.array([math.cos(0.5 * i) for i in range(6)]).reshape(2, 3), dtype=dtype)
            opt = make()
            for t in range(1, 6):
                g = np.array([math.sin(1.3 * i + 0.7 * t) * (1 + 0.1 * t) for i in range(6)]).reshape(2, 3)
                opt.apply_gradients([(keras.ops.convert_to_tensor(g, dtype=dtype), v)])
                values = keras.ops.convert_to_numpy(v).reshape(-1)
                out.write(f"{name}/{dtype} step{t} 2x3 " + " ".join(repr(float(x)) for x in values) + "\n")
print("keras", keras.__version__)
