"""Where the XLA backend's per-call time goes on ResNet-50 (batch 1).

Builds the light ResNet-50 through the ONNX provider on ``backend="xla"`` in five setups:
float32 and tf32, each with the constants compiled into the executable (every constant,
"embedded"), with only constants up to 64 KiB compiled in ("small"), and, for float32, with
every constant passed as an argument ("args"), through ``EMBED_LIMITS``. For each it prints,
as one JSON object: the first run (build, compile, run) in s, the largest difference from
float32 embedded relative to its largest magnitude, the median ms of ``dispatch_arrays``
(host input, readback included), the median ms of the executable alone on an input already
on the device (no readback), and the number of constants passed as arguments.

Run from the repo root (``tools/gpu/run.sh`` does, on the GPU machine)::

    PYTHONPATH=. python3 tools/gpu/xla_call_probe.py [gpu|cpu] [TAG] [--runs N] [--warmup N]

TAG is copied into the output's "tag" key to tell runs apart (e.g. different XLA_FLAGS).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

import jax
import numpy as np
from webnn_providers.onnx import build_graph, from_onnx_model
from webnn_providers.testing.onnx_models import load_light

import webnn_core as webnn
from tools.gpu._timing import median_ms
from webnn_core.backends import xla as X

SMALL_MAX_BYTES = 65536  # the "small" setups compile in constants up to this size only


def setups() -> list[tuple[str, int, int, str]]:
    """(precision, embed budget, largest embedded constant, label) of each setup, in order;
    the first is the reference the others are compared with."""
    budget = largest = 256 << 20
    return [("float32", budget, largest, "embedded"),
            ("float32", budget, SMALL_MAX_BYTES, "small"),
            ("float32", 0, 0, "args"),
            ("tf32", budget, largest, "embedded"),
            ("tf32", budget, SMALL_MAX_BYTES, "small")]


def probe(graph_ir: Any, device: str, precision: str, key: str, reference: np.ndarray | None,
          runs: int, warmup: int) -> tuple[dict[str, Any], np.ndarray]:
    """The rows of one setup (the XLA module settings already made) and its output."""
    rows: dict[str, Any] = {}
    ctx = webnn.ml.create_context(backend="xla", device=device, precision=precision)
    t0 = time.perf_counter()
    built = build_graph(ctx, graph_ir, range(len(graph_ir.nodes)))
    graph = built.graph
    (input_name,) = built.inputs
    shape = graph.input_descriptors[input_name].shape
    inputs = {input_name: np.random.default_rng(1).random(shape, dtype=np.float32)}
    outputs = {name: np.empty(d.shape, d.numpy_dtype)
               for name, d in graph.output_descriptors.items()}
    graph.dispatch_arrays(inputs, outputs)
    rows[f"{key} first run s"] = round(time.perf_counter() - t0, 2)

    out = next(iter(outputs.values())).copy()
    ref = out if reference is None else reference
    rows[f"{key} max rel vs float32 embedded"] = float(
        np.max(np.abs(out - ref)) / np.max(np.abs(ref)))

    def dispatch() -> None:
        graph.dispatch_arrays(inputs, outputs)

    rows[f"{key} dispatch_arrays ms"] = median_ms(dispatch, runs, warmup)

    exe = graph._compiled._exe
    with X.x64():
        x_on_device = jax.device_put(inputs[input_name], exe.device)

        def run_on_device() -> None:
            jax.block_until_ready(exe.run((x_on_device,)))

        rows[f"{key} device input, no readback ms"] = median_ms(run_on_device, runs, warmup)
    rows[f"{key} constant args"] = len(exe.constant_ids)
    return rows, ref


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("device", nargs="?", default="gpu", choices=("gpu", "cpu"))
    parser.add_argument("tag", nargs="?", default="", help="copied into the output's 'tag'")
    parser.add_argument("--runs", type=int, default=60, help="timed calls per median")
    parser.add_argument("--warmup", type=int, default=10, help="untimed calls before them")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    graph_ir = from_onnx_model(load_light("resnet50"))
    rows: dict[str, Any] = {}
    reference = None
    for precision, budget, largest, label in setups():
        X.EMBED_LIMITS[args.device] = (budget, largest)
        X.XLABackend.clear_cache()
        setup_rows, reference = probe(graph_ir, args.device, precision, f"{precision} {label}",
                                      reference, args.runs, args.warmup)
        rows.update(setup_rows)
    header = {"tag": args.tag, "device": str(jax.devices()[0]),
              "XLA_FLAGS": os.environ.get("XLA_FLAGS", "")}
    print(json.dumps({**header, **rows}, indent=1), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
