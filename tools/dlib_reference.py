#!/usr/bin/env python3
"""Reference outputs of the real dlib, for the parity tests of the Swift MMOD face detector,
68-point shape predictor and ResNet face descriptor.

For each photo it writes into the fixture folder (default Tests/EngineTests/Fixtures/dlib) one
<photo-stem>.json with, for the photo decoded to 8-bit RGB:
  mmod   dlib.cnn_face_detection_model_v1 (mmod_human_face_detector.dat) with upsample 0 and 1:
         each box (left, top, right, bottom as dlib.rectangle gives them; right and bottom are
         inclusive) and its confidence, and the 68 points of the shape predictor on the box;
  hog    dlib.get_frontal_face_detector().run(img, upsample, adjust_threshold) with upsample 0
         and 1, at the default threshold (0) and at HOG_THRESHOLD: box, score, sub-detector
         index, and the 68 points on the box;
  faces  per MMOD (upsample 0) face: dlib.get_face_chip(img, shape, 150, 0.25), saved as
         <photo-stem>.chip<i>.png; the get_face_chip_details(shape, 150, 0.25) fields; the 128-d
         descriptors face_rec.compute_face_descriptor(img, shape) and
         face_rec.compute_face_descriptor(chip) (on the 150×150 chip itself);
plus the dlib version, the model files' SHA-256 and how the photo was decoded.

The photos: the bundled samples/image_0010.png (referenced, not copied), scikit-image's
astronaut (written as astronaut.png), matplotlib's grace_hopper.jpg and insightface 2.1's t1.jpg
(a six-face group photo, from the PyPI wheel; pass --insightface-wheel or --t1, or it is reused
from the fixture folder, or skipped). JPEG files are copied with their bytes unchanged and
decoded with Pillow; each decoded RGB is also stored as <photo-stem>.decoded.png so the Swift
tests can run on exactly the pixels dlib saw (JPEG decoders differ in the last bit).

Run it in a throwaway venv, after `bash scripts/fetch-models.sh`:
  python3 -m venv /tmp/dlibvenv && /tmp/dlibvenv/bin/pip install dlib-bin numpy pillow scikit-image matplotlib
  python3 -m pip download --no-deps --dest /tmp/insightface insightface==2.1   # optional, for t1.jpg
  /tmp/dlibvenv/bin/python tools/dlib_reference.py [--insightface-wheel /tmp/insightface/insightface-2.1-py3-none-any.whl]
"""
import argparse
import hashlib
import io
import json
import os
import re
import shutil
import sys
import zipfile
from importlib import metadata

import dlib
import numpy as np
import PIL
import PIL.features
from PIL import Image

HOG_THRESHOLD = -0.5
CHIP_SIZE = 150
CHIP_PADDING = 0.25
MODELS = {
    "mmod": "mmod_human_face_detector.dat",
    "shape68": "shape_predictor_68_face_landmarks.dat",
    "resnet": "dlib_face_recognition_resnet_model_v1.dat",
}


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def rounding_check():
    """dlib.point is integer (C++ dlib::vector<long,2>); the shape predictor builds its
    full_object_detection from std::vector<point>, so the landmarks are rounded inside dlib's C++
    (dpoint → point), before Python sees them. This records the rounding rule, probed on dpoint."""
    probes = [-1.5, -0.5, 0.5, 1.5, 2.5, 2.49, 2.51]
    rounded = [dlib.point(dlib.dpoint(v, v)).x for v in probes]
    assert rounded == [int(np.floor(v + 0.5)) for v in probes], rounded
    return {
        "integer": True,
        "rule": "floor(v + 0.5)",
        "probes": dict(zip(map(repr, probes), rounded)),
        "note": "The 68 landmarks are integers: dlib's shape_predictor converts its float shape to "
                "dlib::point (vector<long,2>) in C++ (shape_predictor.h: parts[i] = "
                "tform_to_img(location(current_shape, i))), so no API gives the float positions. "
                "Compare the Swift float landmarks after rounding with floor(v + 0.5), allowing "
                "0.5 px plus rounding tolerance. The feature-pixel look-ups inside the cascade "
                "round the same way (point p = tform_to_img(...)).",
    }


def box(r):
    return {"left": r.left(), "top": r.top(), "right": r.right(), "bottom": r.bottom()}


