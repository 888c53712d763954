#!/usr/bin/env python3
"""Joins the `ganfit-gpu bench --json` and tools/conv_peer_jax.py outputs that tools/conv_peer.sh
leaves in one folder (ours-*.json, jax-*.json) into one table of ratios."""
import glob
import json
import sys


def main(folder):
    ours = {r["name"]: r for path in sorted(glob.glob(folder + "/ours-*.json")) for r in json.load(open(path))}
    parts = [json.load(open(path)) for path in sorted(glob.glob(folder + "/jax-*.json"))]
    peer = {"peer": parts[0]["peer"], "results": [r for part in parts for r in part["results"]]}
    sgemm = next((r["gflops"] for name, r in ours.items() if name.startswith("matmul NN")), None)
    print(f"peer: {peer['peer']}; OpenBLAS SGEMM 1024³ in this run: {sgemm:.1f} GFLOP/s" if sgemm else f"peer: {peer['peer']}")
    print(f"{'case':<40} {'ours ms':>8} {'GFLOP/s':>8} {'÷SGEMM':>7} {'JAX ms':>8} {'GFLOP/s':>8} {'ours÷JAX':>9}")
    ratios = []
    for r in peer["results"]:
        mine = ours.get(r["name"])
        if mine is None:
            print(f"{r['name']:<40} missing from ganfit-gpu bench")
            continue
        speed = r["medianMilliseconds"] / mine["medianMilliseconds"]
        ratios.append(speed)
        share = f"{mine['gflops'] / sgemm:7.2f}" if sgemm else "      -"
        print(f"{r['name']:<40} {mine['medianMilliseconds']:8.3f} {mine['gflops']:8.1f} {share} "
              f"{r['medianMilliseconds']:8.3f} {r['gflops']:8.1f} {speed:9.2f}")
    if ratios:
        product = 1.0
        for x in ratios:
            product *= x
        print(f"geometric mean of ours÷JAX speed over {len(ratios)} cases: {product ** (1 / len(ratios)):.2f}")


if __name__ == "__main__":
    main(sys.argv[1])
