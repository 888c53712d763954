#!/usr/bin/env bash
# Landmark accuracy of `ganfit-gpu landmarks` on synthetic faces with known points (`ganfit-gpu synth`):
# NME (mean point error over the truth's outer inter-ocular distance, iBUG 37–46, as LandmarkAccuracy.nme)
# over the faces detected, with and without the 17 jaw points (the truth's jaw points are fixed model
# vertices, not the silhouette an annotator marks), by |yaw| bin, with the detector's boxes as they are
# and mapped towards HOG boxes (the default; --mmod-boxes turns it off). Usage: bash tools/landmark_nme.sh [COUNT [SEED [SIZE]]] (default 40 2024 640x480);
# OUT=folder (default /tmp/landmark-nme), BIN=ganfit-gpu binary (default .build/release/ganfit-gpu).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-40} seed=${2:-2024} size=${3:-640x480}
out=${OUT:-/tmp/landmark-nme} bin=${BIN:-.build/release/ganfit-gpu}
[ -x "$bin" ] || swift build -c release
rm -rf "$out" && mkdir -p "$out/identity" "$out/hog"
"$bin" synth --count "$count" --seed "$seed" --size "$size" --output "$out/faces" | tail -1
for mode in identity hog; do
    flags=()
    [ "$mode" = identity ] && flags=(--mmod-boxes)
    for ((i = 0; i < count; i++)); do
        "$bin" landmarks "$out/faces/face_$i.jpg" --all --json "${flags[@]}" > "$out/$mode/face_$i.json" 2> /dev/null \
            || echo '{"faces": []}' > "$out/$mode/face_$i.json"
    done
done
python3 - "$out" "$count" <<'PY'
import json, math, sys
out, count = sys.argv[1], int(sys.argv[2])
truth = json.load(open(f"{out}/faces/truth.json"))

def pts(path):
    body = open(path).read().split("{")[1].split("}")[0].split()
    return [(float(body[k]) - 1, float(body[k + 1]) - 1) for k in range(0, len(body), 2)]

def dist(a, b):
    return math.hypot(a[0] - b[0], a[1] - b[1])

print(f"{count} faces, seed {truth['seed']}, {truth['width']}x{truth['height']}")
print("boxes     | bin      faces detected | NME all  NME no jaw (51 points)")
for mode in ["identity", "hog"]:
    rows = {"all": [], "0-20": [], "20-40": [], "40-60": []}
    totals = {k: 0 for k in rows}
    for face in truth["faces"]:
        i, yaw = face["index"], abs(face["yaw"])
        key = "0-20" if yaw < 20 else "20-40" if yaw < 40 else "40-60"
        for k in ("all", key): totals[k] += 1
        true = pts(f"{out}/faces/face_{i}.pts")
        found = json.load(open(f"{out}/{mode}/face_{i}.json"))["faces"]
        centre = (sum(p[0] for p in true) / 68, sum(p[1] for p in true) / 68)
        # The detection nearest the true face (a background face may be found too); none near: a miss.
        iod = dist(true[36], true[45])
        best = min(found, key=lambda f: dist(centre, (sum(p[0] for p in f["points"]) / 68,
                                                      sum(p[1] for p in f["points"]) / 68)), default=None)
        if best is None: continue
        e = [dist(p, t) for p, t in zip(best["points"], true)]
        if sum(e) / 68 / iod > 1: continue  # another face, not this one
        for k in ("all", key): rows[k].append((sum(e) / 68 / iod, sum(e[17:]) / 51 / iod))
    for k, r in rows.items():
        mean = lambda v: sum(v) / len(v) if v else float("nan")
        print(f"{'mmod' if mode == 'identity' else 'hog-like':9} | {k:6} {totals[k]:6} {len(r):8} | "
              f"{mean([a for a, _ in r]):7.4f} {mean([b for _, b in r]):9.4f}")
PY
