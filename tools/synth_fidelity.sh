#!/usr/bin/env bash
# 3D error of the fit on synthetic faces with known shape (issue 10's measure, a first version): renders
# COUNT faces with `ganfit-gpu synth` (SEED, SIZE), keeps those with |yaw| ≤ MAXYAW, fits each from the
# photo alone (detected landmarks) and from its true landmarks, and scores both and the Surrey mean face
# (`fit --iterations 0,0`) against the true mesh with `ganfit-gpu evaluate` (symmetric point-to-plane mm;
# the scan's 3D landmarks are the true mesh's landmark vertices). Slow: two fits per face.
# Usage: bash tools/synth_fidelity.sh [COUNT [SEED [SIZE [MAXYAW]]]] (default 8 2024 640x480 40);
# OUT=folder (default /tmp/synth-fidelity), BIN=ganfit-gpu binary (default .build/release/ganfit-gpu).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-8} seed=${2:-2024} size=${3:-640x480} maxyaw=${4:-40}
out=${OUT:-/tmp/synth-fidelity} bin=${BIN:-.build/release/ganfit-gpu}
[ -x "$bin" ] || swift build -c release --product ganfit-gpu
rm -rf "$out" && mkdir -p "$out"
"$bin" synth --count "$count" --seed "$seed" --size "$size" --output "$out/faces" | tail -1
faces="$(python3 - "$out/faces/truth.json" "$maxyaw" <<'PY'
import json, sys
truth, limit = json.load(open(sys.argv[1])), float(sys.argv[2])
print(" ".join(str(i) for i, f in enumerate(truth["faces"]) if abs(f["yaw"]) <= limit))
PY
)"
for i in $faces; do
  # The true mesh's 68 landmarks: the model's iBUG landmark vertices (0 0 0 where it has none; unused).
  python3 - "$out/faces/face_$i.obj" models/sfm/ibug_to_sfm.txt > "$out/truth_$i.txt" <<'PY'
import re, sys
vertices = [l.split()[1:4] for l in open(sys.argv[1]) if l.startswith("v ")]
mapping = {int(m[1]): int(m[2]) for m in (re.match(r"\s*(\d+)\s*=\s*(\d+)", l) for l in open(sys.argv[2])) if m}
for k in range(1, 69):
    print(" ".join(vertices[mapping[k]]) if k in mapping else "0 0 0")
PY
  "$bin" fit "$out/faces/face_$i.png" --iterations 0,0 --output "$out/mean_$i" > /dev/null
  "$bin" fit "$out/faces/face_$i.png" --output "$out/detected_$i" > "$out/detected_$i.log" \
    || echo "face $i: no fit from the photo alone (see $out/detected_$i.log)"
  "$bin" fit "$out/faces/face_$i.png" --landmarks "$out/faces/face_$i.pts" --output "$out/true_$i" > /dev/null
  for kind in mean detected true; do
    [ -f "$out/${kind}_$i/mesh.obj" ] || continue
    "$bin" evaluate "$out/${kind}_$i/mesh.obj" --scan "$out/faces/face_$i.obj" --scan-landmarks "$out/truth_$i.txt" \
      --json > "$out/eval_${kind}_$i.json"
  done
done
python3 - "$out" "$faces" <<'PY'
import json, os, sys
out, faces = sys.argv[1], sys.argv[2].split()
truth = json.load(open(f"{out}/faces/truth.json"))["faces"]
kinds = ("mean", "detected", "true")
print(f"{'face':>4} {'yaw':>6}  " + "  ".join(f"{k:>9}" for k in kinds) + "   (symmetric point-to-plane, mm)")
sums = {k: [] for k in kinds}
for i in faces:
    row = []
    for k in kinds:
        path = f"{out}/eval_{k}_{i}.json"
        mm = json.load(open(path))["symmetric"]["mean_point_to_plane"] if os.path.exists(path) else None
        if mm is not None: sums[k].append(mm)
        row.append(f"{mm:9.3f}" if mm is not None else f"{'-':>9}")
    print(f"{i:>4} {truth[int(i)]['yaw']:6.1f}  " + "  ".join(row))
print(f"{'mean':>11}  " + "  ".join(f"{sum(v) / len(v):9.3f}" if v else f"{'-':>9}" for v in sums.values())
      + f"   over {len(faces)} faces: the mean face, the fit from detected landmarks, from true landmarks")
PY
