#!/usr/bin/env bash
# FaceNet on one 160×160 image: ganfit-gpu's forward and forward+backward beside OpenCV cv2.dnn's
# forward on the same graph_final.pb, in one run. OpenCV lives in a throwaway virtual environment
# outside the project (CV_VENV to reuse one). Usage: bash tools/facenet_peer.sh [--device D] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
device=cpu
if [ "${1:-}" = "--device" ]; then device="$2"; shift 2; fi
seconds="${1:-1}"
venv="${CV_VENV:-${TMPDIR:-/tmp}/ganfit-opencv-peer}"
# OpenCV 5.0.0 made the fixtures; 5.1 no longer reads TensorFlow graphs, 4.14 fails on this one.
opencv="opencv-python-headless==5.0.0.93"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import cv2; cv2.dnn.readNetFromTensorflow" 2>/dev/null; then
  echo "facenet_peer: installing $opencv into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "$opencv" numpy
fi
bash scripts/fetch-models.sh >&2
swift build -c release --product ganfit-gpu >&2
model=models/downloaded/facenet/graph_final.pb
ours="$(.build/release/ganfit-gpu bench --device "$device" --facenet --filter facenet --json --seconds "$seconds")"
peer="$("$venv/bin/python" tools/facenet_peer.py "$model" "$seconds")"
python3 - "$ours" "$peer" <<'PY'
import json, sys
ours, peer = json.loads(sys.argv[1]), json.loads(sys.argv[2])
cv = peer["forwardMilliseconds"]
print(f"peer: {peer['peer']}, forward {cv:.1f} ms")
for r in ours:
    print(f"{r['name']:<62} {r['device']:<10} {r['medianMilliseconds']:8.1f} ms  {r['gflops']:6.1f} GFLOP/s"
          f"  OpenCV forward ÷ this: {cv / r['medianMilliseconds']:.2f}")
PY
