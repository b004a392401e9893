"""ResNet-50 through ORT, each runtime timed alone (in blocks, not interleaved), and the
effect of ORT CPU's spinning threads on a WebNN EP session timed right after it.

Prints one JSON object (median ms unless the key says otherwise): ORT's CPU EP with and
without intra-op spinning, then for float32 and tf32 the WebNN EP on xla/DEVICE (its largest
difference from the CPU EP relative to the CPU EP's largest magnitude; alone; each run
right after an untimed CPU EP run, over half as many runs; in a session without spinning)
and the XLA anchor (benchmarks.frameworks.xla_anchor) alone.

Run from the repo root (``tools/gpu/run.sh`` does, on the GPU machine)::

    PYTHONPATH=. python3 tools/gpu/ort_resnet50_alone.py [gpu|cpu] [--runs N] [--warmup N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import webnn_providers.onnxruntime as webnn_ort

from benchmarks.frameworks import xla_anchor
from benchmarks.frameworks._onnx import prepared
from tools.gpu._timing import median_ms


def session_options(spinning: bool = True) -> ort.SessionOptions:
    options = ort.SessionOptions()
    options.log_severity_level = 3
    if not spinning:
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def webnn_session(path: str, options: ort.SessionOptions, device: str,
                  precision: str) -> ort.InferenceSession:
    provider = ("WebNNExecutionProvider",
                {"backend": "xla", "device": device, "precision": precision})
    return ort.InferenceSession(path, options, providers=[provider, "CPUExecutionProvider"])


def runner(session: ort.InferenceSession, feeds: dict[str, np.ndarray]) -> Callable[[], None]:
    """A callable that runs ``session`` on ``feeds`` once."""

    def run() -> None:
        session.run(None, feeds)

    return run


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("device", nargs="?", default="gpu", choices=("gpu", "cpu"))
    parser.add_argument("--runs", type=int, default=100,
                        help="timed runs per median (half as many right after a CPU EP run)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed runs before them")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    webnn_ort.register()
    model = prepared("onnxruntime", "resnet50", Path(tempfile.mkdtemp()), 0, None)
    feeds = model.inputs
    runs, warmup = args.runs, args.warmup
    name = f"WebNN EP xla/{args.device}"
    rows: dict[str, Any] = {}

    cpu = ort.InferenceSession(model.path, session_options(),
                               providers=["CPUExecutionProvider"])
    want = cpu.run(None, feeds)[0]
    run_cpu = runner(cpu, feeds)
    rows["ORT CPU EP 16 cores alone"] = median_ms(run_cpu, runs, warmup)
    cpu_no_spin = ort.InferenceSession(model.path, session_options(spinning=False),
                                       providers=["CPUExecutionProvider"])
    rows["ORT CPU EP 16 cores, no spinning, alone"] = median_ms(runner(cpu_no_spin, feeds),
                                                                runs, warmup)

    for precision in ("float32", "tf32"):
        session = webnn_session(model.path, session_options(), args.device, precision)
        got = session.run(None, feeds)[0]
        rows[f"{name} {precision} max rel vs CPU EP"] = float(
            np.max(np.abs(got - want)) / np.max(np.abs(want)))
        run_webnn = runner(session, feeds)
        rows[f"{name} {precision} alone"] = median_ms(run_webnn, runs, warmup)
        rows[f"{name} {precision} right after an ORT CPU run"] = median_ms(
            run_webnn, max(1, runs // 2), warmup, before=run_cpu)
        no_spin = webnn_session(model.path, session_options(spinning=False), args.device,
                                precision)
        rows[f"{name} {precision} (session without spinning) alone"] = median_ms(
            runner(no_spin, feeds), runs, warmup)
        anchor = xla_anchor.anchor_runtime(model, args.device, precision)
        rows[f"anchor {precision} alone"] = median_ms(anchor.call, runs, warmup)

    print(json.dumps(rows, indent=1), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
