#!/usr/bin/env python3
"""The conv2d benchmark shapes in PyTorch/cuDNN on a CUDA GPU, FP32 (TF32 off), for the GPU
machine (scripts/gpu-run.sh runs it where torch imports). Prints a table: forward, input
gradient and weight gradient per shape, median ms and GFLOP/s (2·N·Cin·Cout·R·S·P·Q), at batch 1
and, for the 3×3 shapes, at each batch given as an argument (`ganfit-gpu bench --batch N`).
Usage: python3 conv_peer_torch.py [BATCH ...]"""
import sys

import torch
import torch.nn.functional as F

from conv_shapes import SHAPES
from torch_timing import timed

def main():
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name()}, cuDNN {torch.backends.cudnn.version()}, TF32 off")
    batches = [int(b) for b in sys.argv[1:]]
    runs = [(1, shape) for shape in SHAPES]
    runs += [(n, shape) for n in batches if n > 1 for shape in SHAPES if shape[4:6] == (3, 3) and shape[1] == shape[2]]
    for n, (label, c, k, h, r, s, stride, ((top, bottom), (left, right))) in runs:
        label = label if n == 1 else f"{label} n{n}"
        x = torch.rand(n, c, h, h, device="cuda") * 2 - 1
        w = torch.rand(k, c, r, s, device="cuda") * 2 - 1
        xp = F.pad(x, (left, right, top, bottom))
        y = F.conv2d(xp, w, stride=stride)
        dy = torch.rand_like(y)
        flops = 2.0 * n * c * k * r * s * y.shape[2] * y.shape[3]
        passes = {
            "fwd": lambda: F.conv2d(xp, w, stride=stride),
            "bwd-input": lambda: torch.nn.grad.conv2d_input(xp.shape, w, dy, stride=stride),
            "bwd-weight": lambda: torch.nn.grad.conv2d_weight(xp, w.shape, dy, stride=stride),
        }
        for direction, step in passes.items():
            ms = timed(step)
            print(f"conv2d {direction} {label:<22} {ms:9.3f} ms {flops / ms / 1e6:9.1f} GFLOP/s")


if __name__ == "__main__":
    main()
