#!/usr/bin/env bash
# Sets everything up, builds the release binary, lists the devices, embeds two faces with
# FaceNet, fits the 3D face to the sample photo (results in .build/fit-sample) and runs a short benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/fetch-models.sh
export POCL_CACHE_DIR="${POCL_CACHE_DIR:-$PWD/.build/pocl-cache}"
mkdir -p "$POCL_CACHE_DIR"
swift build -c release --product ganfit-gpu
bin=.build/release/ganfit-gpu
"$bin" devices
# FaceNet embeddings of the bundled photo's face and of another person, with their similarity.
"$bin" embed samples/image_0010.png Tests/EngineTests/Fixtures/facenet/astronaut.png --box 561,118,396,396 --box 0,0,160,160
# The 3D face fitted to the sample photo from its 68 landmarks: mesh, texture, renders, report.
"$bin" fit samples/image_0010.png --landmarks samples/image_0010.pts --output .build/fit-sample
"$bin" bench --seconds 0.1 "$@"
