"""Regenerates reference.txt: how PyTorch prints the tensors TensorFormatTest builds.

Each case is a line "== name" followed by torch's repr. Run: python3 make_reference.py
"""
import torch

f32, f64 = torch.float32, torch.float64
CASES = [
    ("ints_as_float", torch.tensor([1.0, 2.0, 3.0])),
    ("fixed_2d", torch.tensor([[1.5, 2.25], [3.0, 4.0]])),
    ("negative_fixed", torch.tensor([-1.5, 0.25, 3.0])),
    ("scientific", torch.tensor([1e-5, 1.0, 1e10])),
    ("small_values", torch.tensor([0.00001234, 0.5])),
    ("nan_inf", torch.tensor([-1.5, float("nan"), float("inf"), float("-inf")])),
    ("cube", torch.arange(8, dtype=f32).reshape(2, 2, 2)),
    ("int64", torch.arange(5)),
    ("int64_negative", torch.tensor([[-10, 2], [3, 400]])),
    ("bool", torch.tensor([True, False, True])),
    ("float64", torch.tensor([0.5, 1.25], dtype=f64)),
    ("scalar_float", torch.tensor(3.5)),
    ("scalar_int", torch.tensor(7)),
    ("empty", torch.zeros(0)),
    ("empty_2d", torch.zeros(0, 3)),
    ("zeros", torch.zeros(2, 2)),
    ("long_row", torch.arange(30, dtype=f32) * 1.5),
    ("summarized_1d", torch.arange(2000, dtype=f32)),
    ("summarized_2d", torch.arange(1600, dtype=f32).reshape(40, 40) / 7),
    ("summarized_3d", torch.arange(2 * 600, dtype=f32).reshape(2, 20, 30)),
    ("float64_wide", torch.arange(12, dtype=f64).reshape(1, 12) / 3),
]

with open("reference.txt", "w") as out:
    for name, t in CASES:
        out.write("== " + name + "\n" + repr(t) + "\n")
