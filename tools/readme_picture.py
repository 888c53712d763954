"""The README's pictures of fits' outputs: one row of panels per fit's output folder (the landmarks
around the face, the shape over the crop, the textured render over the crop, the frontal view), over the
loss curves when there is one folder, written as a JPEG.

Usage (in a throwaway venv with Pillow):
    python3 -m venv /tmp/pil-venv && /tmp/pil-venv/bin/pip install pillow
    /tmp/pil-venv/bin/python tools/readme_picture.py .build/fit-sample docs/fit-sample.jpg
after `bash scripts/quickstart.sh` (which fits the bundled photo into .build/fit-sample); the portraits'
picture from two fits, one row each (see the README):
    /tmp/pil-venv/bin/python tools/readme_picture.py /tmp/fit-astronaut /tmp/fit-hopper docs/fit-portraits.jpg
"""
import sys

from PIL import Image, ImageDraw

if len(sys.argv) < 3:
    sys.exit("usage: readme_picture.py FIT_FOLDER [FIT_FOLDER ...] OUTPUT.jpg")
folders, output = sys.argv[1:-1], sys.argv[-1]
side = 256
panels = [("landmarks.png", "landmarks: detected (red), fitted (green)"), ("shape.png", "shape.png"),
          ("render.png", "render.png"), ("frontal.png", "frontal.png (a novel view)")]
row = side + 16
width = side * len(panels)
losses = None
if len(folders) == 1:
    losses = Image.open(f"{folders[0]}/losses.png").convert("RGB")
    losses = losses.resize((width, round(losses.height * width / losses.width)))
canvas = Image.new("RGB", (width, row * len(folders) + (losses.height if losses else 0)), "white")
draw = ImageDraw.Draw(canvas)
for r, folder in enumerate(folders):
    for k, (name, caption) in enumerate(panels):
        canvas.paste(Image.open(f"{folder}/{name}").convert("RGB").resize((side, side)), (k * side, r * row))
        draw.text((k * side + 4, r * row + side + 2), caption, fill="black")
if losses:
    canvas.paste(losses, (0, row))
canvas.save(output, quality=85)
