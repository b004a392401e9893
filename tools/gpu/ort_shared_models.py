"""Shared ONNX models through ORT with the WebNN EP on xla/DEVICE vs ORT's CPU EP.

For every ``*.onnx`` in MODELS_DIR (sorted by name) it prints one JSON line: the WebNN EP's
median ms per run ("ms"), the CPU EP's ("cpu_ep_ms"), the WebNN EP's session creation plus
first run in s ("first_s"), the largest output difference relative to the CPU EP's largest
magnitude ("max_rel") and whether both put non-finite values in the same outputs
("finite_same"); or, when a model fails, its error.

Run from the repo root (``tools/gpu/run.sh`` does, on the GPU machine)::

    PYTHONPATH=. python3 tools/gpu/ort_shared_models.py [gpu|cpu] MODELS_DIR [--runs N] [--warmup N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

import numpy as np
import onnxruntime as ort
import webnn_providers.onnxruntime as webnn_ort

from tools.gpu._timing import median_ms

# input shapes for models whose inputs have free dimensions other than the batch
SHAPES = {"mtcnn_pnet.onnx": {"input_1": [1, 240, 320, 3]}}


def session_options() -> ort.SessionOptions:
    options = ort.SessionOptions()
    options.log_severity_level = 3
    return options


def random_feeds(session: ort.InferenceSession, model: str) -> dict[str, np.ndarray]:
    """Random float32 values for the model's required inputs (overridable initializers are not
    listed), free dimensions taken from SHAPES or set to 1."""
    rng = np.random.default_rng(0)
    feeds = {}
    for i in session.get_inputs():
        shape = (SHAPES.get(model, {}).get(i.name)
                 or [d if isinstance(d, int) else 1 for d in i.shape])
        feeds[i.name] = rng.random(shape, dtype=np.float32)
    return feeds


def max_rel(got: list[np.ndarray], want: list[np.ndarray]) -> float:
    """The largest difference over all outputs, relative to each output's largest magnitude."""
    return max(float(np.max(np.abs(g - w)) / max(float(np.max(np.abs(w))), 1e-30))
               for g, w in zip(got, want))


def measure(path: str, model: str, device: str, runs: int, warmup: int) -> dict[str, Any]:
    """The JSON record of one model."""
    options = session_options()
    ref = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    feeds = random_feeds(ref, model)
    want = ref.run(None, feeds)
    t0 = time.perf_counter()
    webnn_ep = ("WebNNExecutionProvider", {"backend": "xla", "device": device})
    session = ort.InferenceSession(path, options, providers=[webnn_ep, "CPUExecutionProvider"])
    got = session.run(None, feeds)
    first = time.perf_counter() - t0
    finite = all(np.isfinite(g).all() == np.isfinite(w).all() for g, w in zip(got, want))

    def run_webnn() -> None:
        session.run(None, feeds)

    def run_cpu_ep() -> None:
        ref.run(None, feeds)

    return {"model": model, "host": "ORT", "ms": median_ms(run_webnn, runs, warmup),
            "cpu_ep_ms": median_ms(run_cpu_ep, runs, warmup), "first_s": round(first, 2),
            "max_rel": max_rel(got, want), "finite_same": bool(finite)}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("device", nargs="?", default="gpu", choices=("gpu", "cpu"))
    parser.add_argument("models_dir", help="folder of .onnx models (../shared/models/onnx)")
    parser.add_argument("--runs", type=int, default=40, help="timed runs per median")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs before them")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    webnn_ort.register()
    for model in sorted(os.listdir(args.models_dir)):
        if not model.endswith(".onnx"):
            continue
        try:
            record = measure(os.path.join(args.models_dir, model), model, args.device,
                             args.runs, args.warmup)
        except Exception as e:
            record = {"model": model, "error": repr(e)[:300]}
        print(json.dumps(record), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
