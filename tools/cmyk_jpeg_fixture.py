#!/usr/bin/env python3
"""A CMYK JPEG and its reference decodings, for ImageFileTests' CMYK case.

Writes into Tests/EngineTests/Fixtures/jpeg:
  cmyk.jpg          a 96x72 crop of the astronaut fixture, converted to CMYK and saved by Pillow
                    (which stores the inks inverted and writes Adobe's marker, as Photoshop does);
  cmyk.pillow.png   Pillow's RGB decoding of it (Image.open(...).convert("RGB"));
  cmyk.opencv.png   OpenCV's (cv2.imread, BGR turned to RGB);
  cmyk-plain.jpg    the same file without Adobe's APP14 segment, and cmyk-plain.pillow.png, Pillow's
                    decoding of it (Pillow, like OpenCV, reads the inks inverted either way);
  cmyk.json         the versions used and the two decodings' largest difference.

Run it in a throwaway venv:
  python3 -m venv /tmp/cmykvenv && /tmp/cmykvenv/bin/pip install pillow numpy opencv-python-headless
  /tmp/cmykvenv/bin/python tools/cmyk_jpeg_fixture.py
"""
import json
import os

import cv2
import numpy as np
import PIL
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FOLDER = os.path.join(ROOT, "Tests", "EngineTests", "Fixtures", "jpeg")


def without_adobe_segment(data):
    """The JPEG's bytes with its APP14 (FF EE) segment, Adobe's colour transform marker, cut out."""
    at = 2
    while data[at] == 0xFF and data[at + 1] != 0xDA:
        length = int.from_bytes(data[at + 2:at + 4], "big")
        if data[at + 1] == 0xEE:
            return data[:at] + data[at + 2 + length:]
        at += 2 + length
    raise SystemExit("no Adobe APP14 segment before the scan")


def main():
    os.makedirs(FOLDER, exist_ok=True)
    source = Image.open(os.path.join(ROOT, "Tests", "EngineTests", "Fixtures", "dlib", "astronaut.png"))
    crop = source.convert("RGB").crop((160, 60, 352, 204)).resize((96, 72), Image.LANCZOS)
    jpeg = os.path.join(FOLDER, "cmyk.jpg")
    crop.convert("CMYK").save(jpeg, quality=92)
    pillow = np.asarray(Image.open(jpeg).convert("RGB"))
    opencv = cv2.cvtColor(cv2.imread(jpeg, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    Image.fromarray(pillow).save(os.path.join(FOLDER, "cmyk.pillow.png"))
    Image.fromarray(opencv).save(os.path.join(FOLDER, "cmyk.opencv.png"))
    plain = os.path.join(FOLDER, "cmyk-plain.jpg")
    with open(plain, "wb") as f:
        f.write(without_adobe_segment(open(jpeg, "rb").read()))
    Image.fromarray(np.asarray(Image.open(plain).convert("RGB"))).save(
        os.path.join(FOLDER, "cmyk-plain.pillow.png"))
    difference = int(np.abs(pillow.astype(int) - opencv.astype(int)).max())
    report = {
        "pillow": PIL.__version__,
        "opencv": cv2.__version__,
        "mode_on_open": Image.open(jpeg).mode,
        "largest_difference_pillow_opencv": difference,
    }
    with open(os.path.join(FOLDER, "cmyk.json"), "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
