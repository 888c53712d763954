#!/usr/bin/env python3
"""OpenCV's cv2.dnn forward time of FaceNet (graph_final.pb) on one 160×160 image, as JSON.

Usage: python facenet_peer.py MODEL [seconds]; run from a throwaway venv with
opencv-python-headless and numpy (tools/facenet_peer.sh makes one)."""
import json
import statistics
import sys
import time

import cv2
import numpy as np


def main(model, seconds=1.0):
    net = cv2.dnn.readNetFromTensorflow(model)
    blob = np.random.default_rng(0).standard_normal((1, 3, 160, 160)).astype(np.float32)
    for _ in range(2):  # warm-up: graph set-up and allocations
        net.setInput(blob)
        net.forward()
    times = []
    while sum(times) < seconds or len(times) < 5:
        start = time.perf_counter()
        net.setInput(blob)
        net.forward()
        times.append(time.perf_counter() - start)
    json.dump({"peer": f"OpenCV {cv2.__version__} cv2.dnn ({cv2.getNumThreads()} threads)",
               "forwardMilliseconds": statistics.median(times) * 1e3, "runs": len(times)}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 1.0)
