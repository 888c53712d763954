#!/usr/bin/env python3
"""Example UV maps and their PCA by numpy, for the linear texture model's test.

Writes Tests/EngineTests/Fixtures/linear/pca.safetensors (or FOLDER/pca.safetensors): `maps`
[N, T, T, 3] (8-bit values k/255, so PNG round trips are exact) and numpy's `mean` [T, T, 3],
`basis` [K, T, T, 3] (right singular vectors of the centred maps, K = N − 1, each signed so its
largest-magnitude element is positive) and `variances` [K] (squared singular values / (N − 1)).
  python3 -m venv /tmp/np && /tmp/np/bin/pip install numpy
  /tmp/np/bin/python tools/linear_texture_fixture.py
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from fixture_safetensors import write_safetensors  # noqa: E402

N, SIDE = 5, 8


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "Tests/EngineTests/Fixtures/linear"
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(5)
    # Smooth-ish maps: a shared skin colour, per-map gradients and noise, quantised to 8 bits.
    y, x = np.mgrid[0:SIDE, 0:SIDE] / (SIDE - 1)
    maps = []
    for _ in range(N):
        colour = np.array([0.75, 0.55, 0.45]) + 0.1 * rng.standard_normal(3)
        ramp = rng.standard_normal(3)[None, None, :] * (x - 0.5)[..., None] * 0.2
        noise = 0.05 * rng.standard_normal((SIDE, SIDE, 3))
        maps.append(np.clip(np.round((colour + ramp + noise) * 255), 0, 255) / 255)
    data = np.stack(maps).reshape(N, -1).astype(np.float64)
    mean = data.mean(axis=0)
    _, singular, vt = np.linalg.svd(data - mean, full_matrices=False)
    basis = vt[: N - 1]
    basis *= np.sign(basis[np.arange(N - 1), np.abs(basis).argmax(axis=1)])[:, None]
    variances = singular[: N - 1] ** 2 / (N - 1)
    write_safetensors(os.path.join(folder, "pca.safetensors"), {
        "maps": data.reshape(N, SIDE, SIDE, 3), "mean": mean.reshape(SIDE, SIDE, 3),
        "basis": basis.reshape(N - 1, SIDE, SIDE, 3), "variances": variances,
    })
    print(f"wrote {folder}/pca.safetensors: {N} maps {SIDE}², variances {variances}")


if __name__ == "__main__":
    main()