def parts(shape):
    assert shape.num_parts == 68
    return [[p.x, p.y] for p in shape.parts()]


NUMBERS = r"\[\s*(-?[0-9][-+0-9.eE]*(?:,\s*-?[0-9][-+0-9.eE]*)*)\s*\]"
FLAT_LISTS = r"\[\s*(\[[-+0-9.eE, ]*\](?:,\s*\[[-+0-9.eE, ]*\])*)\s*\]"


def compact_json(value):
    """Indented JSON with each list of numbers (a descriptor, a point) and each list of such lists
    (the 68 points) on one line; floats as Python's repr, which reads back to the same double."""
    text = json.dumps(value, indent=1)
    text = re.sub(NUMBERS, lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text)
    return re.sub(FLAT_LISTS, lambda m: "[" + re.sub(r"\],\s*\[", "], [", m.group(1)) + "]", text)


def decoder_name(path):
    if path.lower().endswith((".jpg", ".jpeg")):
        turbo = PIL.features.version_feature("libjpeg_turbo") if PIL.features.check_feature("libjpeg_turbo") else None
        return f"Pillow {PIL.__version__}, libjpeg {PIL.features.version('jpg')}" + (f" (libjpeg-turbo {turbo})" if turbo else "")
    return f"Pillow {PIL.__version__}, PNG"


def load_rgb(path):
    with Image.open(path) as im:
        return np.ascontiguousarray(np.asarray(im.convert("RGB"), dtype=np.uint8))


