#!/usr/bin/env bash
# Sets everything up, builds the release binary, lists the devices and runs a short benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/fetch-models.sh
export POCL_CACHE_DIR="${POCL_CACHE_DIR:-$PWD/.build/pocl-cache}"
mkdir -p "$POCL_CACHE_DIR"
swift build -c release --product ganfit-gpu
bin=.build/release/ganfit-gpu
"$bin" devices
"$bin" bench --seconds 0.1 "$@"
