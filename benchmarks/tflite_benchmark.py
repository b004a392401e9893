"""TFLite benchmark: models through the WebNN TFLite delegate, against OpenVINO reading the same
``.tflite`` file and against the interpreter's default (XNNPACK), in one run.

    python -m benchmarks.tflite_benchmark [--models mobilenet_v2,vww_96_int8,...]
                                          [--iterations N] [--warmup N] [--json out.json]

Models (webnn_providers.testing.tflite_models): the built-in MobileNetV2 float32 (224) and its
full-integer int8 version (seeded random weights) and the real models in
``../shared/models/tflite`` relative to the repository root (skipped when absent), each
written once to a temporary file. Five runtimes (benchmarks/frameworks/tflite.py) run every
model:

- (a) ``webnn``: ``Interpreter(model_path, experimental_delegates=[WebNNDelegate(backend=
  "openvino")], num_threads=2)`` with the default op resolver, so XNNPACK takes the nodes the
  delegate leaves;
- (b) ``openvino``: ``ov.Core().read_model(path)`` compiled with the configuration the WebNN
  OpenVINO backend uses (``OpenVINOBackend().config``: INFERENCE_PRECISION_HINT f32,
  PERFORMANCE_HINT LATENCY), run through a reused infer request with zero-copy inputs;
- (c) ``xnnpack``: the interpreter with its defaults (no delegate; the default op resolver
  applies XNNPACK), ``num_threads=2``;
- (d) ``webnn_fast``: as (a) with ``WebNNDelegate(precision=FAST_PRECISION)`` ("fast": the
  backend's fastest precision for the CPU, bfloat16 only with AMX, else float32);
- (e) ``openvino_fast``: as (b) with the same choice
  (``OpenVINOBackend(precision=FAST_PRECISION).config``).

One timed call is what a user does per inference: for the interpreters ``set_tensor`` of each
input, ``invoke`` and ``get_tensor`` of each output (a copy); for OpenVINO
``request.infer(inputs, share_inputs=True)`` (inputs not copied, outputs returned as new
arrays). After warm-up, the runtimes are timed in interleaved rounds, in an order where each
follows each other equally often (benchmarks/frameworks/timing.py), so that machine noise and
after-effects hit all of them alike.

Reported per model: median and p90 latency of each; the ratios webnn/openvino (target
<= 1.05) and webnn_fast/openvino_fast, as ratio of medians and median of per-round paired
ratios, and xnnpack/webnn; the delegate's node share and partition count (its partition
report, with the reasons of the nodes left to TFLite); first-run cost (interpreter
construction with the delegate's Prepare, i.e. translation and OpenVINO compile, plus the
first invoke, vs OpenVINO ``read_model`` + ``compile_model`` + first infer); parity of
(a), (b), (d), (e) against (c): max abs / relative difference of float outputs, quantization
steps of int8/uint8 outputs. OpenVINO's outputs are matched to the interpreter's by tensor
name, then by shape, then by position.

OpenVINO's TFLite frontend reads a batch dimension that the file marks dynamic
(``shape_signature`` -1) as dynamic; the model is reshaped to the interpreter's static input
shapes before compiling, as the interpreter itself runs them.

The machine has 2 shared cores: read single runs' timings with care; the interleaving makes
the ratios fairer, not the absolute numbers quieter.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from webnn_providers.testing import tflite_models
from webnn_providers.testing.tflite_writer import interpreter_module
from webnn_providers.tflite import WebNNDelegate

from .frameworks import openvino
from .frameworks.base import PRECISIONS, Runtime
from .frameworks.parity import differences
from .frameworks.tflite import NUM_THREADS, interpreter_runtime, native_runtime
from .frameworks.timing import environment, interleaved, progress, publish, ratio_summary, summarize

RUNTIMES = ("webnn", "openvino", "xnnpack", "webnn_fast", "openvino_fast")
#: (numerator, denominator, key) of the reported ratios
RATIOS = (("webnn", "openvino", "webnn_vs_openvino"),
          ("webnn_fast", "openvino_fast", "webnn_fast_vs_openvino_fast"),
          ("xnnpack", "webnn", "xnnpack_vs_webnn"))
TARGET_RATIO = 1.05
#: the reduced precision of (d) and (e): a ``precision`` value ``webnn_core`` accepts
FAST_PRECISION = PRECISIONS["fast"]
DEFAULT_MODELS = (*tflite_models.DEFAULT_BUILTIN, *tflite_models.REAL_MODELS)


# -- one model -----------------------------------------------------------------------------------


def bench_model(model: tflite_models.Model, iterations: int, warmup: int,
                delegates: dict[str, WebNNDelegate]) -> dict[str, Any]:
    """Time one prepared model on the five runtimes in one interleaved run. A runtime that
    cannot load or run the model is reported under ``failed`` and left out."""
    result: dict[str, Any] = {"model": model.name, "source": model.source,
                              "size_bytes": model.size_bytes,
                              "inputs": [{"shape": list(a.shape), "dtype": str(a.dtype)}
                                         for a in model.inputs]}
    runtimes: dict[str, Runtime] = {}
    failed: dict[str, str] = {}
    # the reference first: without it there is nothing to compare with
    runtimes["xnnpack"] = interpreter_runtime("xnnpack", "xnnpack", model.path, model.inputs)
    in_details = runtimes["xnnpack"].extra["input_details"]
    out_details = runtimes["xnnpack"].extra["output_details"]
    configs = {"openvino": openvino.config("exact"), "openvino_fast": openvino.config("fast")}
    for name in RUNTIMES:
        if name in runtimes:
            continue
        try:
            if name.startswith("webnn"):
                runtimes[name] = interpreter_runtime(name, name, model.path, model.inputs,
                                                     delegates[name])
            else:
                runtimes[name] = native_runtime(name, model.path, model.inputs, in_details,
                                                out_details, configs[name], f32_fallback=False)
        except Exception as exc:  # noqa: BLE001 - report and time the others
            failed[name] = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:300]}"
    names = [n for n in RUNTIMES if n in runtimes]
    samples = interleaved({n: runtimes[n].call for n in names}, iterations, warmup)
    expected = runtimes["xnnpack"].outputs
    result.update({
        "runtimes": names, "failed": failed,
        "latency": {n: summarize(samples[n]) for n in names},
        "ratios": {key: ratio_summary(samples[a], samples[b]) for a, b, key in RATIOS
                   if a in samples and b in samples},
        "first_run_s": {n: runtimes[n].first_run for n in names},
        "delegate": {n: runtimes[n].coverage for n in names if n.startswith("webnn")},
        "parity_vs_xnnpack": {n: differences(runtimes[n].outputs, expected)
                              for n in names if n != "xnnpack"},
        "outputs": [{"name": d["name"], "shape": [int(s) for s in d["shape"]],
                     "dtype": np.dtype(d["dtype"]).name} for d in out_details],
        "openvino_reshaped_inputs": any(runtimes[n].extra.get("reshaped_inputs", False)
                                        for n in names),
    })
    return result


# -- the benchmark ---------------------------------------------------------------------------


def run_benchmark(models: Sequence[str] | None = None, iterations: int = 50, warmup: int = 5,
                  seed: int = 0, models_dir: Path | None = None,
                  progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Prepare and time ``models`` (default :data:`DEFAULT_MODELS`; real ones from
    ``models_dir``, default ``tflite_models.REAL_MODELS_DIR``); a JSON-able dict.
    ``progress``: optional callable receiving status lines."""
    names = list(models) if models else list(DEFAULT_MODELS)
    delegates = {"webnn": WebNNDelegate(backend="openvino"),
                 "webnn_fast": WebNNDelegate(backend="openvino", precision=FAST_PRECISION)}
    result: dict[str, Any] = {
        "environment": environment(), "interpreter": interpreter_module().__name__,
        "num_threads": NUM_THREADS, "fast_precision": FAST_PRECISION,
        "openvino_config": openvino.config("exact"),
        "openvino_fast_config": openvino.config("fast"),
        "iterations": iterations, "warmup": warmup, "seed": seed, "models": [], "skipped": {},
    }
    with tempfile.TemporaryDirectory(prefix="webnn-tflite-bench-") as workdir:
        for name in names:
            if progress:
                progress(f"{name}: preparing")
            try:
                model = tflite_models.prepare(name, workdir, seed, models_dir)
            except FileNotFoundError as exc:
                result["skipped"][name] = str(exc)
                continue
            if progress:
                progress(f"{name}: timing ({iterations} rounds)")
            try:
                entry = bench_model(model, iterations, warmup, delegates)
            except Exception as exc:  # noqa: BLE001 - report and go on with the others
                message = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
                where = traceback.extract_tb(exc.__traceback__)[-1]
                result["skipped"][name] = (f"failed: {type(exc).__name__}: {message} (at "
                                           f"{Path(where.filename).name}:{where.lineno})")
                continue
            result["models"].append(entry)
    return result


