#!/usr/bin/env bash
# docs/gpu_results.md's conformance and ONNX Runtime tables, in one call of the GPU machine
# (Python 3.12 with jax's CUDA plugin, onnxruntime and pytest-xdist installed; openvino not
# needed), from the repo root:
#   bash tools/gpu/run.sh WPT_DIR MODELS_DIR OUT_DIR
# WPT_DIR: ../shared/conformance/wpt; MODELS_DIR: ../shared/models/onnx (copied beside the
# checkout when ../shared does not travel). The other tables come from tools/gpu/hosts.sh
# (TFLite and OpenCV) and tools/gpu/transfer.sh (where a call's time goes), each one call
# of the machine after this one (a call may run 10 minutes).
set -u
WPT=$(cd "$1" && pwd); MODELS=$(cd "$2" && pwd); OUT=$3
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH=.
python3 -m pip install --no-deps --no-build-isolation -e . > "$OUT/install.log" 2>&1 || {
    tail -30 "$OUT/install.log"; exit 1; }
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader; nproc
python3 -c "import jax, onnxruntime, onnx; print('jax', jax.__version__, 'ort', onnxruntime.__version__, 'onnx', onnx.__version__, jax.devices())"
timeout 140 python3 tools/gpu/xla_call_probe.py gpu | tee "$OUT/probe.json"
timeout 300 python3 tools/gpu/ort_resnet50_alone.py gpu | tee "$OUT/alone.json"
timeout 80 python3 tools/gpu/ort_shared_models.py gpu "$MODELS" | tee "$OUT/models.jsonl"
timeout 100 python3 -m benchmarks --backend xla --device gpu --framework onnxruntime \
    --model resnet50 --runs 50 --warmup 5 2>&1 | tee "$OUT/bench_exact.txt" | tail -20
XLA_PYTHON_CLIENT_PREALLOCATE=false WEBNN_TEST_XLA_DEVICE=gpu WEBNN_WPT_DIR="$WPT" \
    timeout 170 python3 -m pytest -q -p no:cacheprovider -n 8 tests/core/test_wpt.py -k xla \
    > "$OUT/wpt.log" 2>&1; tail -3 "$OUT/wpt.log"
