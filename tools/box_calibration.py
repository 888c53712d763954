#!/usr/bin/env python3
"""Fits the similarity that maps dlib's MMOD face boxes to the HOG boxes dlib's 68-point shape
predictor was trained on (it was trained on HOG detections), and measures what it changes.

For every photo and a set of variants of it (mirrored, rescaled, slightly rotated: more faces at
other sizes and positions), runs both of dlib's detectors (upsampling photos under 800 px once), pairs boxes that overlap (IoU > 0.3),
and takes the median over pairs of: the centre offset in MMOD box sizes (dx, dy) and the size
ratio (scale). Prints the calibration as JSON (BoxCalibration in the Swift code) and, per photo,
how far the predictor's points on the MMOD box and on the calibrated box are from its points on
the HOG box (normalised by the outer inter-ocular distance), and from ground truth where a .pts
file is given. Run in a throwaway venv with dlib:
  python3 -m venv /tmp/dlibvenv && /tmp/dlibvenv/bin/pip install dlib-bin numpy pillow
  /tmp/dlibvenv/bin/python tools/box_calibration.py models/downloaded/dlib \
      samples/image_0010.png:samples/image_0010.pts photo2.jpg …
"""
import json
import sys

import dlib
import numpy as np
from PIL import Image


def variants(rgb):
    """The photo, mirrored, at 0.6× and 1.5× (longer side ≤ 2000), and rotated ±8°."""
    img = Image.fromarray(rgb)
    out = [("orig", rgb), ("mirror", rgb[:, ::-1].copy())]
    for s in (0.6, 1.5):
        w, h = int(img.width * s), int(img.height * s)
        if max(w, h) <= 2000:
            out.append((f"scale{s}", np.asarray(img.resize((w, h), Image.BILINEAR))))
    for a in (-8, 8):
        out.append((f"rot{a}", np.asarray(img.rotate(a, resample=Image.BILINEAR))))
    return out


def box(r):
    return np.array([r.left(), r.top(), r.right(), r.bottom()], dtype=float)


def iou(a, b):
    w = min(a[2], b[2]) - max(a[0], b[0]) + 1
    h = min(a[3], b[3]) - max(a[1], b[1]) + 1
    if w <= 0 or h <= 0:
        return 0.0
    area = lambda r: (r[2] - r[0] + 1) * (r[3] - r[1] + 1)
    return w * h / (area(a) + area(b) - w * h)


def calibrate(r, c):
    """The MMOD box r moved and scaled by calibration c, rounded to a dlib rectangle (as BoxCalibration.apply)."""
    size = ((r[2] - r[0] + 1) + (r[3] - r[1] + 1)) / 2
    cx, cy = (r[0] + r[2]) / 2 + c["dx"] * size, (r[1] + r[3]) / 2 + c["dy"] * size
    half = (c["scale"] * size - 1) / 2
    return dlib.rectangle(*(int(np.floor(v + 0.5)) for v in (cx - half, cy - half, cx + half, cy + half)))


def points(predictor, rgb, rect):
    shape = predictor(rgb, rect)
    return np.array([[p.x, p.y] for p in shape.parts()], dtype=float)


def nme(p, q):
    """Mean point distance over the outer inter-ocular distance of q (points 37 and 46, 1-based)."""
    return float(np.linalg.norm(p - q, axis=1).mean() / np.linalg.norm(q[36] - q[45]))


def detections(mmod, hog, image, upsample):
    """Both detectors' boxes on one image."""
    return [box(d.rect) for d in mmod(image, upsample)], [box(r) for r in hog(image, upsample)]


def main():
    models, photos = sys.argv[1], sys.argv[2:]
    mmod = dlib.cnn_face_detection_model_v1(models + "/mmod_human_face_detector.dat")
    hog = dlib.get_frontal_face_detector()
    predictor = dlib.shape_predictor(models + "/shape_predictor_68_face_landmarks.dat")
    pairs, samples = [], []
    for spec in photos:
        path, _, truth = spec.partition(":")
        rgb = np.asarray(Image.open(path).convert("RGB"))
        for name, image in variants(rgb):
            upsample = 1 if max(image.shape) < 800 else 0  # MMOD with upsampling takes a minute on large photos
            mmods, hogs = detections(mmod, hog, image, upsample)
            for m in mmods:
                best = max(hogs, key=lambda h: iou(m, h), default=None)
                if best is None or iou(m, best) < 0.3:
                    continue
                size = ((m[2] - m[0] + 1) + (m[3] - m[1] + 1)) / 2
                pairs.append(((best[0] + best[2] - m[0] - m[2]) / 2 / size,
                              (best[1] + best[3] - m[1] - m[3]) / 2 / size,
                              ((best[2] - best[0] + 1) + (best[3] - best[1] + 1)) / 2 / size))
                samples.append((path, name, upsample, image, m, best, truth if name == "orig" else ""))
    dx, dy, scale = np.median(np.array(pairs), axis=0)
    c = {"dx": round(float(dx), 4), "dy": round(float(dy), 4), "scale": round(float(scale), 4)}
    rows = []
    for path, name, upsample, image, m, h, truth in samples:
        on_hog = points(predictor, image, dlib.rectangle(*map(int, h)))
        on_mmod = points(predictor, image, dlib.rectangle(*map(int, m)))
        on_cal = points(predictor, image, calibrate(m, c))
        row = {"photo": path, "variant": name, "upsample": upsample,
               "mmod_vs_hog_points": nme(on_mmod, on_hog), "calibrated_vs_hog_points": nme(on_cal, on_hog)}
        if truth:
            gt = np.loadtxt(truth, comments=("version", "n_points", "{", "}")) - 1
            row.update({"truth_nme_hog": nme(on_hog, gt), "truth_nme_mmod": nme(on_mmod, gt),
                        "truth_nme_calibrated": nme(on_cal, gt)})
        rows.append(row)
    summary = {k: float(np.mean([r[k] for r in rows])) for k in ("mmod_vs_hog_points", "calibrated_vs_hog_points")}
    print(json.dumps({"calibration": c, "pairs": len(pairs), "mean": summary, "faces": rows}, indent=1))


if __name__ == "__main__":
    main()
