#!/usr/bin/env bash
# Issue 13's fit timing: the default fit of the bundled photo, given its landmarks
# (samples/image_0010.pts, so detection is not timed), by this checkout's release build and by an
# older commit's (default d2f0b1f, the issue's reference), on the CPU backend, side by side: the two
# binaries alternate, RUNS fits each, and the script prints every fit's stage times (report.json) and
# the ratio of the medians of the whole fits. The old commit is built in a temporary git worktree
# (a release build: minutes).
# Usage: bash tools/fit_speed.sh [COMMIT [RUNS]] (default d2f0b1f 3). Environment: DEVICE (default cpu),
# KEEP=1 keeps the worktree (/tmp/ganfit-fit-speed-COMMIT) for the next run.
set -euo pipefail
cd "$(dirname "$0")/.."
commit=${1:-d2f0b1f} runs=${2:-3} device=${DEVICE:-cpu}
old=/tmp/ganfit-fit-speed-$commit out=$(mktemp -d)
trap 'rm -rf "$out"; [ "${KEEP:-0}" = 1 ] || { git worktree remove --force "$old" 2>/dev/null || rm -rf "$old"; }' EXIT
swift build -c release --product ganfit-gpu > "$out/build-new.log" 2>&1 || { tail -20 "$out/build-new.log"; exit 1; }
if [ ! -x "$old/.build/release/ganfit-gpu" ]; then
  rm -rf "$old"
  git worktree prune
  git worktree add --detach "$old" "$commit" > /dev/null
  echo "building $commit in $old (release) ..."
  (cd "$old" && swift build -c release --product ganfit-gpu > "$out/build-old.log" 2>&1) \
    || { tail -20 "$out/build-old.log"; exit 1; }
fi
export GANFIT_MODELS=${GANFIT_MODELS:-$PWD/models/downloaded}
fit() {  # fit NAME BINARY RUN: prints "NAME RUN total stage1 stage2 stage3"
  "$2" fit samples/image_0010.png --landmarks samples/image_0010.pts --device "$device" \
    --output "$out/$1-$3" > "$out/$1-$3.log" 2>&1 || { tail -5 "$out/$1-$3.log"; return 1; }
  python3 - "$1" "$3" "$out/$1-$3/report.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[3]))
stages = " ".join(f"{s['name']} {s['seconds']:.1f}" for s in report["stages"])
total = report.get("total_seconds", report.get("totalSeconds"))
print(f"{sys.argv[1]:>4} run {sys.argv[2]}: total {total:.1f} s ({stages})")
PY
}
for run in $(seq 1 "$runs"); do
  fit old "$old/.build/release/ganfit-gpu" "$run" | tee -a "$out/times.txt"
  fit new .build/release/ganfit-gpu "$run" | tee -a "$out/times.txt"
done
python3 - "$out/times.txt" "$commit" <<'PY'
import re, statistics, sys
times = {"old": [], "new": []}
for line in open(sys.argv[1]):
    name, total = line.split()[0], float(re.search(r"total ([\d.]+)", line).group(1))
    times[name].append(total)
old, new = statistics.median(times["old"]), statistics.median(times["new"])
print(f"median whole fit: {sys.argv[2]} {old:.1f} s, this checkout {new:.1f} s: {new / old:.2f}x the time")
PY
