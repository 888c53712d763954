#!/usr/bin/env python3
"""FaceNet reference embeddings from OpenCV's cv2.dnn, for the identity-network parity test.

Writes into the fixture folder: three 160×160 RGB inputs as PNG (a face crop of the bundled
sample photo, a face crop of scikit-image's public-domain astronaut portrait, seeded noise) and
reference.safetensors with, per input, the 512-d embedding cv2.dnn computes from the same
graph_final.pb, plus one intermediate feature map (NCHW) of the sample crop.

Preprocessing as FaceNet's: RGB pixel values 0…255, per-image standardisation
(x − mean) / max(std, 1/√n). Run it in a throwaway venv:
  python3 -m venv /tmp/cv && /tmp/cv/bin/pip install opencv-python-headless numpy scikit-image
  /tmp/cv/bin/python tools/facenet_reference.py models/downloaded/facenet/graph_final.pb \
      samples/image_0010.png samples/image_0010.pts Tests/EngineTests/Fixtures/facenet
"""
import json
import os
import struct
import sys

import cv2
import numpy as np
import skimage.data

FEATURE_LAYER = "InceptionResnetV1/Mixed_7a/concat"
SIZE = 160


def prewhiten(rgb):
    x = rgb.astype(np.float64)
    std_adj = max(x.std(), 1.0 / np.sqrt(x.size))
    return ((x - x.mean()) / std_adj).astype(np.float32)


def square_crop(rgb, center, side):
    """A side×side crop around center (x, y), inside the image, resized to SIZE² with
    cv2.INTER_AREA; also the box as "x,y,width,height"."""
    x0, y0 = int(round(center[0] - side / 2)), int(round(center[1] - side / 2))
    assert 0 <= x0 and 0 <= y0 and x0 + side <= rgb.shape[1] and y0 + side <= rgb.shape[0], "crop leaves the image"
    crop = rgb[y0:y0 + side, x0:x0 + side]
    return cv2.resize(crop, (SIZE, SIZE), interpolation=cv2.INTER_AREA), f"{x0},{y0},{side},{side}"


def read_pts(path):
    lines = open(path).read().split("{")[1].split("}")[0].split()
    return np.array(lines, np.float64).reshape(-1, 2) - 1  # 300-W: 1-based pixel coordinates


def varint(data, offset):
    value, shift = 0, 0
    while True:
        byte = data[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, offset


def fields(data):
    """The (number, wire type, raw field bytes, payload) of each top-level protobuf field."""
    offset = 0
    while offset < len(data):
        start = offset
        key, offset = varint(data, offset)
        wire = key & 7
        if wire == 0:
            _, offset = varint(data, offset)
            payload = None
        elif wire == 2:
            length, offset = varint(data, offset)
            payload = data[offset:offset + length]
            offset += length
        else:
            offset += 8 if wire == 1 else 4
            payload = None
        yield key >> 3, wire, data[start:offset], payload


def truncated_graph(graph, output):
    """The GraphDef cut down to the ancestors of node `output` (OpenCV 5 returns only a graph's
    final output, so an intermediate feature map needs a graph that ends there)."""
    nodes = {}
    for number, _, raw, payload in fields(graph):
        if number == 1:
            name = next(p.decode() for n, _, _, p in fields(payload) if n == 1)
            inputs = [p.decode().lstrip("^").split(":")[0] for n, _, _, p in fields(payload) if n == 3]
            nodes[name] = (raw, inputs)
    keep, stack = set(), [output]
    while stack:
        name = stack.pop()
        if name not in keep:
            keep.add(name)
            stack += nodes[name][1]
    return b"".join(raw for name, (raw, _) in nodes.items() if name in keep)


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, np.float32).tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main(model, sample_png, sample_pts, out):
    net = cv2.dnn.readNetFromTensorflow(model)
    graph = open(model, "rb").read()
    feature_net = cv2.dnn.readNetFromTensorflow(np.frombuffer(truncated_graph(graph, FEATURE_LAYER), np.uint8))
    photo = cv2.cvtColor(cv2.imread(sample_png, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    points = read_pts(sample_pts)
    low, high = points.min(axis=0), points.max(axis=0)
    side = int(1.3 * max(high - low))
    # The 68 points start at the brows: centre the crop a tenth of its side higher, on the face.
    sample, sample_box = square_crop(photo, (low + high) / 2 - (0, side / 10), side)
    inputs = {
        "sample": sample,
        "astronaut": square_crop(skimage.data.astronaut(), (225, 115), 160)[0],
        "noise": np.random.default_rng(20181).integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8),
    }
    tensors = {}
    for name, rgb in inputs.items():
        cv2.imwrite(os.path.join(out, f"{name}.png"), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        blob = prewhiten(rgb).transpose(2, 0, 1)[None]
        net.setInput(blob)
        tensors[f"{name}.embedding"] = net.forward().reshape(-1)
        if name == "sample":
            feature_net.setInput(blob)
            tensors[f"{name}.feature"] = feature_net.forward()
    write_safetensors(os.path.join(out, "reference.safetensors"), tensors,
                      {"producer": f"tools/facenet_reference.py, OpenCV {cv2.__version__} cv2.dnn",
                       "feature_layer": FEATURE_LAYER, "sample_box": sample_box})
    for name in inputs:
        e = tensors[f"{name}.embedding"]
        print(f"{name}: |e| = {np.linalg.norm(e):.6f}, e[:4] = {e[:4]}")
    print("feature", FEATURE_LAYER, tensors["sample.feature"].shape)


if __name__ == "__main__":
    main(*sys.argv[1:5])