# -- report ------------------------------------------------------------------------------------


def _fmt(value: float | None, width: int, spec: str = ".2f") -> str:
    return f"{'-':>{width}}" if value is None else f"{value:{width}{spec}}"


def _parity_text(p: dict[str, Any] | None) -> str:
    if not p:
        return "-"
    if "error" in p:
        return "shape!"
    parts = []
    if "max_rel_diff" in p:
        parts.append(f"{p['max_rel_diff']:.1e}")
    if "max_steps" in p:
        parts.append(f"{p['max_steps']}st")
    return "/".join(parts)


def format_report(r: dict[str, Any]) -> str:
    """Human-readable tables of :func:`run_benchmark`'s result."""
    env = r["environment"]
    lines = [
        f"{r['interpreter']}  openvino {env['openvino']}  python {env['python']}  "
        f"{env['cpu_count']} logical CPUs (shared: timings are noisy)",
        f"interpreters: num_threads={r['num_threads']}, default op resolver (XNNPACK); "
        f"OpenVINO config {r['openvino_config']}; fast: precision={r['fast_precision']!r}, "
        f"OpenVINO {r['openvino_fast_config']}",
        f"{r['iterations']} interleaved rounds (balanced order) after {r['warmup']} warm-up "
        "runs each; (a) webnn delegate, (b) OpenVINO on the .tflite, (c) XNNPACK, "
        "(d) webnn fast, (e) OpenVINO fast",
        "",
        f"{'model':28}{'(a) med':>8}{'p90':>7}{'(b) med':>8}{'p90':>7}{'(c) med':>8}"
        f"{'p90':>7}{'(d) med':>8}{'(e) med':>8}{'a/b':>6}{'paired':>7}{'d/e':>6}"
        f"{'paired':>7}{'c/a':>6}  {'a/b<=1.05':9}",
    ]
    for m in r["models"]:
        lat, ratios = m["latency"], m["ratios"]

        def med(n: str, key: str = "median_ms", lat: dict = lat) -> float | None:
            return lat[n][key] if n in lat else None

        def ratio(key: str, which: str, ratios: dict = ratios) -> float | None:
            return ratios[key][which] if key in ratios else None

        ab = ratio("webnn_vs_openvino", "ratio_of_medians")
        verdict = "-" if ab is None else ("ok" if ab <= TARGET_RATIO else "ABOVE")
        lines.append(
            f"{m['model']:28}{_fmt(med('webnn'), 8)}{_fmt(med('webnn', 'p90_ms'), 7)}"
            f"{_fmt(med('openvino'), 8)}{_fmt(med('openvino', 'p90_ms'), 7)}"
            f"{_fmt(med('xnnpack'), 8)}{_fmt(med('xnnpack', 'p90_ms'), 7)}"
            f"{_fmt(med('webnn_fast'), 8)}{_fmt(med('openvino_fast'), 8)}"
            f"{_fmt(ab, 6, '.3f')}{_fmt(ratio('webnn_vs_openvino', 'median_paired_ratio'), 7, '.3f')}"  # noqa: E501
            f"{_fmt(ratio('webnn_fast_vs_openvino_fast', 'ratio_of_medians'), 6, '.3f')}"
            f"{_fmt(ratio('webnn_fast_vs_openvino_fast', 'median_paired_ratio'), 7, '.3f')}"
            f"{_fmt(ratio('xnnpack_vs_webnn', 'ratio_of_medians'), 6, '.2f')}  {verdict:9}")
    lines += ["", "latencies in ms; a/b, d/e, c/a: ratio of medians; paired: median of "
                  "per-round ratios", "",
              f"{'model':28}{'deleg':>9}{'parts':>6}{'fast':>9}{'first a':>9}{'first b':>9}"
              f"{'first c':>9}{'first d':>9}{'first e':>9}  parity vs (c): a | b | d | e"]
    for m in r["models"]:
        d, first, par = m["delegate"], m["first_run_s"], m["parity_vs_xnnpack"]

        def share(n: str, d: dict = d) -> str:
            return f"{d[n]['delegated']}/{d[n]['nodes']}" if n in d else "-"

        lines.append(
            f"{m['model']:28}{share('webnn'):>9}"
            f"{d['webnn']['partitions'] if 'webnn' in d else '-':>6}{share('webnn_fast'):>9}"
            + "".join(_fmt(first[n]["total_s"] if n in first else None, 9)
                      for n in ("webnn", "openvino", "xnnpack", "webnn_fast", "openvino_fast"))
            + "  " + " | ".join(_parity_text(par.get(n)) for n in
                                ("webnn", "openvino", "webnn_fast", "openvino_fast")))
    lines += ["", "deleg: nodes the WebNN delegate takes / nodes; parts: its partitions; "
                  "first: seconds to a first result (interpreter construction incl. the "
                  "delegate's Prepare + first invoke; OpenVINO read_model + compile + first "
                  "infer); parity: max |x - c| / max |c| over float outputs, 'st' = "
                  "largest difference in quantization steps of int8/uint8 outputs"]
    for m in r["models"]:
        notes = []
        for name, why in m["failed"].items():
            notes.append(f"{name} failed: {why}")
        d = m["delegate"].get("webnn")
        if d and d["fallback"]:
            notes.append("left to TFLite: " + ", ".join(f"{k} {v}" for k, v in
                                                        d["fallback"].items()))
            for reason, count in list(d["fallback_reasons"].items())[:6]:
                notes.append(f"  {count} x {reason}")
        if m["openvino_reshaped_inputs"]:
            notes.append("OpenVINO read a dynamic input dimension: reshaped to the "
                         "interpreter's static shape before compiling")
        for n, p in m["parity_vs_xnnpack"].items():
            if "error" in p:
                notes.append(f"{n} outputs: {p['error']}")
        if notes:
            lines += ["", f"{m['model']}:"] + [f"  {n}" for n in notes]
    if r["skipped"]:
        lines.append("")
    for name, why in r["skipped"].items():
        lines.append(f"skipped {name}: {why}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tflite_benchmark",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="",
                        help=f"comma-separated model names (default: {','.join(DEFAULT_MODELS)}"
                             f"; known: {','.join(tflite_models.known_models())})")
    parser.add_argument("--iterations", type=int, default=50,
                        help="interleaved timed rounds (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up runs of each (default 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--models-dir", type=Path, default=None,
                        help="directory of the real models (default "
                             f"{tflite_models.REAL_MODELS_DIR})")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    if args.iterations < 1 or args.warmup < 0:
        parser.error("--iterations must be >= 1 and --warmup >= 0")
    names = [n.strip() for n in args.models.split(",") if n.strip()] or None
    unknown = [n for n in names or [] if n not in tflite_models.known_models()]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}")
    result = run_benchmark(names, args.iterations, args.warmup, args.seed, args.models_dir,
                           progress=progress)
    publish(format_report(result), result, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
