#!/usr/bin/env bash
# The detector's landmark noise against yaw, for the fit's noise model (FitSettings.landmarkNoise,
# yawNoiseGrowth): renders COUNT synthetic faces (SEED, not the fidelity benchmark's 2024), finds their
# 68 landmarks with `ganfit-gpu landmarks`, and compares the 51 inner points (iBUG 18–68; the jaw's true
# points are fixed vertices, not the silhouette the detector marks) with the true ones, in units of the
# face's size (the true landmarks' bounding box's longer side). Prints the median and mean per |yaw|
# bin and the σ(yaw) = σ₀·(1 + g·(yaw/60°)^p) that fits each face's RMS error best in log terms.
# Usage: bash tools/landmark_noise.sh [COUNT [SEED]] (default 40 99); OUT=folder (default /tmp/landmark-noise).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-40} seed=${2:-99} out=${OUT:-/tmp/landmark-noise} bin=${BIN:-.build/release/ganfit-gpu}
[ -x "$bin" ] || swift build -c release --product ganfit-gpu
rm -rf "$out" && mkdir -p "$out"
"$bin" synth --count "$count" --seed "$seed" --output "$out" > "$out/synth.log"
for ((i = 0; i < count; i++)); do
  "$bin" landmarks "$out/face_$i.jpg" -o "$out/detected_$i.pts" > /dev/null 2>&1 || echo "face $i: no face found"
done
python3 - "$out" <<'PY'
import json, math, statistics, sys
out = sys.argv[1]
def points(path):
    rows = [line.split() for line in open(path)]
    return [(float(r[0]), float(r[1])) for r in rows if len(r) == 2 and r[0][0] in "-0123456789"]
yaws, errors = [], []
for face in json.load(open(f"{out}/truth.json"))["faces"]:
    i = face["index"]
    try:
        found, truth = points(f"{out}/detected_{i}.pts"), points(f"{out}/face_{i}.pts")
    except OSError:
        continue
    size = max(max(p[k] for p in truth) - min(p[k] for p in truth) for k in (0, 1))
    squares = [((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) / size ** 2 for a, b in zip(found[17:], truth[17:])]
    yaws.append(abs(face["yaw"]))
    errors.append(math.sqrt(sum(squares) / len(squares)))
print(f"{len(errors)} faces found; inner-point RMS error over the face's size, by |yaw|:")
for low in range(0, 60, 10):
    members = [e for y, e in zip(yaws, errors) if low <= y < low + 10 + (1 if low == 50 else 0)]
    if members:
        print(f"  {low:2d}-{low + 10}°: {len(members):2d} faces, median {statistics.median(members):.3f}, "
              f"mean {statistics.mean(members):.3f}")
for power in (2, 4):
    best = None
    for step in range(0, 160):
        g = step / 4
        logs = [math.log(e) - math.log(1 + g * (y / 60) ** power) for y, e in zip(yaws, errors)]
        s0 = statistics.mean(logs)
        mse = statistics.mean((l - s0) ** 2 for l in logs)
        if best is None or mse < best[0]:
            best = (mse, g, math.exp(s0))
    print(f"σ(yaw) = σ₀·(1 + g·(yaw/60°)^{power}): g = {best[1]:.2f}, σ₀ = {best[2]:.4f} (log MSE {best[0]:.3f})")
PY
