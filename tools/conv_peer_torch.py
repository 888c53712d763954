#!/usr/bin/env python3
"""The conv2d benchmark shapes in PyTorch/cuDNN on a CUDA GPU, FP32 (TF32 off), for the GPU
machine (scripts/gpu-run.sh runs it where torch imports). Prints a table: forward, input
gradient and weight gradient per shape, median ms and GFLOP/s (2·Cin·Cout·R·S·P·Q)."""
import statistics

import torch
import torch.nn.functional as F

from conv_shapes import SHAPES

torch.backends.cudnn.allow_tf32 = False
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.benchmark = True


def timed(step, runs=50):
    for _ in range(5):
        step()
    torch.cuda.synchronize()
    times = []
    for _ in range(runs):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        step()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def main():
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name()}, cuDNN {torch.backends.cudnn.version()}, TF32 off")
    for label, c, k, h, r, s, stride, ((top, bottom), (left, right)) in SHAPES:
        x = torch.rand(1, c, h, h, device="cuda") * 2 - 1
        w = torch.rand(k, c, r, s, device="cuda") * 2 - 1
        xp = F.pad(x, (left, right, top, bottom))
        y = F.conv2d(xp, w, stride=stride)
        dy = torch.rand_like(y)
        flops = 2.0 * c * k * r * s * y.shape[2] * y.shape[3]
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
