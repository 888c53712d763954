#!/usr/bin/env bash
# conv2d on the CPU backend beside JAX/XLA on the CPU, in one run: the benchmark shapes forward,
# input gradient and weight gradient, each as a ratio to OpenBLAS SGEMM (1024³, same run) and
# to JAX. JAX lives in a throwaway virtual environment outside the project (JAX_VENV to reuse one).
# Usage: bash tools/conv_peer.sh [seconds per case, default 0.3]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-0.3}"
venv="${JAX_VENV:-${TMPDIR:-/tmp}/ganfit-jax-peer}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import jax" 2>/dev/null; then
  echo "conv_peer: installing jax[cpu] into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "jax[cpu]"
fi
swift build -c release --product ganfit-gpu >&2
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# Shape by shape, ours then JAX's, so that both see the same load on a shared machine.
.build/release/ganfit-gpu bench --device cpu --filter "matmul NN" --json --seconds "$seconds" > "$out/ours-sgemm.json"
"$venv/bin/python" tools/conv_peer_jax.py --labels > "$out/labels"
n=0
while IFS= read -r label; do
  .build/release/ganfit-gpu bench --device cpu --filter "conv2d fwd $label" --filter "conv2d bwd-input $label" \
    --filter "conv2d bwd-weight $label" --json --seconds "$seconds" > "$out/ours-$n.json"
  "$venv/bin/python" tools/conv_peer_jax.py "$seconds" "$label" > "$out/jax-$n.json"
  n=$((n + 1))
done < "$out/labels"
python3 tools/conv_peer_table.py "$out"
