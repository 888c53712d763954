"""What the PyTorch peer scripts share: FP32 with TF32 off, cuDNN's autotuner on, and the median
of CUDA-event timings after a warm-up."""
import statistics

import torch

torch.backends.cudnn.allow_tf32 = False
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.benchmark = True


def timed(step, runs=50):
    """Median milliseconds of `step` over `runs` calls, after 5 warm-up calls."""
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
