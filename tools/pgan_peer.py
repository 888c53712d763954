#!/usr/bin/env python3
"""PyTorch (CPU) beside `ganfit-gpu bench --generator`: the same progressive generator at 256² (the
paper's widths, latent 512), forward and forward+backward to the latent; median ms and GFLOP/s
from the convs' and dense layer's 2·MACs (56.3 GFLOP, as `bench` counts the same case).
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

WIDTHS = [min(512, 8192 >> (k + 1)) for k in range(7)]


def flops():
    total = 2 * 512 * 16 * WIDTHS[0] + 2 * 16 * 9 * WIDTHS[0] ** 2
    for level in range(1, len(WIDTHS)):
        area = (4 << level) ** 2
        total += 2 * area * 9 * WIDTHS[level] * (WIDTHS[level - 1] + WIDTHS[level])
    return total + 2 * 256 * 256 * 3 * WIDTHS[-1]


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
    state = generator_state(0, latent=512, widths=WIDTHS)
    z = torch.randn(1, 512)
    work = flops()
    with torch.no_grad():
        t = timed(lambda: forward(state, z, levels=len(WIDTHS)))
    print(f"torch {torch.__version__} forward 256²: {t * 1e3:.1f} ms, {work / t / 1e9:.1f} GFLOP/s")
    latent = z.clone().requires_grad_(True)
    seed = torch.randn(1, 3, 256, 256)

    def both():
        (forward(state, latent, levels=len(WIDTHS)) * seed).sum().backward()

    t = timed(both)
    print(f"torch forward+backward 256²: {t * 1e3:.1f} ms, {2 * work / t / 1e9:.1f} GFLOP/s "
          "(2× the forward's FLOPs: the input gradients only, as bench's case)")


if __name__ == "__main__":
    main()
