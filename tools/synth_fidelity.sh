#!/usr/bin/env bash
# Issue 10's benchmark: 3D error of the fit on synthetic faces with known shape. Renders COUNT faces with
# `ganfit-gpu synth` (SEED, SIZE; yaw ±60°, bumps the model cannot express, highlights, blur, noise, JPEG)
# and scores against each true mesh with `ganfit-gpu evaluate` (symmetric mean point-to-plane, mm; the
# truth's 3D landmarks are its landmark vertices) each kind in KINDS:
#   floor     face_i.floor.obj, the truth projected onto the model (the best any fit can do);
#   mean      the Surrey mean face (`fit --iterations 0,0`; one mesh for every face);
#   landmark  the landmark stage alone (`fit --iterations 500,0`) from the detector's landmarks on the photo;
#   full      the default fit, from the detector's landmarks.
#   full_focal  the same at the face's true focal length (--focal35mm), the baseline of from_truth;
#   from_truth  stage 2 started from the truth (the floor's coefficients and the true pose, `fit --start`
#             with stage 1 skipped) at the true focal length: whether the fit's objective holds the truth,
#             and whether it ends with lower pixel and identity losses there than full_focal (printed);
#   shape_from_truth, pose_from_truth  the joint stage started from the truth's shape with the landmark
#             stage's pose, or the landmark stage's shape with the true pose (the landmark stage run at
#             the true focal length first): which of the two the fit keeps.
# A face the detector misses, or any command that fails, is a failure of that kind (its error is printed);
# the run goes on. Summary: mean ± sd of each kind overall and by |yaw| bin (0–20, 20–40, 40–60°), counts,
# failures, how often the full fit beats the landmark stage, and for the fits the identity judge: dlib's
# descriptor distance between the photo and the fit's frontal view (report.json's identity_judge
# frontal_distance; a network the fit does not optimise; below 0.6 dlib calls them the same person).
# Usage: bash tools/synth_fidelity.sh [COUNT [SEED [SIZE]]] (default 30 2024 640x480). Environment:
#   OUT=folder (default /tmp/synth-fidelity; its fits and scores are replaced), BIN=ganfit-gpu binary
#   (default .build/release/ganfit-gpu), KINDS="floor mean landmark full" (any subset), FACES=folder of an
#   earlier `synth` run to reuse (COUNT, SEED, SIZE then come from its truth.json), TRUE=1 to also fit
#   landmark and full from the true landmarks (kinds landmark_true, full_true), MAXYAW=degrees to keep only
#   faces with |yaw| ≤ it, FIT_FLAGS="..." added to every fit (compare variants on the same FACES).
set -uo pipefail
cd "$(dirname "$0")/.."
count=${1:-30} seed=${2:-2024} size=${3:-640x480}
out=${OUT:-/tmp/synth-fidelity} bin=${BIN:-.build/release/ganfit-gpu}
kinds=${KINDS:-floor mean landmark full} maxyaw=${MAXYAW:-180} fitflags=${FIT_FLAGS:-}
[ "${TRUE:-0}" = 1 ] && kinds="$kinds landmark_true full_true"
[ -x "$bin" ] || swift build -c release --product ganfit-gpu || exit 1
mkdir -p "$out" && rm -rf "$out/fits" "$out/scores" "$out/logs" && mkdir -p "$out/fits" "$out/scores" "$out/logs"
if [ -n "${FACES:-}" ]; then
  faces=$FACES
else
  faces=$out/faces
  rm -rf "$faces"
  "$bin" synth --count "$count" --seed "$seed" --size "$size" --output "$faces" > "$out/logs/synth.log" 2>&1 \
    || { echo "synth failed:"; tail -5 "$out/logs/synth.log"; exit 1; }
  tail -1 "$out/logs/synth.log"
fi
[ -f "$faces/truth.json" ] || { echo "no $faces/truth.json"; exit 1; }
indices="$(python3 - "$faces/truth.json" "$maxyaw" <<'PY'
import json, sys
truth, limit = json.load(open(sys.argv[1])), float(sys.argv[2])
print(" ".join(str(f["index"]) for f in truth["faces"] if abs(f["yaw"]) <= limit))
PY
)"

# Runs "$@", its output to LOG; on failure prints the last lines and returns 1.
attempt() {
  local log=$1; shift
  "$@" > "$log" 2>&1 && return 0
  echo "  failed ($log): $*"; tail -2 "$log" | sed 's/^/    /'; return 1
}
has() { [[ " $kinds " == *" $1 "* ]]; }

