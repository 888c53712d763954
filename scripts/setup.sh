#!/usr/bin/env bash
# Installs the system packages ganfit-gpu needs (idempotent; Debian 12, run as root or with sudo).
set -euo pipefail

packages=(
  ocl-icd-opencl-dev opencl-headers ocl-icd-libopencl1  # OpenCL ICD loader and headers
  pocl-opencl-icd clinfo                                # OpenCL on the CPU (correctness backend)
  libopenblas-dev                                       # GEMM for the CPU reference backend
  libpng-dev libjpeg-dev                                # image I/O
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: system packages present"
fi
