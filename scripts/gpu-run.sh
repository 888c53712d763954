#!/usr/bin/env bash
# Runs on a GPU machine (no Swift there): unpacks bundle/ganfit-gpu.tar.xz, points the OpenCL
# loader at NVIDIA's driver, then: devices; the default fit of the bundled photo on the GPU (given
# samples/image_0010.pts, FaceNet with int8 weights); FaceNet forward and forward+backward and the
# renderer's backward with their costliest kernels; the parity self-test; the op benchmark (3×3
# convolutions at batch 16 too); FaceNet's structure and the same conv shapes in PyTorch/cuDNN
# (FP32, TF32 off); the same fit on the machine's CPU.
# Logs go to $OUT (or ./gpu-out), at most 8 files. Usage: bash scripts/gpu-run.sh [bench filters...]
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-$PWD/gpu-out}"
mkdir -p "$out"
work="$(mktemp -d)"
tar -C "$work" -xJf bundle/ganfit-gpu.tar.xz
bin="$work/ganfit-gpu/ganfit-gpu"
facenet="$work/ganfit-gpu/facenet-int8.pb"
log="$out/machine.txt"
# NVIDIA's OpenCL driver alone (the machine may also list PoCL, which would come first): a vendors
# folder of our own holding one .icd file that names the library.
lib="$(ldconfig -p | awk '/libnvidia-opencl.so.1/ {print $NF; exit}')"
[ -n "$lib" ] || lib="$(find /usr/local/nvidia /usr/lib /usr/lib64 -name 'libnvidia-opencl.so.1' 2>/dev/null | head -1)"
if [ -n "$lib" ]; then
  mkdir -p "$work/vendors" && echo "$lib" > "$work/vendors/nvidia.icd"
  export OCL_ICD_VENDORS="$work/vendors"
  echo "gpu-run: OCL_ICD_VENDORS=$OCL_ICD_VENDORS ($lib)" | tee -a "$log"
else
  echo "gpu-run: no libnvidia-opencl.so.1 found; using the system's OpenCL vendors" | tee -a "$log"
fi
export GANFIT_CACHE_DIR="$work/cache"
step() { echo "gpu-run: $* ($(date +%T))"; }
{ nvidia-smi --query-gpu=name,clocks.max.sm,clocks.sm,memory.total,driver_version --format=csv; nproc; ldd --version | head -1
  "$bin" devices; } 2>&1 | tee -a "$log"
# The default fit given the bundled photo's landmarks: $1 device, $2 runs (the first compiles the
# kernels into the cache; quote the last), $3 seconds each at most.
fit_on() {
  local name="fit-${1%%:*}" attempt start rc
  for attempt in $(seq "$2"); do
    step "fit on $1, run $attempt"
    start=$(date +%s.%N)
    timeout "$3" "$bin" fit samples/image_0010.png --landmarks samples/image_0010.pts --facenet "$facenet" \
      --device "$1" --output "$work/$name" >> "$out/$name.txt" 2>&1
    rc=$?
    echo "gpu-run: fit on $1, run $attempt: exit $rc, $(awk "BEGIN {print $(date +%s.%N) - $start}") s wall" \
      | tee -a "$out/$name.txt"
  done
  cp "$work/$name/report.json" "$out/$name-report.json" 2>/dev/null
}
# In order of what matters most, so a run cut short keeps the most: the GPU fit, FaceNet, the
# parity self-test, the op benchmark and its PyTorch peers, then the fit on this machine's CPU.
fit_on opencl:0 2 120
tar -C "$work" -cf "$out/fit-opencl.tar" fit-opencl 2>/dev/null
step "FaceNet (int8 weights)"
timeout 60 "$bin" bench --device opencl:0 --facenet --model "$facenet" --filter facenet --kernels 25 2>&1 \
  | tee "$out/bench.txt"
step "renderer kernels"
timeout 30 "$bin" bench --device opencl:0 --filter "render fwd+bwd surrey 6736 224" --filter "render texture fwd+bwd" \
  --kernels 10 2>&1 | tee -a "$out/bench.txt"
step "self-test"
timeout 150 "$bin" selftest --device opencl:0 > "$out/selftest.txt" 2>&1; echo "selftest exit $?"; tail -3 "$out/selftest.txt"
step "op benchmark"
timeout 120 "$bin" bench --device opencl:0 --batch 16 --seconds 0.1 "${@/#/--filter=}" 2>&1 | tee -a "$out/bench.txt"
# FaceNet's structure and the same conv shapes in PyTorch/cuDNN (FP32, TF32 off), where torch is installed.
if python3 -c "import torch; assert torch.cuda.is_available()" 2>/dev/null; then
  step "PyTorch peers"
  (cd tools && timeout 60 python3 facenet_peer_torch.py 16; timeout 90 python3 conv_peer_torch.py 16) 2>&1 \
    | tee -a "$out/bench.txt"
fi
fit_on cpu 1 90
step done
