#!/usr/bin/env bash
# Sets everything up and runs the test suite: every OpenCL kernel against the CPU reference
# (on PoCL when no GPU is present) and every backward against finite differences.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/fetch-models.sh
export POCL_CACHE_DIR="${POCL_CACHE_DIR:-$PWD/.build/pocl-cache}"
mkdir -p "$POCL_CACHE_DIR"
swift build --build-tests
swift test --skip-build "$@"
