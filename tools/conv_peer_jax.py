#!/usr/bin/env python3
"""The conv2d benchmark shapes of `ganfit-gpu bench --filter conv2d`, timed in JAX/XLA on the CPU.

Prints JSON: [{"name": <the same case name as ganfit-gpu bench>, "medianMilliseconds": …, "gflops": …}].
Usage: conv_peer_jax.py [seconds per case] [shape label, e.g. "3×3 (128,64)"; default all];
conv_peer_jax.py --labels lists the shape labels.
Run it from a throwaway virtual environment outside the project (tools/conv_peer.sh makes one);
float32, precision HIGHEST, batch 1, forward and the two backward passes each jitted on their own.
"""
import json
import statistics
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

from conv_shapes import SHAPES


def timed(fn, *args, seconds):
    jax.block_until_ready(fn(*args))  # compile
    jax.block_until_ready(fn(*args))
    times = []
    while sum(times) < seconds or len(times) < 5:
        start = time.perf_counter()
        jax.block_until_ready(fn(*args))
        times.append(time.perf_counter() - start)
        if len(times) >= 200:
            break
    return statistics.median(times)


def main():
    if sys.argv[1:2] == ["--labels"]:
        print("\n".join(shape[0] for shape in SHAPES))
        return
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 0.3
    only = sys.argv[2] if len(sys.argv) > 2 else None
    rng = np.random.default_rng(0)
    results = []
    for label, c, k, h, r, s, stride, padding in SHAPES:
        if only is not None and label != only:
            continue
        x = jnp.asarray(rng.uniform(-1, 1, (1, c, h, h)), jnp.float32)
        w = jnp.asarray(rng.uniform(-1, 1, (k, c, r, s)), jnp.float32)

        def conv(x, w):
            return jax.lax.conv_general_dilated(x, w, (stride, stride), padding,
                                                dimension_numbers=("NCHW", "OIHW", "NCHW"),
                                                precision=jax.lax.Precision.HIGHEST)

        y, vjp = jax.vjp(conv, x, w)
        dy = jnp.asarray(rng.uniform(-1, 1, y.shape), jnp.float32)
        p, q = y.shape[2], y.shape[3]
        flops = 2.0 * c * k * r * s * p * q
        passes = {
            "fwd": (jax.jit(conv), (x, w)),
            "bwd-input": (jax.jit(lambda x, w, dy: jax.vjp(conv, x, w)[1](dy)[0]), (x, w, dy)),
            "bwd-weight": (jax.jit(lambda x, w, dy: jax.vjp(conv, x, w)[1](dy)[1]), (x, w, dy)),
        }
        for direction, (fn, args) in passes.items():
            median = timed(fn, *args, seconds=seconds)
            results.append({"name": f"conv2d {direction} {label}", "medianMilliseconds": median * 1e3,
                            "gflops": flops / median / 1e9})
    json.dump({"peer": f"jax {jax.__version__} (XLA CPU)", "results": results}, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
