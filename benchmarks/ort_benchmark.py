"""ONNX Runtime benchmark: full-graph CNNs through the WebNN execution provider, against
OpenVINO reading the same ONNX file and against ONNX Runtime's CPU EP, in one run.

    python -m benchmarks.ort_benchmark [--models squeezenet,resnet50,...] [--iterations N]
                                       [--warmup N] [--json out.json] [--no-overhead]

Models (webnn_providers.testing.onnx_models): the light CNNs shipped in the ``onnx`` wheel
with seeded random weights (SqueezeNet, ResNet-50, GoogLeNet, DenseNet-121, ShuffleNet; more
with ``--models``) and the real models in ``../shared/models/onnx`` (skipped when absent), each
prepared once into a temporary directory. For each model, three runtimes read the same file:

- (a) ``webnn_ep``: ``ort.InferenceSession(path, providers=[("WebNNExecutionProvider",
  {"backend": "openvino"}), "CPUExecutionProvider"])``;
- (b) ``openvino``: ``ov.Core().read_model(path)`` compiled with the configuration the WebNN
  OpenVINO backend uses (``OpenVINOBackend().config``: INFERENCE_PRECISION_HINT f32,
  PERFORMANCE_HINT LATENCY), run through a reused infer request (zero-copy inputs;
  benchmarks/frameworks/openvino.py);
- (c) ``ort_cpu``: ``ort.InferenceSession(path, providers=["CPUExecutionProvider"])``.

After warm-up they are timed in interleaved rounds (carry-over-balanced order,
benchmarks/frameworks/timing.py). Both ORT sessions set ``session.force_spinning_stop=1``
(benchmarks/frameworks/onnxruntime.py): ORT's intra-op threads otherwise keep spinning after
``run`` returns and steal the 2 cores from whichever runtime is timed next (on this machine
that made OpenVINO and the EP look up to 2x slower right after an ORT CPU call); the option
changes nothing inside a run.

Reported per model: median/p90 latency of each runtime, ratio (a)/(b) (target <= 1.05) and
(c)/(a), as ratio of medians and median of per-round paired ratios; parity of (a) vs (c)
(and (b) vs (c)); session creation of (a) and (c) and OpenVINO read+compile; WebNN partitions
and the nodes left to ONNX Runtime (from ORT's graph assignment record and the EP's own
partition report, with reasons); a breakdown of (a) from a few extra instrumented runs
(time inside the fused nodes' Compute, inside the WebNN dispatch, and in ORT outside them);
and the op types of the WebNN partitions' compiled OpenVINO models vs the native one.

The EP overhead section times a one-Add model (a few elements) with the EP, with the CPU EP,
and the compiled WebNN graph called directly (the fused kernel's ``dispatch`` and
``ctx.compute`` on a builder-built graph), each sample a loop of calls, and derives the EP's
cost per fused call: EP session - CPU session - dispatch.

The machine has 2 shared cores: timings are noisy; the ratios from one interleaved run are
what to read.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import openvino as ov
import webnn_providers.onnxruntime as webnn_ort
from onnx import TensorProto, helper, numpy_helper
from webnn_providers.onnxruntime import _kernel
from webnn_providers.testing import onnx_models as model_zoo

import webnn_core as webnn

from .core_benchmark import webnn_compiled_model
from .frameworks import openvino
from .frameworks.onnxruntime import (
    SESSION_CONFIG,
    assignment,
    create_cpu_session,
    create_ep_session,
)
from .frameworks.parity import worst_diff
from .frameworks.timing import environment, interleaved, progress, publish, ratio_summary, summarize

RUNTIMES = ("webnn_ep", "openvino", "ort_cpu")
TARGET_RATIO = 1.05
TARGET_OVERHEAD_US = 15.0


# -- what the EP compiled ----------------------------------------------------------------------


def _variants(kernel: Any) -> list:
    return [v for v in [kernel.static, *kernel.variants.values()] if v is not None]


def webnn_runtime_ops(kernels: list, kernels_view: bool = False) -> dict[str, Any]:
    """Op counts of the partitions' compiled OpenVINO models, summed; graphs that fell back
    to the numpy reference (no OpenVINO model) are counted apart."""
    total: dict[str, int] = {}
    reference = 0
    for kernel in kernels:
        for variant in _variants(kernel):
            compiled = webnn_compiled_model(variant.translated.graph)
            if compiled is None:
                reference += 1
                continue
            for kind, n in openvino.runtime_op_counts(compiled, kernels_view).items():
                total[kind] = total.get(kind, 0) + n
    return {"ops": dict(sorted(total.items())), "reference_graphs": reference}


# -- instrumentation -------------------------------------------------------------------------


@contextlib.contextmanager
def instrumented(kernels: list) -> Iterator[dict[str, list[float]]]:
    """Record the seconds of every FusedKernel.compute and of every WebNN dispatch (the
    compiled graph's call inside it) while active; restores everything on exit."""
    records: dict[str, list[float]] = {"compute": [], "dispatch": []}
    original = _kernel.FusedKernel.compute

    def compute(self: Any, kernel_context: int) -> None:
        t0 = time.perf_counter()
        try:
            original(self, kernel_context)
        finally:
            records["compute"].append(time.perf_counter() - t0)

    def timed(dispatch: Any) -> Any:
        def call(inputs: Any, outputs: Any) -> None:
            t0 = time.perf_counter()
            try:
                dispatch(inputs, outputs)
            finally:
                records["dispatch"].append(time.perf_counter() - t0)
        return call

    patched = []
    for kernel in kernels:
        for variant in _variants(kernel):
            patched.append((variant, variant.dispatch))
            variant.dispatch = timed(variant.dispatch)
    _kernel.FusedKernel.compute = compute
    try:
        yield records
    finally:
        _kernel.FusedKernel.compute = original
        for variant, dispatch in patched:
            variant.dispatch = dispatch


def ep_breakdown(session: ort.InferenceSession, kernels: list, feeds: dict[str, np.ndarray],
                 runs: int) -> dict[str, Any]:
    """Where an EP session's run time goes (median over ``runs`` instrumented runs):
    inside the fused nodes' Compute (Python, including the dispatch), inside the WebNN
    dispatch (OpenVINO inference plus tensor handover), and outside the fused nodes (ORT's
    run overhead, CPU-EP nodes, the C trampoline)."""
    totals, computes, dispatches, calls = [], [], [], []
    with instrumented(kernels) as records:
        for _ in range(runs):
            records["compute"].clear()
            records["dispatch"].clear()
            t0 = time.perf_counter()
            session.run(None, feeds)
            totals.append(time.perf_counter() - t0)
            computes.append(sum(records["compute"]))
            dispatches.append(sum(records["dispatch"]))
            calls.append(len(records["compute"]))
    med = statistics.median
    return {"runs": runs, "fused_calls_per_run": med(calls) if calls else 0,
            "total_ms": med(totals) * 1e3, "in_compute_ms": med(computes) * 1e3,
            "in_dispatch_ms": med(dispatches) * 1e3,
            "compute_python_ms": med([c - d for c, d in zip(computes, dispatches)]) * 1e3,
            "outside_compute_ms": med([t - c for t, c in zip(totals, computes)]) * 1e3}


# -- one model -------------------------------------------------------------------------------


def bench_model(model: model_zoo.Model, iterations: int, warmup: int, device: str = "CPU",
                breakdown_runs: int = 10) -> dict[str, Any]:
    """Time one prepared model on the three runtimes in one interleaved run."""
    result: dict[str, Any] = {"model": model.name, "source": model.source,
                              "nodes": model.num_nodes, "opset": model.opset,
                              "parameters": model.parameters, "op_counts": model.op_counts,
                              "inputs": {k: list(v.shape) for k, v in model.feeds.items()}}
    ep_session, ep_s, kernels, eps = create_ep_session(model.path, device)
    cpu_session, cpu_s = create_cpu_session(model.path)
    feeds = model.feeds
    native = openvino.native_runtime(model.path, list(feeds.items()),
                                     [o.name for o in cpu_session.get_outputs()],
                                     openvino.config("exact", device), device=device,
                                     f32_fallback=False)
    compiled = native.extra["compiled"]
    ov_times = {k: native.first_run[k] for k in ("read_model_s", "compile_s")}
    ov_times["total_s"] = ov_times["read_model_s"] + ov_times["compile_s"]

    runs = {"webnn_ep": lambda: ep_session.run(None, feeds),
            "openvino": native.call,
            "ort_cpu": lambda: cpu_session.run(None, feeds)}
    ep_out = ep_session.run(None, feeds)
    cpu_out = cpu_session.run(None, feeds)
    ov_out = native.outputs
    samples = interleaved(runs, iterations, warmup)
    stats = {name: summarize(s) for name, s in samples.items()}

    webnn_ops = webnn_runtime_ops(kernels)
    native_ops = openvino.runtime_op_counts(compiled)
    result.update({
        "latency": stats,
        "webnn_ep_vs_openvino": ratio_summary(samples["webnn_ep"], samples["openvino"]),
        "ort_cpu_vs_webnn_ep": ratio_summary(samples["ort_cpu"], samples["webnn_ep"]),
        "parity": {"webnn_ep_vs_ort_cpu": worst_diff(ep_out, cpu_out),
                   "openvino_vs_ort_cpu": worst_diff(ov_out, cpu_out),
                   "output_shapes": [list(a.shape) for a in ep_out],
                   "shapes_match": [a.shape == b.shape for a, b in zip(ep_out, cpu_out)]},
        "session_creation_s": {"webnn_ep": ep_s, "ort_cpu": cpu_s,
                               "openvino_read_compile": ov_times["total_s"],
                               "openvino": ov_times},
        "partitions": assignment(ep_session, eps),
        "fused_kernels": len(kernels),
        "breakdown": ep_breakdown(ep_session, kernels, feeds, breakdown_runs)
        if breakdown_runs > 0 else {},
        "runtime_model": {
            "webnn": webnn_ops["ops"], "native": native_ops,
            "webnn_reference_graphs": webnn_ops["reference_graphs"],
            "differences": openvino.runtime_diff(webnn_ops["ops"], native_ops),
            "kernel_differences": openvino.runtime_diff(
                webnn_runtime_ops(kernels, True)["ops"],
                openvino.runtime_op_counts(compiled, True))},
    })
    return result


# -- EP overhead per fused call ----------------------------------------------------------------


def tiny_add_model(elements: int = 8) -> onnx.ModelProto:
    """y = x + c on ``elements`` float32 values: one fused node, no real work."""
    c = numpy_helper.from_array(np.linspace(-1.0, 1.0, elements, dtype=np.float32), "c")
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "c"], ["y"], name="add")], "tiny_add",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, elements])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, elements])], [c])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = model_zoo.IR_VERSION
    onnx.checker.check_model(model)
    return model


