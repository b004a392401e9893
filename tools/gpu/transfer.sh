#!/usr/bin/env bash
# Where ResNet-50's per-call time goes beyond the GPU work, under XLA_FLAGS settings that
# change how XLA:GPU launches and lays out the work (tools/gpu/transfer_probe.py, one JSON
# line per setting), on the GPU machine from the repo root (after run.sh's install step):
#   bash tools/gpu/transfer.sh OUT_DIR
set -u
OUT=$1
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH=.
for flags in "" \
    "--xla_gpu_enable_command_buffer=" \
    "--xla_gpu_graph_min_graph_size=1" \
    "--xla_gpu_force_conv_nhwc=true" \
    "--xla_gpu_enable_command_buffer=FUSION,CUBLAS,CUBLASLT,CUSTOM_CALL,CUDNN --xla_gpu_graph_min_graph_size=1"
do
    XLA_FLAGS="$flags" timeout 90 python3 tools/gpu/transfer_probe.py gpu --pinned \
        >> "$OUT/transfer.jsonl" 2>> "$OUT/transfer.err" || echo "failed: XLA_FLAGS=$flags"
done
cat "$OUT/transfer.jsonl"