# The mean face: the same mesh for every face (0 iterations from the first face's true landmarks).
first=${indices%% *}
if has mean && [ -n "$first" ]; then
  attempt "$out/logs/mean.log" "$bin" fit "$faces/face_$first.jpg" --landmarks "$faces/face_$first.pts" \
    --iterations 0,0 --output "$out/fits/mean" || true
fi
# The joint stage's iterations under FIT_FLAGS, for the kinds that start it from a given point.
# shellcheck disable=SC2086
joint=$("$bin" fit --print-settings $fitflags \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["joint_iterations"])')
for i in $indices; do
  echo "face $i"
  # The truth's 68 landmarks: the model's iBUG landmark vertices (0 0 0 where it has none; unused).
  python3 - "$faces/face_$i.obj" models/sfm/ibug_to_sfm.txt > "$out/fits/truth_$i.txt" <<'PY'
import re, sys
vertices = [l.split()[1:4] for l in open(sys.argv[1]) if l.startswith("v ")]
mapping = {int(m[1]): int(m[2]) for m in (re.match(r"\s*(\d+)\s*=\s*(\d+)", l) for l in open(sys.argv[2])) if m}
for k in range(1, 69):
    print(" ".join(vertices[mapping[k]]) if k in mapping else "0 0 0")
PY
  for kind in $kinds; do
    mesh=""
    case $kind in
      floor) mesh=$faces/face_$i.floor.obj ;;
      mean) mesh=$out/fits/mean/mesh.obj ;;
      landmark | full | landmark_true | full_true)
        flags=()
        [[ $kind == landmark* ]] && flags+=(--iterations 500,0)
        [[ $kind == *_true ]] && flags+=(--landmarks "$faces/face_$i.pts")
        # shellcheck disable=SC2086
        attempt "$out/logs/${kind}_$i.log" "$bin" fit "$faces/face_$i.jpg" "${flags[@]}" $fitflags \
          --output "$out/fits/${kind}_$i" && mesh=$out/fits/${kind}_$i/mesh.obj ;;
      full_focal | from_truth | shape_from_truth | pose_from_truth)
        flags=(--focal35mm "$(python3 -c 'import json, sys; t = json.load(open(sys.argv[1]))
print([f for f in t["faces"] if f["index"] == int(sys.argv[2])][0]["focal35mm"])' "$faces/truth.json" "$i")")
        if [ "$kind" != full_focal ]; then
          # The other two mix the truth with the landmark stage's fit at the true focal length.
          staged=$out/fits/landmark_focal_$i/parameters.json
          if [ "$kind" != from_truth ] && [ ! -f "$staged" ]; then
            attempt "$out/logs/landmark_focal_$i.log" "$bin" fit "$faces/face_$i.jpg" $fitflags \
              "${flags[@]}" --iterations 500,0 --output "$out/fits/landmark_focal_$i" || continue
          fi
          python3 - "$faces/truth.json" "$i" "$kind" "$staged" > "$out/fits/start_${kind}_$i.json" <<'PY'
import json, sys
face = [f for f in json.load(open(sys.argv[1]))["faces"] if f["index"] == int(sys.argv[2])][0]
kind, truth_shape = sys.argv[3], sys.argv[3] in ("from_truth", "shape_from_truth")
staged = None if kind == "from_truth" else json.load(open(sys.argv[4]))
shape = ({"shape": face["floor"]["shape"], "expression": face["floor"]["expression"]} if truth_shape
         else {"shape": staged["shape"], "expression": staged["expression"]})
pose = ({"rotation_axis_angle": face["rotation"], "translation": face["translation"]}
        if kind != "shape_from_truth" else
        {k: staged["camera"][k] for k in ("rotation_axis_angle", "translation")})
print(json.dumps({**shape, "camera": pose}))
PY
          flags+=(--start "$out/fits/start_${kind}_$i.json" --iterations "0,$joint")
        fi
        # shellcheck disable=SC2086
        attempt "$out/logs/${kind}_$i.log" "$bin" fit "$faces/face_$i.jpg" $fitflags "${flags[@]}" \
          --output "$out/fits/${kind}_$i" && mesh=$out/fits/${kind}_$i/mesh.obj ;;
      *) echo "unknown kind '$kind' (floor, mean, landmark, full, landmark_true, full_true, full_focal," \
           "from_truth, shape_from_truth, pose_from_truth)"
         exit 1 ;;
    esac
    [ -n "$mesh" ] && [ -f "$mesh" ] || continue
    attempt "$out/logs/eval_${kind}_$i.log" "$bin" evaluate "$mesh" --scan "$faces/face_$i.obj" \
      --scan-landmarks "$out/fits/truth_$i.txt" --json && cp "$out/logs/eval_${kind}_$i.log" "$out/scores/${kind}_$i.json"
  done
