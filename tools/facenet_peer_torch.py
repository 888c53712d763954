#!/usr/bin/env python3
"""FaceNet's network (Inception-ResNet-V1, 160×160 → 512, the layout of model 20180408-102900 that
`ganfit-gpu bench --facenet` times) in PyTorch/cuDNN on a CUDA GPU, FP32 with TF32 off, for the
GPU machine (scripts/gpu-run.sh runs it where torch imports). Timing only: the weights are seeded
random (batch norm folded into the convolutions' biases, as in the frozen graph), the work is the
same. Prints median ms of the forward pass and of forward+backward (the identity loss's gradient
to the image), at batch 1 and at each batch given as an argument.
Usage: python3 facenet_peer_torch.py [BATCH ...]"""
import sys

import torch
from torch import nn
import torch.nn.functional as F

from torch_timing import timed


def conv(cin, cout, kernel, stride=1, padding=0):
    return nn.Sequential(nn.Conv2d(cin, cout, kernel, stride, padding), nn.ReLU())


class Residual(nn.Module):
    """Branches concatenated, a 1×1 up to the block's width, scaled and added, then ReLU."""

    def __init__(self, width, branches, scale, relu=True):
        super().__init__()
        self.branches = nn.ModuleList(nn.Sequential(*b) for b in branches)
        inner = sum(b[-1][0].out_channels for b in branches)
        self.up = nn.Conv2d(inner, width, 1)
        self.scale, self.relu = scale, relu

    def forward(self, x):
        y = x + self.scale * self.up(torch.cat([b(x) for b in self.branches], 1))
        return F.relu(y) if self.relu else y


class Reduction(nn.Module):
    def __init__(self, branches):
        super().__init__()
        self.branches = nn.ModuleList(nn.Sequential(*b) for b in branches)

    def forward(self, x):
        return torch.cat([b(x) for b in self.branches] + [F.max_pool2d(x, 3, 2)], 1)


def block35():
    return Residual(256, [[conv(256, 32, 1)], [conv(256, 32, 1), conv(32, 32, 3, 1, 1)],
                          [conv(256, 32, 1), conv(32, 32, 3, 1, 1), conv(32, 32, 3, 1, 1)]], 0.17)


def block17():
    return Residual(896, [[conv(896, 128, 1)],
                          [conv(896, 128, 1), conv(128, 128, (1, 7), 1, (0, 3)), conv(128, 128, (7, 1), 1, (3, 0))]], 0.10)


def block8(relu=True):
    return Residual(1792, [[conv(1792, 192, 1)],
                           [conv(1792, 192, 1), conv(192, 192, (1, 3), 1, (0, 1)), conv(192, 192, (3, 1), 1, (1, 0))]],
                    0.20, relu)


class InceptionResnetV1(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(conv(3, 32, 3, 2), conv(32, 32, 3), conv(32, 64, 3, 1, 1), nn.MaxPool2d(3, 2),
                                  conv(64, 80, 1), conv(80, 192, 3), conv(192, 256, 3, 2))
        self.body = nn.Sequential(
            *[block35() for _ in range(5)],
            Reduction([[conv(256, 384, 3, 2)], [conv(256, 192, 1), conv(192, 192, 3, 1, 1), conv(192, 256, 3, 2)]]),
            *[block17() for _ in range(10)],
            Reduction([[conv(896, 256, 1), conv(256, 384, 3, 2)], [conv(896, 256, 1), conv(256, 256, 3, 2)],
                       [conv(896, 256, 1), conv(256, 256, 3, 1, 1), conv(256, 256, 3, 2)]]),
            *[block8() for _ in range(4)], block8(relu=False))
        self.embedding = nn.Linear(1792, 512, bias=False)
        self.norm = nn.BatchNorm1d(512).eval()

    def forward(self, image):
        x = image * 255
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        std = x.flatten(1).std(1, unbiased=False).view(-1, 1, 1, 1)
        x = (x - mean) / torch.clamp(std, min=1.0 / (x[0].numel() ** 0.5))
        x = self.body(self.stem(x))
        return F.normalize(self.norm(self.embedding(x.mean(dim=(2, 3)))), dim=1)


def main():
    torch.manual_seed(0)
    net = InceptionResnetV1().cuda().eval()
    for p in net.parameters():
        p.requires_grad_(False)
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name()}, cuDNN {torch.backends.cudnn.version()}, TF32 off, "
          f"FaceNet structure with random weights")
    for n in [1] + [int(b) for b in sys.argv[1:] if int(b) > 1]:
        image = torch.rand(n, 3, 160, 160, device="cuda")
        target = F.normalize(torch.rand(n, 512, device="cuda"), dim=1)
        with torch.no_grad():
            forward = timed(lambda: net(image))

        def backward():
            x = image.clone().requires_grad_(True)
            loss = (1 - (net(x) * target).sum(1)).sum()
            loss.backward()
        both = timed(backward)
        print(f"facenet torch batch {n:<3} forward {forward:8.3f} ms   forward+backward {both:8.3f} ms")


if __name__ == "__main__":
    main()
