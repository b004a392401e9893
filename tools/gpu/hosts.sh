#!/usr/bin/env bash
# Every shared model through TFLite and OpenCV with backend="xla", device="gpu", against the
# host's own CPU result (docs/gpu_results.md's third table), on the GPU machine from the repo
# root (after run.sh's install step; ai-edge-litert installed, e.g. from a carried wheel):
#   bash tools/gpu/hosts.sh MODELS_DIR OUT_DIR
# MODELS_DIR: a copy of ../shared/models (its onnx/ and tflite/ folders).
set -u
MODELS=$(cd "$1" && pwd); OUT=$2
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH=${PYTHONPATH:+$PYTHONPATH:}.
ARGS=$(for f in "$MODELS"/tflite/*.tflite "$MODELS"/onnx/*.onnx; do echo --model "$f"; done)
# shellcheck disable=SC2086
timeout 420 python3 -m benchmarks --backend xla --device gpu --framework tflite \
    --framework opencv $ARGS --input-shape input_1=1,240,320,3 --runs 10 --warmup 2 \
    --out "$OUT/hosts" > "$OUT/hosts.txt" 2>&1
grep -v "^\[" "$OUT/hosts.txt" | grep -v "W:onnx" | tail -60
