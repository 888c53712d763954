#!/usr/bin/env bash
# Face detection and 68 landmarks on the bundled 1280×1024 photo: ganfit-gpu (dlib's MMOD network on
# the engine, dlib's shape predictor in Swift) beside dlib itself (PyPI dlib-bin, in a throwaway venv
# outside the project; DLIB_VENV to reuse one), in one run, medians of RUNS runs after a warm-up.
# Usage: bash tools/landmarks_peer.sh [--device D] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
device=cpu
if [ "${1:-}" = "--device" ]; then device="$2"; shift 2; fi
runs="${1:-5}"
venv="${DLIB_VENV:-${TMPDIR:-/tmp}/dlibvenv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import dlib, PIL" 2>/dev/null; then
  echo "landmarks_peer: installing dlib-bin into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q dlib-bin numpy pillow
fi
bash scripts/fetch-models.sh >&2
swift build -c release --product ganfit-gpu >&2
photo=samples/image_0010.png
ours() { .build/release/ganfit-gpu landmarks "$photo" --device "$device" --upsample "$1" --runs "$runs" --json; }
up0="$(ours 0)"
up1="$(ours 1)"
peer="$("$venv/bin/python" tools/dlib_peer.py --runs "$runs" --json)"
python3 - "$up0" "$up1" "$peer" "$device" <<'PY'
import json, sys
up0, up1, peer, device = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
dlib = {item["name"]: item for item in peer["results"]}
print(f"peer: {peer['peer']}; photo {peer['photo']} {peer['width']}×{peer['height']}; medians")
print(f"{'':34} {'ours ms':>9} {'dlib ms':>9} {'dlib CPU ms':>11} {'dlib ÷ ours':>11}")
def row(label, ours_ms, item):
    theirs = item["medianMilliseconds"]
    print(f"{label:<34} {ours_ms:9.2f} {theirs:9.2f} {item['medianCPUMilliseconds']:11.2f} {theirs / ours_ms:11.2f}")
for ours, up in ((up0, 0), (up1, 1)):
    detection = 1e3 * ours["detection_seconds"]
    row(f"MMOD upsample {up} (ours on {device})", detection, dlib[f"mmod upsample {up}"])
    row(f"  vs dlib's HOG upsample {up}", detection, dlib[f"hog upsample {up}"])
row("68 landmarks, one face, in a loop", 1e3 * up0["landmark_loop_seconds"], dlib["shape68 one box"])
row("  (ours after each detection)", 1e3 * up0["landmark_seconds"], dlib["shape68 one box"])
PY
