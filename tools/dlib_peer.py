#!/usr/bin/env python3
"""dlib's face-pipeline times on the bundled 1280×1024 photo, the peer of the Swift detector and
shape-predictor benchmarks.

Times, as the median of --runs runs after one warm-up run: the MMOD CNN detector
(cnn_face_detection_model_v1) with upsample 0 and 1, the HOG detector
(get_frontal_face_detector) with upsample 0 and 1, and the 68-point shape predictor on the first
MMOD (upsample 0) box. Prints one line per item, or with --json a JSON list. Each item also
reports its median CPU time and CPU time ÷ wall time, the effective thread count (below 1 on a
busy machine: then the CPU time is the better figure);
dlib-bin's wheel links no BLAS and is built without CUDA, so its MMOD runs on the CPU, one thread.

Run it in the venv of tools/dlib_reference.py, after `bash scripts/fetch-models.sh`:
  /tmp/dlibvenv/bin/python tools/dlib_peer.py [--runs 5] [--json]
"""
import argparse
import json
import os
import statistics
import time

import dlib
import numpy as np
from PIL import Image


def timed(fn, runs):
    fn()  # warm-up: allocations, the first tensor set-up
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), sum(cpus) / sum(walls)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=os.path.join(root, "models/downloaded/dlib"))
    parser.add_argument("--photo", default=os.path.join(root, "samples/image_0010.png"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    img = np.ascontiguousarray(np.asarray(Image.open(args.photo).convert("RGB"), dtype=np.uint8))
    mmod = dlib.cnn_face_detection_model_v1(os.path.join(args.models, "mmod_human_face_detector.dat"))
    hog = dlib.get_frontal_face_detector()
    predictor = dlib.shape_predictor(os.path.join(args.models, "shape_predictor_68_face_landmarks.dat"))
    faces = mmod(img, 0)
    assert faces, "no MMOD face on the photo"
    rect = faces[0].rect

    items = [
        ("mmod upsample 0", lambda: mmod(img, 0)),
        ("mmod upsample 1", lambda: mmod(img, 1)),
        ("hog upsample 0", lambda: hog(img, 0)),
        ("hog upsample 1", lambda: hog(img, 1)),
        ("shape68 one box", lambda: predictor(img, rect)),
    ]
    peer = f"dlib {dlib.__version__} (CUDA {'on' if dlib.DLIB_USE_CUDA else 'off'}), {os.cpu_count()} CPUs"
    results = []
    for name, fn in items:
        runs = args.runs if not name.startswith("shape68") else max(args.runs, 200)
        median, cpu, threads = timed(fn, runs)
        results.append({"name": name, "medianMilliseconds": median * 1e3, "medianCPUMilliseconds": cpu * 1e3,
                        "runs": runs, "effectiveThreads": round(threads, 2)})
        if not args.json:
            print(f"{name:16} {median * 1e3:10.3f} ms  (median of {runs}; CPU {cpu * 1e3:.3f} ms, {threads:.2f} threads)  [{peer}, "
                  f"{img.shape[1]}×{img.shape[0]}]", flush=True)
    if args.json:
        print(json.dumps({"peer": peer, "photo": os.path.relpath(args.photo, root),
                          "width": img.shape[1], "height": img.shape[0], "results": results}, indent=1))


if __name__ == "__main__":
    main()
