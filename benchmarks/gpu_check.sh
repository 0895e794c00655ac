#!/usr/bin/env bash
# The GPU check in one command (about 8 minutes on one GPU); see benchmarks/gpu_check.py.
#   benchmarks/gpu_check.sh                # on the GPU: writes benchmarks/results/gpu_check.json
#   benchmarks/gpu_check.sh --device cpu   # the small CPU run CI does: gpu_check_cpu.json
# When time is left on the GPU, LightGCN to convergence (early stopping on NDCG@20):
#   .venv/bin/python -m benchmarks.bench_lightgcn_gowalla --device cuda --epochs 1000 \
#       --eval-every 10 --patience 5 --name lightgcn_gowalla_gpu
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
if ! command -v "$python" >/dev/null; then  # a path or a command name (PYTHON=python3)
    echo "gpu_check: no $python; run 'make install' first (or set PYTHON)" >&2
    exit 2
fi
exec "$python" -m benchmarks.gpu_check "$@"
