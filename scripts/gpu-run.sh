#!/usr/bin/env bash
# Runs on a GPU machine (no Swift there): unpacks bundle/ganfit-gpu.tar.xz, points the OpenCL
# loader at NVIDIA's driver, then lists devices, runs the parity self-test on the GPU and the
# benchmark; logs go to $OUT (or ./gpu-out). Usage: bash scripts/gpu-run.sh [bench filters...]
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-$PWD/gpu-out}"
mkdir -p "$out"
work="$(mktemp -d)"
tar -C "$work" -xJf bundle/ganfit-gpu.tar.xz
bin="$work/ganfit-gpu/ganfit-gpu"
# NVIDIA's ICD: its own vendors file if there is one, else one made for the library found.
if ! ls /etc/OpenCL/vendors/*.icd >/dev/null 2>&1; then
  lib="$(ldconfig -p | awk '/libnvidia-opencl.so.1/ {print $NF; exit}')"
  [ -n "$lib" ] || lib="$(find / -name 'libnvidia-opencl.so.1' 2>/dev/null | head -1)"
  mkdir -p "$work/vendors" && echo "$lib" > "$work/vendors/nvidia.icd"
  export OCL_ICD_VENDORS="$work/vendors"
  echo "gpu-run: OCL_ICD_VENDORS=$OCL_ICD_VENDORS ($lib)" | tee "$out/icd.txt"
fi
export GANFIT_CACHE_DIR="$work/cache"
nvidia-smi --query-gpu=name,clocks.max.sm,clocks.sm,memory.total --format=csv 2>&1 | tee "$out/nvidia-smi.txt"
"$bin" devices 2>&1 | tee "$out/devices.txt"
"$bin" selftest --device opencl:0 > "$out/selftest.txt" 2>&1; echo "selftest exit $?"; tail -3 "$out/selftest.txt"
"$bin" bench --device opencl:0 "${@/#/--filter=}" 2>&1 | tee "$out/bench.txt"
# The same conv shapes in PyTorch/cuDNN (FP32, TF32 off), where torch is installed.
if python3 -c "import torch; assert torch.cuda.is_available()" 2>/dev/null; then
  (cd tools && python3 conv_peer_torch.py) 2>&1 | tee "$out/torch-conv.txt"
fi