def _loop(fn: Any, calls: int) -> Any:
    def run() -> None:
        for _ in range(calls):
            fn()
    return run


def ep_overhead(iterations: int = 50, warmup: int = 3, calls: int = 200, elements: int = 8,
                device: str = "CPU") -> dict[str, Any]:
    """Per-call microseconds of the one-Add model: EP session, CPU session, the fused
    kernel's WebNN dispatch, ``ctx.compute`` of the same graph built with the builder, and
    the raw OpenVINO infer request; each sample is ``calls`` calls. Derived: the EP's cost
    per fused call = EP session - CPU session - dispatch (paired per round)."""
    model = tiny_add_model(elements).SerializeToString()
    ep_session, _, kernels, _ = create_ep_session(model, device)
    cpu_session, _ = create_cpu_session(model)
    if len(kernels) != 1 or kernels[0].static is None:
        raise RuntimeError(f"expected one static fused node, got {len(kernels)}")
    variant = kernels[0].static
    x = np.linspace(0.0, 1.0, elements, dtype=np.float32).reshape(1, elements)
    feeds = {"x": x}
    in_name = variant.inputs[0][1]
    out_name, out_shape, out_dtype = variant.outputs[0][1:4]
    dispatch_in = {in_name: x}
    dispatch_out = {out_name: np.empty(out_shape, out_dtype)}
    dispatch = variant.dispatch

    ctx = webnn.ml.create_context(backend="openvino", device=device)
    builder = webnn.MLGraphBuilder(ctx)
    operand = builder.add(builder.input("x", webnn.MLOperandDescriptor("float32", [1, elements])),
                          builder.constant(np.linspace(-1.0, 1.0, elements, dtype=np.float32)))
    graph = builder.build({"y": operand})
    compiled = webnn_compiled_model(graph)
    request = compiled.create_infer_request()
    request.set_input_tensor(0, ov.Tensor(x, shared_memory=True))
    request.set_output_tensor(0, ov.Tensor(np.empty((1, elements), np.float32),
                                           shared_memory=True))

    want = x + np.linspace(-1.0, 1.0, elements, dtype=np.float32)
    got = ep_session.run(None, feeds)[0]
    runs = {"webnn_ep_session": _loop(lambda: ep_session.run(None, feeds), calls),
            "ort_cpu_session": _loop(lambda: cpu_session.run(None, feeds), calls),
            "fused_dispatch": _loop(lambda: dispatch(dispatch_in, dispatch_out), calls),
            "webnn_compute": _loop(lambda: ctx.compute(graph, feeds), calls),
            "openvino_infer": _loop(request.infer, calls)}
    samples = interleaved(runs, iterations, warmup)
    us = {name: [s / calls * 1e6 for s in values] for name, values in samples.items()}
    med = {name: statistics.median(values) for name, values in us.items()}
    per_round = [e - c - d for e, c, d in zip(us["webnn_ep_session"], us["ort_cpu_session"],
                                               us["fused_dispatch"])]
    with instrumented(kernels) as records:
        for _ in range(calls):
            ep_session.run(None, feeds)
    compute_us = statistics.median(records["compute"]) * 1e6
    dispatch_us = statistics.median(records["dispatch"]) * 1e6
    outside_us = med["webnn_ep_session"] - med["ort_cpu_session"] - compute_us
    return {
        "elements": elements, "calls_per_sample": calls, "iterations": iterations,
        "per_call_us": {name: {"median": med[name], "p90": summarize(
            [v / 1e3 for v in values])["p90_ms"]} for name, values in us.items()},
        "ep_overhead_us": statistics.median(per_round),
        "ep_overhead_of_medians_us": med["webnn_ep_session"] - med["ort_cpu_session"]
        - med["fused_dispatch"],
        "dispatch_over_openvino_us": med["fused_dispatch"] - med["openvino_infer"],
        # inside session.run: FusedKernel.compute and the dispatch in it; outside = what the
        # EP session costs beyond the CPU session and the Python Compute (ORT's fused-node
        # call, the C->Python ctypes callback, the status wrapper)
        "instrumented": {"compute_us": compute_us, "dispatch_us": dispatch_us,
                         "compute_python_us": compute_us - dispatch_us,
                         "outside_compute_us": outside_us},
        "parity_ok": bool(np.allclose(got, want, rtol=1e-6, atol=1e-7)),
        "target_us": TARGET_OVERHEAD_US,
    }


