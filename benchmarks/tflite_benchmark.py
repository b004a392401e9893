"""TFLite benchmark: models through the WebNN TFLite delegate, against OpenVINO reading the same
``.tflite`` file and against the interpreter's default (XNNPACK), in one run.

    python -m benchmarks.tflite_benchmark [--models mobilenet_v2,vww_96_int8,...]
                                          [--iterations N] [--warmup N] [--json out.json]

Models: the built-in MobileNetV2 float32 (224) and its full-integer int8 version
(benchmarks/tflite_models.py, seeded random weights) and the real models in
``../shared/models/tflite`` relative to the repository root (skipped when absent), each
written once to a temporary file. Five runtimes run every model:

- (a) ``webnn``: ``Interpreter(model_path, experimental_delegates=[WebNNDelegate(backend=
  "openvino")], num_threads=2)`` with the default op resolver, so XNNPACK takes the nodes the
  delegate leaves;
- (b) ``openvino``: ``ov.Core().read_model(path)`` compiled with the configuration the WebNN
  OpenVINO backend uses (``OpenVINOBackend().config``: INFERENCE_PRECISION_HINT f32,
  PERFORMANCE_HINT LATENCY), run through a reused infer request with zero-copy inputs;
- (c) ``xnnpack``: the interpreter with its defaults (no delegate; the default op resolver
  applies XNNPACK), ``num_threads=2``;
- (d) ``webnn_fast``: as (a) with ``WebNNDelegate(precision=FAST_PRECISION)`` (bfloat16: the
  reduced precision ``webnn_core`` accepts besides float16, and the one this CPU has);
- (e) ``openvino_fast``: as (b) with the same reduced precision
  (``OpenVINOBackend(precision=FAST_PRECISION).config``).

One timed call is what a user does per inference: for the interpreters ``set_tensor`` of each
input, ``invoke`` and ``get_tensor`` of each output (a copy); for OpenVINO
``request.infer(inputs, share_inputs=True)`` (inputs not copied, outputs returned as new
arrays). After warm-up, the runtimes are timed in interleaved rounds, in an order where each
follows each other equally often (benchmarks/_timing.py), so that machine noise and
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
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import openvino as ov
from webnn_providers.tflite import WebNNDelegate

from webnn_core.backends.openvino import OpenVINOBackend

from . import tflite_models
from ._timing import (
    environment,
    interleaved,
    progress,
    publish,
    ratio_summary,
    summarize,
    worst_diff,
)
from .tflite_writer import interpreter_module

RUNTIMES = ("webnn", "openvino", "xnnpack", "webnn_fast", "openvino_fast")
#: (numerator, denominator, key) of the reported ratios
RATIOS = (("webnn", "openvino", "webnn_vs_openvino"),
          ("webnn_fast", "openvino_fast", "webnn_fast_vs_openvino_fast"),
          ("xnnpack", "webnn", "xnnpack_vs_webnn"))
TARGET_RATIO = 1.05
#: the reduced precision of (d) and (e): a ``precision`` value ``webnn_core`` accepts
FAST_PRECISION = "bfloat16"
#: interpreter threads (the machine has 2 cores); OpenVINO picks its own (LATENCY hint)
NUM_THREADS = 2
#: the real models' directory: ../shared/models/tflite relative to the repository root
REAL_MODELS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "models" / "tflite"
REAL_MODELS = ("vww_96_float", "vww_96_int8", "mobilenet_v1_0.25_128_quant",
               "face_detection_short_range", "selfie_segmentation", "hand_landmark_lite",
               "pretrainedResnet", "kws_ref_model_float32", "ultraface_rfb_320")
#: built-in models: name -> bytes factory (seeded)
BUILTIN_MODELS: dict[str, Callable[[int], bytes]] = {
    "mobilenet_v2": lambda seed: tflite_models.mobilenet_v2(seed=seed),
    "mobilenet_v2_int8": lambda seed: tflite_models.mobilenet_v2_int8(seed=seed),
    "tiny_cnn": lambda seed: tflite_models.tiny_cnn(seed=seed),
    "tiny_cnn_int8": lambda seed: tflite_models.tiny_cnn_int8(seed=seed),
}
DEFAULT_MODELS = ("mobilenet_v2", "mobilenet_v2_int8", *REAL_MODELS)


# -- models --------------------------------------------------------------------------------------


@dataclass
class Model:
    """A model written to ``path`` with seeded inputs (interpreter input order)."""

    name: str
    source: str
    path: str
    size_bytes: int
    inputs: list[np.ndarray]


def known_models() -> list[str]:
    return list(BUILTIN_MODELS) + [n for n in REAL_MODELS if n not in BUILTIN_MODELS]


def _real_path(name: str, models_dir: Path | None = None) -> Path:
    return (models_dir or REAL_MODELS_DIR) / f"{name}.tflite"


def model_inputs(path: str, seed: int) -> list[np.ndarray]:
    """Seeded inputs for the model at ``path``, from the interpreter's input details: float
    images (NHWC with 1 or 3 channels) from :func:`tflite_models.sample_images`, other float
    tensors uniform in [-1, 1], integer tensors uniform over their type's range."""
    module = interpreter_module()
    interp = module.Interpreter(model_path=path)
    rng = np.random.default_rng(seed)
    arrays = []
    for k, detail in enumerate(interp.get_input_details()):
        shape, dtype = tuple(int(d) for d in detail["shape"]), np.dtype(detail["dtype"])
        if dtype.kind == "f":
            if len(shape) == 4 and shape[-1] in (1, 3) and min(shape[1:3]) >= 4:
                value = tflite_models.sample_images(1, shape, seed + k)[0]
            else:
                value = rng.uniform(-1.0, 1.0, shape)
        elif dtype.kind in "iu":
            info = np.iinfo(dtype)
            value = rng.integers(max(info.min, -128), min(info.max, 255), shape, endpoint=True)
        else:
            value = rng.integers(0, 2, shape)
        arrays.append(np.ascontiguousarray(value, dtype=dtype))
    return arrays