def photos(args, root, out):
    """(stem, path of the photo file, provenance) for each photo, writing the copies."""
    result = [("image_0010", os.path.join(root, "samples/image_0010.png"), "samples/image_0010.png (bundled)")]

    import skimage
    import skimage.data
    astronaut = os.path.join(out, "astronaut.png")
    Image.fromarray(skimage.data.astronaut()).save(astronaut, optimize=True)
    result.append(("astronaut", astronaut, f"scikit-image {skimage.__version__} skimage.data.astronaut() (public domain), saved as PNG"))

    import matplotlib
    import matplotlib.cbook
    grace = os.path.join(out, "grace_hopper.jpg")
    shutil.copyfile(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False), grace)
    result.append(("grace_hopper", grace, f"matplotlib {matplotlib.__version__} mpl-data/sample_data/grace_hopper.jpg, bytes unchanged"))

    t1 = os.path.join(out, "t1.jpg")
    if args.insightface_wheel:
        with zipfile.ZipFile(args.insightface_wheel) as z:
            data = z.read("insightface/data/images/t1.jpg")
        with open(t1, "wb") as f:
            f.write(data)
    elif args.t1:
        shutil.copyfile(args.t1, t1)
    if os.path.exists(t1):  # from this run's option, or from an earlier run
        result.append(("t1", t1, "insightface 2.1 (PyPI wheel) insightface/data/images/t1.jpg, bytes unchanged"))
    else:
        print("dlib_reference: no t1.jpg (pass --insightface-wheel or --t1); skipped", file=sys.stderr)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--models", default=os.path.join(root, "models/downloaded/dlib"))
    parser.add_argument("--out", default=os.path.join(root, "Tests/EngineTests/Fixtures/dlib"))
    parser.add_argument("--insightface-wheel", help="the insightface 2.1 wheel, to take t1.jpg from")
    parser.add_argument("--t1", help="t1.jpg itself")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    model_paths = {k: os.path.join(args.models, v) for k, v in MODELS.items()}
    mmod = dlib.cnn_face_detection_model_v1(model_paths["mmod"])
    hog = dlib.get_frontal_face_detector()
    predictor = dlib.shape_predictor(model_paths["shape68"])
    face_rec = dlib.face_recognition_model_v1(model_paths["resnet"])
    try:
        package = f"dlib-bin {metadata.version('dlib-bin')}"
    except metadata.PackageNotFoundError:
        package = f"dlib {dlib.__version__}"
    common = {
        "dlib": {"version": dlib.__version__, "package": package, "cuda": bool(dlib.DLIB_USE_CUDA)},
        "models": {v: {"sha256": sha256(model_paths[k])} for k, v in MODELS.items()},
        "pointRounding": rounding_check(),
    }

    for stem, path, provenance in photos(args, root, args.out):
        img = load_rgb(path)
        rel = os.path.relpath(path, root)
        record = {"photo": rel, "provenance": provenance, "sha256": sha256(path),
                  "width": img.shape[1], "height": img.shape[0], "decoder": decoder_name(path)}
        if path.lower().endswith((".jpg", ".jpeg")):
            decoded = os.path.join(args.out, stem + ".decoded.png")
            Image.fromarray(img).save(decoded, optimize=True)
            assert np.array_equal(load_rgb(decoded), img)
            theirs = dlib.load_rgb_image(path)
            same = theirs.shape == img.shape and np.array_equal(theirs, img)
            record["decodedPNG"] = os.path.relpath(decoded, root)
            record["dlibLoadRGBImage"] = {
                "identical": bool(same),
                "maxAbsDifference": None if theirs.shape != img.shape else int(np.abs(theirs.astype(int) - img.astype(int)).max()),
                "meanAbsDifference": None if theirs.shape != img.shape else float(np.abs(theirs.astype(int) - img.astype(int)).mean()),
                "note": "dlib.load_rgb_image's own JPEG decoding of the same file, compared with Pillow's "
                        "(all results here are on Pillow's pixels, as in decodedPNG)",
            }
        record["rgbSHA256"] = hashlib.sha256(img.tobytes()).hexdigest()
        record.update(common)

        record["mmod"] = {}
        for upsample in (0, 1):
            dets = mmod(img, upsample)
            record["mmod"][str(upsample)] = [
                dict(box(d.rect), confidence=d.confidence, parts=parts(predictor(img, d.rect))) for d in dets]

        record["hog"] = {"threshold": HOG_THRESHOLD, "defaultThreshold": 0.0}
        for upsample in (0, 1):
            entry = {}
            for key, threshold in (("default", 0.0), ("adjusted", HOG_THRESHOLD)):
                rects, scores, indices = hog.run(img, upsample, threshold)
                entry[key] = [dict(box(r), score=s, subdetector=int(i), parts=parts(predictor(img, r)))
                              for r, s, i in zip(rects, scores, indices)]
            default_boxes = [box(r) for r in hog(img, upsample)]
            assert default_boxes == [{k: d[k] for k in ("left", "top", "right", "bottom")} for d in entry["default"]]
            record["hog"][str(upsample)] = entry

        record["faces"] = []
        for i, det in enumerate(record["mmod"]["0"]):
            rect = dlib.rectangle(det["left"], det["top"], det["right"], det["bottom"])
            shape = predictor(img, rect)
            chip = dlib.get_face_chip(img, shape, size=CHIP_SIZE, padding=CHIP_PADDING)
            chip_name = f"{stem}.chip{i}.png"
            Image.fromarray(chip).save(os.path.join(args.out, chip_name), optimize=True)
            details = dlib.get_face_chip_details(shape, CHIP_SIZE, CHIP_PADDING)
            descriptor = list(face_rec.compute_face_descriptor(img, shape))
            from_chip = list(face_rec.compute_face_descriptor(np.ascontiguousarray(chip)))
            record["faces"].append({
                "mmodIndex": i,
                "chip": os.path.relpath(os.path.join(args.out, chip_name), root),
                "chipSize": CHIP_SIZE, "chipPadding": CHIP_PADDING,
                "chipDetails": {"rect": {"left": details.rect.left(), "top": details.rect.top(),
                                         "right": details.rect.right(), "bottom": details.rect.bottom()},
                                "angle": details.angle, "rows": details.rows, "cols": details.cols},
                "descriptor": descriptor,
                "descriptorFromChip": from_chip,
                "descriptorMaxAbsDifference": max(abs(a - b) for a, b in zip(descriptor, from_chip)),
            })

        with open(os.path.join(args.out, stem + ".json"), "w") as f:
            f.write(compact_json(record) + "\n")
        summary = "; ".join(
            f"mmod{u} " + ",".join(f"({d['left']},{d['top']},{d['right']},{d['bottom']}) {d['confidence']:.3f}" for d in record["mmod"][str(u)])
            for u in (0, 1))
        hogs = "; ".join(f"hog{u} " + ",".join(f"{d['score']:.3f}" for d in record["hog"][str(u)]["adjusted"]) for u in (0, 1))
        print(f"{stem}: {img.shape[1]}×{img.shape[0]} {summary}; {hogs}")


if __name__ == "__main__":
    main()
