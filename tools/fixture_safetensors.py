"""Writes Float32 safetensors files for test fixtures (numpy only), shared by the fixture scripts."""
import json
import struct

import numpy as np


def write_safetensors(path, arrays):
    """Writes `arrays` (name → array-like), in order, as little-endian F32."""
    header, blobs, offset = {}, [], 0
    for name, array in arrays.items():
        data = np.ascontiguousarray(array, dtype="<f4")
        header[name] = {"dtype": "F32", "shape": list(data.shape),
                        "data_offsets": [offset, offset + data.nbytes]}
        blobs.append(data.tobytes())
        offset += data.nbytes
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