def prepare(name: str, workdir: str, seed: int = 0, models_dir: Path | None = None) -> Model:
    """Write model ``name`` into ``workdir`` (built-in) or locate it (real); FileNotFoundError
    when a real model is absent."""
    if name in BUILTIN_MODELS:
        data = BUILTIN_MODELS[name](seed)
        path = os.path.join(workdir, f"{name}.tflite")
        Path(path).write_bytes(data)
        source = "built-in"
    else:
        real = _real_path(name, models_dir)
        if not real.is_file():
            raise FileNotFoundError(f"absent: {real}")
        path = os.path.join(workdir, real.name)
        Path(path).write_bytes(real.read_bytes())
        source = "shared"
    return Model(name, source, path, os.path.getsize(path), model_inputs(path, seed))


# -- runtimes --------------------------------------------------------------------------------


@dataclass
class Runtime:
    """One runtime of one model: a timed call, its outputs and its first-run cost."""

    name: str
    call: Callable[[], Any]
    outputs: list[np.ndarray]
    first_run: dict[str, float]
    extra: dict[str, Any]


def interpreter_runtime(name: str, model: Model, delegate: WebNNDelegate | None) -> Runtime:
    """An interpreter (default op resolver, ``NUM_THREADS``) with ``delegate`` if any."""
    module = interpreter_module()
    t0 = time.perf_counter()
    interp = module.Interpreter(model_path=model.path, num_threads=NUM_THREADS,
                                experimental_delegates=[delegate] if delegate else None)
    interp.allocate_tensors()
    t1 = time.perf_counter()
    ins = [d["index"] for d in interp.get_input_details()]
    outs = [d["index"] for d in interp.get_output_details()]
    feeds = list(zip(ins, model.inputs, strict=True))

    def call() -> list[np.ndarray]:
        for index, value in feeds:
            interp.set_tensor(index, value)
        interp.invoke()
        return [interp.get_tensor(index) for index in outs]

    outputs = call()
    t2 = time.perf_counter()
    extra: dict[str, Any] = {"interpreter": interp,
                             "output_details": interp.get_output_details()}
    if delegate is not None:
        report = delegate.partition_report()
        extra["report"] = report
    return Runtime(name, call, [np.array(o) for o in outputs],
                   {"construct_s": t1 - t0, "first_invoke_s": t2 - t1, "total_s": t2 - t0},
                   extra)


