"""The README's picture of a fit's outputs: one row of panels from a fit's output folder (the landmarks
around the face, the shape over the crop, the textured render over the crop, the frontal view) over the
loss curves, written as a JPEG.

Usage (in a throwaway venv with Pillow):
    python3 -m venv /tmp/pil-venv && /tmp/pil-venv/bin/pip install pillow
    /tmp/pil-venv/bin/python tools/readme_picture.py .build/fit-sample docs/fit-sample.jpg
after `bash scripts/quickstart.sh` (which fits the bundled photo into .build/fit-sample).
"""
import sys

from PIL import Image, ImageDraw

folder, output = sys.argv[1], sys.argv[2]
side = 256
panels = [("landmarks.png", "landmarks: detected (red), fitted (green)"), ("shape.png", "shape.png"),
          ("render.png", "render.png"), ("frontal.png", "frontal.png (a novel view)")]
losses = Image.open(f"{folder}/losses.png").convert("RGB")
losses = losses.resize((side * len(panels), round(losses.height * side * len(panels) / losses.width)))
canvas = Image.new("RGB", (side * len(panels), side + 16 + losses.height), "white")
draw = ImageDraw.Draw(canvas)
for k, (name, caption) in enumerate(panels):
    canvas.paste(Image.open(f"{folder}/{name}").convert("RGB").resize((side, side)), (k * side, 0))
    draw.text((k * side + 4, side + 2), caption, fill="black")
canvas.paste(losses, (0, side + 16))
canvas.save(output, quality=85)
