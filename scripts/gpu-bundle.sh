#!/usr/bin/env bash
# Builds what a GPU machine without Swift, apt or internet needs (see README "GPU machines"):
# the static ganfit-gpu binary and the shared libraries it loads (OpenCL loader, OpenBLAS and
# its Fortran runtime, libpng, libjpeg) with rpath $ORIGIN/lib, and FaceNet with int8 weights
# (`ganfit-gpu quantize`, 24 MB: the 94 MB original does not fit in a GPU machine's 64 MiB of files),
# packed as bundle/ganfit-gpu.tar.xz (git-ignored; carry `bundle` to the device and run
# scripts/gpu-run.sh there).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/fetch-models.sh
if ! command -v patchelf >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends patchelf >/dev/null
fi
swift build -c release --static-swift-stdlib --scratch-path .build-static --product ganfit-gpu
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/ganfit-gpu/lib"
cp .build-static/release/ganfit-gpu "$stage/ganfit-gpu/"
strip "$stage/ganfit-gpu/ganfit-gpu"
patchelf --set-rpath '$ORIGIN/lib' "$stage/ganfit-gpu/ganfit-gpu"
# Every shared library it needs beyond glibc and libstdc++ (which the GPU machine has).
ldd .build-static/release/ganfit-gpu | awk '/=> \// {print $3}' \
  | grep -E 'libOpenCL|libopenblas|libgfortran|libquadmath|libpng|libjpeg|libz\.' | while read -r lib; do
  cp -L "$lib" "$stage/ganfit-gpu/lib/"
  patchelf --set-rpath '$ORIGIN' "$stage/ganfit-gpu/lib/$(basename "$lib")"
done
"$stage/ganfit-gpu/ganfit-gpu" quantize --model models/downloaded/facenet/graph_final.pb \
  -o "$stage/ganfit-gpu/facenet-int8.pb"
mkdir -p bundle
tar -C "$stage" -cJf bundle/ganfit-gpu.tar.xz ganfit-gpu
ls -l bundle/ganfit-gpu.tar.xz
echo "gpu-bundle: carry 'bundle' and run: bash scripts/gpu-run.sh"