def _match_outputs(compiled: ov.CompiledModel, arrays: list[np.ndarray],
                   details: list[dict[str, Any]]) -> list[np.ndarray]:
    """OpenVINO's output arrays in the interpreter's output order: by tensor name, then by
    (unique) shape, then by position."""
    names = [set(port.get_names()) for port in compiled.outputs]
    by_name = [next((k for k, n in enumerate(names) if d["name"] in n), None) for d in details]
    if all(k is not None for k in by_name) and len(set(by_name)) == len(by_name):
        return [arrays[k] for k in by_name]
    shapes = [tuple(a.shape) for a in arrays]
    by_shape = [shapes.index(tuple(d["shape"])) if shapes.count(tuple(d["shape"])) == 1
                else None for d in details]
    if all(k is not None for k in by_shape) and len(set(by_shape)) == len(by_shape):
        return [arrays[k] for k in by_shape]
    return arrays


def openvino_runtime(name: str, model: Model, config: dict[str, Any],
                      input_details: list[dict[str, Any]],
                      output_details: list[dict[str, Any]]) -> Runtime:
    """``read_model`` + ``compile_model`` with ``config`` on a fresh Core; static input shapes
    (the interpreter's) where the file marks dimensions dynamic."""
    core = ov.Core()
    t0 = time.perf_counter()
    ov_model = core.read_model(model.path)
    t1 = time.perf_counter()
    reshaped = False
    if any(p.get_partial_shape().is_dynamic for p in ov_model.inputs):
        shapes = {}
        for port in ov_model.inputs:
            detail = next((d for d in input_details if d["name"] in port.get_names()), None)
            if detail is None:
                detail = input_details[len(shapes)]
            shapes[port] = ov.PartialShape([int(d) for d in detail["shape"]])
        ov_model.reshape(shapes)
        reshaped = True
    compiled = core.compile_model(ov_model, "CPU", config)
    t2 = time.perf_counter()
    request = compiled.create_infer_request()
    order = []
    for k, port in enumerate(compiled.inputs):
        detail = next((i for i, d in enumerate(input_details) if d["name"] in port.get_names()),
                      k)
        order.append(detail)
    feeds = {k: model.inputs[i] for k, i in enumerate(order)}

    def call() -> Any:
        return request.infer(feeds, share_inputs=True)

    result = call()
    t3 = time.perf_counter()
    arrays = [np.array(result[port]) for port in compiled.outputs]
    outputs = _match_outputs(compiled, arrays, output_details)
    return Runtime(name, call, outputs,
                   {"read_model_s": t1 - t0, "compile_s": t2 - t1, "first_infer_s": t3 - t2,
                    "total_s": t3 - t0},
                   {"compiled": compiled, "reshaped_inputs": reshaped,
                    "input_types": [p.get_element_type().get_type_name()
                                    for p in compiled.inputs]})


# -- parity --------------------------------------------------------------------------------------


