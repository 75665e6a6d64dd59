"""Regenerates orthogonal.txt: Q of numpy's QR with the signs of R's diagonal folded in (what
Keras's Orthogonal and torch.nn.init.orthogonal_ do to their normal matrix), for fixed inputs.

The input of case (m, n, seed) is the m x n row-major matrix with element i equal to
((37 i + 11 seed) mod 101 - 50) / 32, as core's Reference.pattern. Each line is: case q dims values...
Run from this folder: python3 make_orthogonal.py (needs numpy).
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
lines = []
for m, n, seed in [(5, 3, 1), (6, 6, 2), (7, 1, 3)]:
    a = np.array([((37 * i + 11 * seed) % 101 - 50) / 32 for i in range(m * n)], dtype=np.float64).reshape(m, n)
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))
    lines.append(f"qr_{m}x{n} q {m}x{n} " + " ".join(repr(float(v)) for v in q.reshape(-1)))
with open(os.path.join(HERE, "orthogonal.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
