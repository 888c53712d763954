#!/usr/bin/env bash
# Issue 10's several-photos benchmark: does a fit of two photos of one person beat a fit of either
# alone? Renders COUNT people twice each with `ganfit-gpu synth --views 2` (SEED, SIZE: the same shape,
# bumps and albedo; each photo its own expression, pose, camera, light and background) and, per person,
# fits photo A alone, photo B alone, and A+B together (`fit A B`; its mesh.obj carries A's expression),
# each from the detector's landmarks, then scores every mesh with `ganfit-gpu evaluate` against its own
# photo's true mesh (A+B against A's). Prints per person and the means, and how often A+B beats A alone;
# BOTH_ORDERS=1 also fits B+A (scored against B's truth) to compare with B alone.
# Usage: bash tools/synth_views.sh [COUNT [SEED [SIZE]]] (default 12 77 640x480). Environment: OUT=folder
# (default /tmp/synth-views), BIN=ganfit-gpu binary, FACES=an earlier `synth --views 2` folder to reuse,
# FIT_FLAGS="..." added to every fit (e.g. "--iterations 500,0" for the landmark stage alone).
set -uo pipefail
cd "$(dirname "$0")/.."
count=${1:-12} seed=${2:-77} size=${3:-640x480}
out=${OUT:-/tmp/synth-views} bin=${BIN:-.build/release/ganfit-gpu} fitflags=${FIT_FLAGS:-}
[ -x "$bin" ] || swift build -c release --product ganfit-gpu || exit 1
mkdir -p "$out" && rm -rf "$out/fits" "$out/scores" "$out/logs" && mkdir -p "$out/fits" "$out/scores" "$out/logs"
faces=${FACES:-$out/faces}
if [ -z "${FACES:-}" ]; then
  rm -rf "$faces"
  "$bin" synth --count "$count" --seed "$seed" --size "$size" --views 2 --output "$faces" > "$out/logs/synth.log" 2>&1 \
    || { echo "synth failed:"; tail -5 "$out/logs/synth.log"; exit 1; }
fi
# Fits TAG from the photos given and scores its mesh against the true mesh TRUTH (face_TRUTH.obj).
fit() {
  local tag=$1 truth=$2; shift 2
  python3 - "$faces/face_$truth.obj" models/sfm/ibug_to_sfm.txt > "$out/fits/truth_$truth.txt" <<'PY'
import re, sys
vertices = [l.split()[1:4] for l in open(sys.argv[1]) if l.startswith("v ")]
mapping = {int(m[1]): int(m[2]) for m in (re.match(r"\s*(\d+)\s*=\s*(\d+)", l) for l in open(sys.argv[2])) if m}
for k in range(1, 69):
    print(" ".join(vertices[mapping[k]]) if k in mapping else "0 0 0")
PY
  # shellcheck disable=SC2086
  "$bin" fit "$@" $fitflags -q --output "$out/fits/$tag" > "$out/logs/$tag.log" 2>&1 \
    || { echo "  $tag failed: $(tail -1 "$out/logs/$tag.log")"; return; }
  "$bin" evaluate "$out/fits/$tag/mesh.obj" --scan "$faces/face_$truth.obj" \
    --scan-landmarks "$out/fits/truth_$truth.txt" --json > "$out/scores/$tag.json" 2> "$out/logs/eval_$tag.log"
}
people=$(python3 -c "import json,sys; print(' '.join(str(f['index']) for f in json.load(open(sys.argv[1]))['faces'] if f.get('view', 0) == 0))" "$faces/truth.json")
for i in $people; do
  echo "person $i"
  fit A$i "$i" "$faces/face_$i.jpg"
  fit B$i "$i.2" "$faces/face_$i.2.jpg"
  fit AB$i "$i" "$faces/face_$i.jpg" "$faces/face_$i.2.jpg"
  [ "${BOTH_ORDERS:-0}" = 1 ] && fit BA$i "$i.2" "$faces/face_$i.2.jpg" "$faces/face_$i.jpg"
done
python3 - "$out" $people <<'PY'
import json, statistics, sys
out, people = sys.argv[1], sys.argv[2:]
def score(tag):
    try:
        return json.load(open(f"{out}/scores/{tag}.json"))["symmetric"]["mean_point_to_plane"]
    except (OSError, ValueError, KeyError):
        return None
rows = {i: {k: score(k + i) for k in ("A", "B", "AB", "BA")} for i in people}
print("symmetric mean point-to-plane error, mm (a missed face or failed fit: -)")
for i, r in rows.items():
    print(f"person {i:>3}: " + "  ".join(f"{k} {v:.3f}" if v is not None else f"{k} -" for k, v in r.items()))
for pair, alone in (("AB", "A"), ("BA", "B")):
    both = [r for r in rows.values() if r[pair] is not None and r[alone] is not None]
    if both:
        mean = lambda k: statistics.mean(r[k] for r in both)
        print(f"{pair} (on {alone}'s truth) {mean(pair):.3f} mm against {alone} alone {mean(alone):.3f} mm over {len(both)} "
              f"people; better on {sum(r[pair] < r[alone] for r in both)}")
PY
