#!/usr/bin/env bash
# Sets everything up, builds the release binary, lists the devices, finds the sample photo's face and
# landmarks, compares two faces with FaceNet and with dlib's descriptor, fits the 3D face to the sample
# photo from the photo alone (results in .build/fit-sample) and runs a short benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/fetch-models.sh
export POCL_CACHE_DIR="${POCL_CACHE_DIR:-$PWD/.build/pocl-cache}"
mkdir -p "$POCL_CACHE_DIR"
swift build -c release --product ganfit-gpu
bin=.build/release/ganfit-gpu
"$bin" devices
# The face in the bundled photo and its 68 landmarks (dlib's detector and shape predictor on the engine).
"$bin" landmarks samples/image_0010.png -o .build/landmarks-sample/image_0010.pts --overlay .build/landmarks-sample/overlay.png
# FaceNet embeddings of the bundled photo's face and of another person, with their similarity; then
# dlib's descriptors of the detected faces, with their distance (below 0.6: the same person).
"$bin" embed samples/image_0010.png Tests/EngineTests/Fixtures/facenet/astronaut.png --box 561,118,396,396 --box 0,0,160,160
"$bin" embed --identity dlib samples/image_0010.png Tests/EngineTests/Fixtures/dlib/astronaut.png
# The 3D face fitted to the sample photo alone (landmarks detected): mesh, texture, renders, report.
"$bin" fit samples/image_0010.png --output .build/fit-sample
"$bin" bench --seconds 0.1 "$@"