def parity(actual: Sequence[np.ndarray], expected: Sequence[np.ndarray],
           details: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Float outputs: :func:`worst_diff`; integer outputs: the largest difference in
    quantization steps (``max_steps``). Shapes must match."""
    if len(actual) != len(expected):
        return {"error": f"{len(actual)} outputs vs {len(expected)}"}
    shapes_ok = [tuple(np.shape(a)) == tuple(np.shape(e)) for a, e in zip(actual, expected)]
    if not all(shapes_ok):
        return {"error": "output shapes differ: "
                f"{[list(np.shape(a)) for a in actual]} vs {[list(e.shape) for e in expected]}"}
    result: dict[str, Any] = {}
    floats = [k for k, e in enumerate(expected) if e.dtype.kind == "f"]
    ints = [k for k, e in enumerate(expected) if e.dtype.kind in "iu"]
    if floats:
        result.update(worst_diff([np.asarray(actual[k]) for k in floats],
                                 [expected[k] for k in floats]))
    if ints:
        steps = [int(np.max(np.abs(np.asarray(actual[k]).astype(np.int64)
                                   - expected[k].astype(np.int64)), initial=0)) for k in ints]
        result["max_steps"] = max(steps)
        result["steps_per_output"] = steps
        result["quantized_outputs"] = [str(details[k]["dtype"].__name__) for k in ints]
    return result


# -- one model -----------------------------------------------------------------------------------


def report_summary(report: Any) -> dict[str, Any]:
    if report is None:
        return {"nodes": 0, "delegated": 0, "share": 0.0, "partitions": 0, "fallback": {},
                "fallback_reasons": {}}
    fallback: dict[str, int] = {}
    reasons: dict[str, int] = {}
    for node in report.fallback:
        fallback[node.op_type] = fallback.get(node.op_type, 0) + 1
        key = f"{node.op_type}: [{node.kind}] {node.reason}"
        reasons[key] = reasons.get(key, 0) + 1
    nodes = len(report.nodes)
    return {"nodes": nodes, "delegated": report.num_supported,
            "share": report.num_supported / nodes if nodes else 0.0,
            "partitions": len(report.partitions), "fallback": dict(sorted(fallback.items())),
            "fallback_reasons": reasons}


def bench_model(model: Model, iterations: int, warmup: int,
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
    runtimes["xnnpack"] = interpreter_runtime("xnnpack", model, None)
    interp = runtimes["xnnpack"].extra["interpreter"]
    in_details, out_details = interp.get_input_details(), interp.get_output_details()
    configs = {"openvino": dict(OpenVINOBackend().config),
               "openvino_fast": dict(OpenVINOBackend(precision=FAST_PRECISION).config)}
    for name in RUNTIMES:
        if name in runtimes:
            continue
        try:
            if name.startswith("webnn"):
                runtimes[name] = interpreter_runtime(name, model, delegates[name])
            else:
                runtimes[name] = openvino_runtime(name, model, configs[name], in_details,
                                                   out_details)
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
        "delegate": {n: report_summary(runtimes[n].extra.get("report"))
                     for n in names if n.startswith("webnn")},
        "parity_vs_xnnpack": {n: parity(runtimes[n].outputs, expected, out_details)
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
    """Prepare and time ``models`` (default :data:`DEFAULT_MODELS`); a JSON-able dict.
    ``progress``: optional callable receiving status lines."""
    names = list(models) if models else list(DEFAULT_MODELS)
    delegates = {"webnn": WebNNDelegate(backend="openvino"),
                 "webnn_fast": WebNNDelegate(backend="openvino", precision=FAST_PRECISION)}
    result: dict[str, Any] = {
        "environment": environment(), "interpreter": interpreter_module().__name__,
        "num_threads": NUM_THREADS, "fast_precision": FAST_PRECISION,
        "openvino_config": dict(OpenVINOBackend().config),
        "openvino_fast_config": dict(OpenVINOBackend(precision=FAST_PRECISION).config),
        "iterations": iterations, "warmup": warmup, "seed": seed, "models": [], "skipped": {},
    }
    with tempfile.TemporaryDirectory(prefix="webnn-tflite-bench-") as workdir:
        for name in names:
            if progress:
                progress(f"{name}: preparing")
            try:
                model = prepare(name, workdir, seed, models_dir)
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
                             f"; known: {','.join(known_models())})")
    parser.add_argument("--iterations", type=int, default=50,
                        help="interleaved timed rounds (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up runs of each (default 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--models-dir", type=Path, default=None,
                        help=f"directory of the real models (default {REAL_MODELS_DIR})")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    if args.iterations < 1 or args.warmup < 0:
        parser.error("--iterations must be >= 1 and --warmup >= 0")
    names = [n.strip() for n in args.models.split(",") if n.strip()] or None
    unknown = [n for n in names or [] if n not in known_models()]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}")
    result = run_benchmark(names, args.iterations, args.warmup, args.seed, args.models_dir,
                           progress=progress)
    publish(format_report(result), result, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
