#!/usr/bin/env python3
"""PyTorch (CPU) beside `ganfit-gpu bench --generator`: the same progressive generator at 256² and
512² (the paper's widths, latent 512), forward and forward+backward to the latent; median ms and
GFLOP/s from the convs' and dense layer's 2·MACs (as `bench` counts the same cases).
Threads: $PEER_THREADS (default: the machine's cores).
  /tmp/torch-venv/bin/python tools/pgan_peer.py
"""
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
from pgan_checkpoints import forward, generator_state  # noqa: E402



def widths(side):
    """The paper's widths from 4² up to side²."""
    return [min(512, 8192 >> (k + 1)) for k in range(side.bit_length() - 2)]


def flops(w, side):
    total = 2 * 512 * 16 * w[0] + 2 * 16 * 9 * w[0] ** 2
    for level in range(1, len(w)):
        area = (4 << level) ** 2
        total += 2 * area * 9 * w[level] * (w[level - 1] + w[level])
    return total + 2 * side * side * 3 * w[-1]


def timed(step, runs=5):
    for _ in range(2):
        step()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    torch.set_num_threads(int(os.environ.get("PEER_THREADS", os.cpu_count())))
    for side in [256, 512]:
        w = widths(side)
        state = generator_state(0, latent=512, widths=w)
        z = torch.randn(1, 512)
        work = flops(w, side)
        with torch.no_grad():
            t = timed(lambda: forward(state, z, levels=len(w)))
        print(f"torch {torch.__version__} forward {side}²: {t * 1e3:.1f} ms, {work / t / 1e9:.1f} GFLOP/s "
              f"({work / 1e9:.1f} GFLOP)")
        latent = z.clone().requires_grad_(True)
        seed = torch.randn(1, 3, side, side)

        def both():
            (forward(state, latent, levels=len(w)) * seed).sum().backward()

        t = timed(both)
        print(f"torch forward+backward {side}²: {t * 1e3:.1f} ms, {2 * work / t / 1e9:.1f} GFLOP/s "
              "(2× the forward's FLOPs: the input gradients only, as bench's case)")


if __name__ == "__main__":
    main()