# -- the benchmark -----------------------------------------------------------------------------


def run_benchmark(models: list[str] | None = None, iterations: int = 50, warmup: int = 5,
                  seed: int = 0, device: str = "CPU", overhead: bool = True,
                  breakdown_runs: int = 10, overhead_iterations: int | None = None,
                  progress: Any = None) -> dict[str, Any]:
    """Prepare and time ``models`` (default: :func:`onnx_models.default_models`);
    returns a JSON-able dict. ``progress``: optional callable receiving status lines."""
    ort.set_default_logger_severity(3)
    webnn_ort.register()
    names = list(models) if models else model_zoo.default_models()
    available = model_zoo.available_models()
    result: dict[str, Any] = {
        "environment": environment(), "device": device,
        "openvino_config": openvino.config("exact", device),
        "ort_session_config": dict(SESSION_CONFIG), "iterations": iterations,
        "warmup": warmup, "seed": seed, "models": [], "skipped": {},
    }
    with tempfile.TemporaryDirectory(prefix="webnn-ort-bench-") as workdir:
        for name in names:
            if name not in available:
                result["skipped"][name] = "absent on this machine"
                continue
            if progress:
                progress(f"{name}: preparing")
            t0 = time.perf_counter()
            model = model_zoo.prepare(name, workdir, seed)
            prepare_s = time.perf_counter() - t0
            if progress:
                progress(f"{name}: timing ({iterations} rounds)")
            try:
                entry = bench_model(model, iterations, warmup, device, breakdown_runs)
            except Exception as exc:  # noqa: BLE001 - report and go on with the others
                result["skipped"][name] = f"failed: {type(exc).__name__}: {exc}"
                continue
            entry["prepare_s"] = prepare_s
            result["models"].append(entry)
    if overhead:
        if progress:
            progress("EP overhead per fused call")
        result["overhead"] = ep_overhead(overhead_iterations or max(iterations, 5),
                                         device=device)
    return result


