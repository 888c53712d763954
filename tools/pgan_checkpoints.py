#!/usr/bin/env python3
"""Small progressive-GAN checkpoints in pytorch_GAN_zoo's layout, and PyTorch's generator output.

Writes into the fixture folder (default Tests/EngineTests/Fixtures/pgan):
  pgan_legacy.pth  torch.save's legacy format (pickle stream + appended storages), with the older
                   state-dict names that keep ConstrainedLayer's `.module.` ("formatLayer.module.weight")
  pgan_zip.pth     the zip format of PyTorch >= 1.6, with the newer names ("formatLayer.weight")
  expected.safetensors  `latent` [2, L] and `images` [2, 3, R, R]: avgG's output computed by PyTorch

Each checkpoint is {'config': an object, 'netG': …, 'netD': …, 'avgG': …} as pytorch_GAN_zoo's
`getStateDict` saves it; netG and avgG differ, so a converter that picks netG fails the test.
The generator follows pytorch_GAN_zoo's GNet (written here from its description, not its code):
pixel norm on the latent; equalised dense layer to 16·w0 (output times sqrt(2/fan_in), bias
included), leaky ReLU 0.2, view [N, w0, 4, 4], pixel norm; per conv (3×3, padding 1) the same
scale, leaky ReLU, pixel norm; nearest ×2 before each level; the last level's 1×1 to-RGB.

Run it in a throwaway venv:
  python3 -m venv /tmp/torch-venv && /tmp/torch-venv/bin/pip install torch numpy
  /tmp/torch-venv/bin/python tools/pgan_checkpoints.py [FOLDER]
"""
import collections
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from fixture_safetensors import write_safetensors  # noqa: E402

LATENT, WIDTHS = 8, [6, 5, 4]


class Config:
    """Stands for pytorch_GAN_zoo's BaseConfig: an arbitrary object the reader must skip over."""


def generator_state(seed, latent=LATENT, widths=WIDTHS):
    """A GNet state dict (every level's to-RGB): weights N(0, 1), biases small but not 0."""
    g = torch.Generator().manual_seed(seed)
    state = collections.OrderedDict()

    def layer(name, out_ch, in_ch, k=None):
        shape = (out_ch, in_ch) if k is None else (out_ch, in_ch, k, k)
        state[name + ".weight"] = torch.randn(shape, generator=g)
        state[name + ".bias"] = 0.1 * torch.randn(out_ch, generator=g)

    layer("formatLayer", 16 * widths[0], latent)
    layer("groupScale0.0", widths[0], widths[0], 3)
    layer("toRGBLayers.0", 3, widths[0], 1)
    for level in range(1, len(widths)):
        layer(f"scaleLayers.{level - 1}.0", widths[level], widths[level - 1], 3)
        layer(f"scaleLayers.{level - 1}.1", widths[level], widths[level], 3)
        layer(f"toRGBLayers.{level}", 3, widths[level], 1)
    return state


def with_module_names(state):
    """The older names: ConstrainedLayer's wrapped module shows as `.module.`."""
    out = collections.OrderedDict()
    for name, tensor in state.items():
        prefix, leaf = name.rsplit(".", 1)
        out[f"{prefix}.module.{leaf}"] = tensor
    return out


def pixel_norm(x):
    return x * ((x * x).mean(dim=1, keepdim=True) + 1e-8).rsqrt()


def forward(state, z, levels=len(WIDTHS)):
    """The generator's images [N, 3, R, R] for latents z [N, L]."""
    def scale(w):
        return math.sqrt(2.0 / w[0].numel())

    def conv(x, name, padding):
        w, b = state[name + ".weight"], state[name + ".bias"]
        return F.conv2d(x, w, b, padding=padding) * scale(w)

    def block(x, name):
        return pixel_norm(F.leaky_relu(conv(x, name, 1), 0.2))

    w, b = state["formatLayer.weight"], state["formatLayer.bias"]
    x = F.linear(pixel_norm(z), w, b) * scale(w)
    x = pixel_norm(F.leaky_relu(x, 0.2).view(z.shape[0], -1, 4, 4))
    x = block(x, "groupScale0.0")
    for level in range(1, levels):
        x = F.interpolate(x, scale_factor=2, mode="nearest")
        x = block(block(x, f"scaleLayers.{level - 1}.0"), f"scaleLayers.{level - 1}.1")
    return conv(x, f"toRGBLayers.{levels - 1}", 0)


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "Tests/EngineTests/Fixtures/pgan"
    os.makedirs(folder, exist_ok=True)
    net_g, avg_g = generator_state(1), generator_state(2)
    config = Config()
    config.noiseVectorDim, config.depthScales = LATENT, WIDTHS
    net_d = collections.OrderedDict(decisionLayer_weight=torch.randn(1, WIDTHS[0]))

    def checkpoint(rename):
        return {"config": config, "netG": rename(net_g), "netD": net_d, "avgG": rename(avg_g)}

    torch.save(checkpoint(with_module_names), os.path.join(folder, "pgan_legacy.pth"),
               _use_new_zipfile_serialization=False)
    torch.save(checkpoint(lambda s: s), os.path.join(folder, "pgan_zip.pth"))
    z = torch.randn(2, LATENT, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        images = forward(avg_g, z)
    write_safetensors(os.path.join(folder, "expected.safetensors"), {"latent": z.numpy(), "images": images.numpy()})
    print(f"wrote {folder}: latent {LATENT}, widths {WIDTHS}, images {list(images.shape)}, "
          f"torch {torch.__version__}")


if __name__ == "__main__":
    main()
