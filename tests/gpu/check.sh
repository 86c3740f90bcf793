#!/usr/bin/env bash
# The GPU check (about 5-8 minutes on one H100/H200), on a machine with
# CUDA, a CUDA build of LibTorch 2.x, and the other dependencies installed
# (README, "LibTorch versions and GPUs"). CMake finds LibTorch through
# GPU_PREFIX_PATH, by default the one of Python's torch package if there is
# one; a machine without a package registry can bring its dependencies
# unpacked in .gpu-deps/ with an env.sh that sets GPU_PREFIX_PATH.
#
#   bash tests/gpu/check.sh          # everything it prints goes to $OUT/gpu-check.log
#
# It builds against that machine's CUDA LibTorch and runs, in this order:
#  1. the CUDA-only tests (tests/gpu/cuda_test.cpp): training steps in fp32 and
#     bf16 on CUDA, a CUDA checkpoint loaded on the CPU, a 1-rank NCCL group;
#  2. bench train configs/bair.toml (the full model, batch 16) in fp32 and bf16;
#  3. bench train --nproc-per-node 1: NCCL's own overhead against no group;
#  4. bench data with the pinned side-stream copy to the GPU.
# Each step's failure is reported and the next one still runs; the exit
# status is that of the first failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp}
log="$out/gpu-check.log"
exec > >(tee "$log") 2>&1
status=0
step() {
  echo "== $* ($(date +%T))"
  "$@" || { rc=$?; echo "!! failed with status $rc: $*"; [[ $status -ne 0 ]] || status=$rc; }
}

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
if [[ -f .gpu-deps/env.sh ]]; then
  source .gpu-deps/env.sh
fi
: "${GPU_PREFIX_PATH:=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null)}"
step cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$GPU_PREFIX_PATH"
step cmake --build build-gpu --target vidpred test_cuda
step ctest --test-dir build-gpu -R '^gpu/' --output-on-failure

data=/tmp/vidpred-gpu-data
step build-gpu/vidpred synth --out "$data/raw" --train 512 --test 64
step build-gpu/vidpred convert "$data/raw/softmotion30_44k" --out "$data/h5" --force
bench="build-gpu/vidpred bench train configs/bair.toml --set data.root=$data/h5 --set data.batch_size=16 --set run.device=cuda --steps 20 --warmup 3"
step $bench
step $bench --set train.amp=bf16
step build-gpu/vidpred bench train configs/synthetic-small.toml --set data.root="$data/h5" --set run.device=cuda \
  --nproc-per-node 1 --steps 40
step build-gpu/vidpred bench data configs/bair.toml --set data.root="$data/h5" --set run.device=cuda --steps 400
echo "== done ($(date +%T)), status $status; log: $log"
exit $status