# -- report ------------------------------------------------------------------------------------


def _verdict(ratio: float) -> str:
    return "ok" if ratio <= TARGET_RATIO else "ABOVE"


def format_report(r: dict[str, Any]) -> str:
    """Human-readable tables of ``run_benchmark``'s result."""
    env = r["environment"]
    lines = [
        f"onnxruntime {env.get('onnxruntime')}  openvino {env['openvino']}  python "
        f"{env['python']}  {env['cpu_count']} logical CPUs (shared: timings are noisy)",
        f"OpenVINO config {r['openvino_config']}  ORT session config {r['ort_session_config']}",
        f"{r['iterations']} interleaved rounds (balanced order) after {r['warmup']} warm-up "
        "runs each; (a) WebNN EP, (b) OpenVINO on the ONNX file, (c) ORT CPU EP",
        "",
        f"{'model':18}{'(a) med':>9}{'p90':>8}{'(b) med':>9}{'p90':>8}{'(c) med':>9}"
        f"{'p90':>8}{'a/b':>7}{'paired':>8}{'c/a':>7}  {'a/b<=1.05':9}{'parity a~c':>11}",
    ]
    for m in r["models"]:
        lat = m["latency"]
        ab, ca = m["webnn_ep_vs_openvino"], m["ort_cpu_vs_webnn_ep"]
        lines.append(
            f"{m['model']:18}"
            f"{lat['webnn_ep']['median_ms']:9.2f}{lat['webnn_ep']['p90_ms']:8.2f}"
            f"{lat['openvino']['median_ms']:9.2f}{lat['openvino']['p90_ms']:8.2f}"
            f"{lat['ort_cpu']['median_ms']:9.2f}{lat['ort_cpu']['p90_ms']:8.2f}"
            f"{ab['ratio_of_medians']:7.3f}{ab['median_paired_ratio']:8.3f}"
            f"{ca['ratio_of_medians']:7.2f}  {_verdict(ab['ratio_of_medians']):9}"
            f"{m['parity']['webnn_ep_vs_ort_cpu'].get('max_rel_diff', 0.0):11.1e}")
    lines += ["", "latencies in ms; a/b and c/a: ratio of medians; paired: median of per-round "
                  "a/b; parity: max |a - c| / max |c| over the outputs", "",
              f"{'model':18}{'nodes':>6}{'parts':>6}{'cpu':>5}{'create a':>10}{'create c':>10}"
              f"{'ov r+c':>8}{'in WebNN':>10}{'dispatch':>10}{'py':>7}{'outside':>9}"
              f"{'calls':>6}"]
    for m in r["models"]:
        p, s, b = m["partitions"], m["session_creation_s"], m.get("breakdown") or {}
        lines.append(
            f"{m['model']:18}{m['nodes']:6d}{p['webnn_partitions']:6d}{p['cpu_nodes']:5d}"
            f"{s['webnn_ep']:10.2f}{s['ort_cpu']:10.2f}{s['openvino_read_compile']:8.2f}"
            + (f"{b['in_compute_ms']:10.2f}{b['in_dispatch_ms']:10.2f}"
               f"{b['compute_python_ms']:7.2f}{b['outside_compute_ms']:9.2f}"
               f"{b['fused_calls_per_run']:6.0f}" if b else ""))
    lines += ["", "nodes: ONNX nodes in the file; parts: WebNN partitions (fused nodes); cpu: "
                  "nodes ORT's CPU EP runs (after ORT's optimizations); create: session "
                  "creation (s); ov r+c: OpenVINO read_model + compile_model (s); in WebNN / "
                  "dispatch / py / outside: ms per (a) run inside the fused nodes' Compute / "
                  "inside the WebNN dispatch / Python marshalling (Compute - dispatch) / in "
                  "ORT outside the fused nodes (instrumented runs); calls: fused calls per run"]
    for m in r["models"]:
        notes = []
        p, rt = m["partitions"], m["runtime_model"]
        if p["cpu_ops"]:
            notes.append("left to ORT: " + ", ".join(f"{k} {v}" for k, v in
                                                     p["cpu_ops"].items()))
        for reason, count in list(p["fallback_reasons"].items())[:6]:
            notes.append(f"  {count} x {reason}")
        if rt["webnn_reference_graphs"]:
            notes.append(f"{rt['webnn_reference_graphs']} partition(s) run on the numpy "
                         "reference (no OpenVINO model)")
        differences = {k: v for k, v in rt["differences"].items() if k != "Const"}
        if differences:
            notes.append("runtime layer types that differ (webnn, native): " + ", ".join(
                f"{k} ({a}, {c})" for k, (a, c) in differences.items()))
        if notes:
            lines += ["", f"{m['model']}:"] + [f"  {n}" for n in notes]
    for name, why in r["skipped"].items():
        lines.append(f"skipped {name}: {why}")
    o = r.get("overhead")
    if o:
        pc = o["per_call_us"]
        lines += ["", f"EP overhead per fused call (one Add on {o['elements']} elements, "
                      f"{o['calls_per_sample']} calls per sample, {o['iterations']} rounds), "
                      "us per call (median, p90):"]
        for name, v in pc.items():
            lines.append(f"  {name:20}{v['median']:9.2f}{v['p90']:9.2f}")
        ins = o["instrumented"]
        verdict = "ok" if o["ep_overhead_us"] <= o["target_us"] else "ABOVE"
        lines += [
            f"  EP overhead = EP session - CPU session - dispatch: {o['ep_overhead_us']:.2f} us "
            f"per fused call (target <= {o['target_us']:.0f}: {verdict})",
            "  inside session.run (instrumented): Compute "
            f"{ins['compute_us']:.2f} us = Python marshalling {ins['compute_python_us']:.2f} + "
            f"dispatch {ins['dispatch_us']:.2f}; outside Compute (ORT's fused-node call, "
            f"C->Python callback) {ins['outside_compute_us']:.2f} us beyond the CPU session",
            f"  dispatch (called directly) - raw OpenVINO infer: "
            f"{o['dispatch_over_openvino_us']:.2f} us (WebNN's per-call tensor handover)",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ort_benchmark",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="",
                        help="comma-separated model names (default: "
                             f"{','.join(model_zoo.default_models())}; also: "
                             f"{','.join(n for n in model_zoo.available_models() if n not in model_zoo.default_models())})")  # noqa: E501
    parser.add_argument("--iterations", type=int, default=50,
                        help="interleaved timed rounds (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up runs of each (default 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="CPU")
    parser.add_argument("--breakdown-runs", type=int, default=10,
                        help="instrumented EP runs per model for the time breakdown (0: off)")
    parser.add_argument("--no-overhead", action="store_true",
                        help="skip the EP overhead per fused call measurement")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    if args.iterations < 1 or args.warmup < 0:
        parser.error("--iterations must be >= 1 and --warmup >= 0")
    names = [n.strip() for n in args.models.split(",") if n.strip()] or None
    unknown = [n for n in names or [] if n not in model_zoo.LIGHT_MODELS
               and n not in model_zoo.REAL_INPUT_SHAPES]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}")
    result = run_benchmark(names, args.iterations, args.warmup, args.seed, args.device,
                           not args.no_overhead, args.breakdown_runs,
                           progress=progress)
    publish(format_report(result), result, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