done

python3 - "$out" "$faces" "$kinds" "$indices" <<'PY'
import json, os, statistics, sys
out, faces, kinds, indices = sys.argv[1], sys.argv[2], sys.argv[3].split(), [int(i) for i in sys.argv[4].split()]
truth = json.load(open(f"{faces}/truth.json"))
yaw = {f["index"]: f["yaw"] for f in truth["faces"]}
def score(kind, i):
    path = f"{out}/scores/{kind}_{i}.json"
    try:
        return json.load(open(path))["symmetric"]["mean_point_to_plane"]
    except (OSError, ValueError, KeyError):
        return None
table = {k: {i: score(k, i) for i in indices} for k in kinds}
print(f"{len(indices)} faces from {faces} (seed {truth['seed']}, {truth['width']}x{truth['height']}); "
      "symmetric mean point-to-plane error, mm; detector landmarks unless _true")
print(f"{'face':>4} {'yaw':>6}  " + "  ".join(f"{k:>13}" for k in kinds))
for i in indices:
    print(f"{i:>4} {yaw[i]:6.1f}  " + "  ".join(
        f"{table[k][i]:13.3f}" if table[k][i] is not None else f"{'failed':>13}" for k in kinds))
bins = [("all", 0, 181), ("|yaw| 0-20", 0, 20), ("|yaw| 20-40", 20, 40), ("|yaw| 40-60", 40, 181)]
print(f"\n{'':12} {'faces':>5}  " + "  ".join(f"{k:>22}" for k in kinds) + "   (mean ± sd, failures)")
summary = {}
for name, low, high in bins:
    members = [i for i in indices if low <= abs(yaw[i]) < high]
    cells = []
    for k in kinds:
        values = [table[k][i] for i in members if table[k][i] is not None]
        failed = len(members) - len(values)
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        summary.setdefault(name, {})[k] = {"n": len(values), "failures": failed,
                                           "mean": statistics.mean(values) if values else None, "sd": sd}
        text = f"{statistics.mean(values):.3f} ± {sd:.3f}" if values else "-"
        cells.append(f"{text + (f' ({failed})' if failed else ''):>22}")
    print(f"{name:12} {len(members):>5}  " + "  ".join(cells))
for fit, stage in (("full", "landmark"), ("full_true", "landmark_true")):
    if fit in kinds and stage in kinds:
        pairs = [(table[fit][i], table[stage][i]) for i in indices
                 if table[fit][i] is not None and table[stage][i] is not None]
        if pairs:
            better = sum(a < b for a, b in pairs)
            print(f"{fit} beats {stage} on {better} of {len(pairs)} faces ({100 * better / len(pairs):.0f}%)")
def final_losses(kind, i):
    try:
        stages = json.load(open(f"{out}/fits/{kind}_{i}/report.json"))["stages"]
        return [s for s in stages if s["name"] == "joint"][0]["losses"][-1]["losses"]
    except (OSError, ValueError, KeyError, IndexError):
        return None
if "full_focal" in kinds and "from_truth" in kinds:
    pairs = [(final_losses("full_focal", i), final_losses("from_truth", i)) for i in indices]
    pairs = [p for p in pairs if p[0] and p[1]]
    for term in ("pixel", "identity"):
        lower = sum(b[term] < a[term] for a, b in pairs)
        print(f"from_truth ends with a lower {term} loss than full_focal on {lower} of {len(pairs)} faces")
def frontal(kind, i):
    try:
        return json.load(open(f"{out}/fits/{kind}_{i}/report.json"))["identity_judge"]["frontal_distance"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
identity = {}
for k in kinds:
    values = [v for v in (frontal(k, i) for i in indices) if v is not None]
    if values:
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        identity[k] = {"n": len(values), "mean": statistics.mean(values), "sd": sd}
        print(f"identity judge, {k}: dlib distance photo to frontal view {statistics.mean(values):.3f} ± {sd:.3f} "
              f"over {len(values)} faces (not optimised by the fit; below 0.6: the same person)")
json.dump({"faces": indices, "kinds": kinds, "scores": table, "summary": summary, "identity": identity},
          open(f"{out}/summary.json", "w"), indent=1)
print(f"scores: {out}/scores/KIND_i.json, summary: {out}/summary.json, logs: {out}/logs")
PY
