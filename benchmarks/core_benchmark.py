"""Core benchmark: a network built with the WebNN builder vs the same network read by OpenVINO
from an ONNX file, in one run.

    python -m benchmarks.core_benchmark [--network resnet50] [--iterations N] [--json out.json]
                                        [--warmup N] [--reference same|none|<network>]
                                        [--profile N]

Both sides use the same weights (webnn_providers.testing.networks), the same device and the same
compile configuration (the WebNN OpenVINO backend's ``config``: INFERENCE_PRECISION_HINT f32,
PERFORMANCE_HINT LATENCY). After warm-up the two are timed in interleaved rounds (the order
alternates every round; benchmarks/frameworks/timing.py) so that machine noise hits both
alike. Each timed call is what a user sees end to end:

- WebNN: ``ctx.compute(graph, {"x": x})`` (input validation, zero-copy input handover,
  output written into a fresh numpy array);
- native: a reused ``InferRequest.infer({0: x}, share_inputs=True)`` (zero-copy input,
  the output delivered as a numpy array).

Reported: median/p90/min/mean latency of each, the ratio webnn/native of the medians (the
acceptance criterion: at most 1.05) and the median of the per-round paired ratios, build
time (builder calls), compile time (``build()``, which includes translation and OpenVINO
compile) vs ONNX export, ``read_model`` and ``compile_model``, numerical parity (WebNN vs
native, and both vs the numpy reference backend on one input), and the op types of the two
compiled runtime models (``get_runtime_model()``, by layer type and by CPU kernel), so a
slower WebNN graph can be traced to extra nodes (Transposes, Converts, Reshapes ...).
``--profile N`` adds per-layer-type times of both models (separately compiled with
``PERF_COUNT``).

The machine this was written on has 2 cores shared with other jobs: read single runs' timings
with care; the interleaving makes the ratio fairer, not the absolute numbers quieter.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from typing import Any

import numpy as np
import onnx
import openvino as ov
from webnn_providers.testing.networks import NETWORKS, Network, build_webnn, to_onnx

import webnn_core as webnn

from .frameworks.openvino import compile_file, compute_nodes, runtime_diff, runtime_op_counts
from .frameworks.parity import diff
from .frameworks.timing import interleaved, publish, ratio_summary, summarize

# -- building ------------------------------------------------------------------------------


def build_webnn_graph(ctx: webnn.MLContext, net: Network) -> tuple[webnn.MLGraph, float, float]:
    """Build ``net`` with the builder on ``ctx``: (graph, builder-call seconds, build() s)."""
    t0 = time.perf_counter()
    builder = webnn.MLGraphBuilder(ctx)
    output = build_webnn(builder, net)
    t1 = time.perf_counter()
    graph = builder.build({"y": output})
    t2 = time.perf_counter()
    return graph, t1 - t0, t2 - t1


def compile_native(net: Network, device: str, config: dict[str, Any],
                   workdir: str) -> tuple[ov.CompiledModel, dict[str, float]]:
    """Export ``net`` to ONNX, read it with a fresh ``ov.Core`` and compile it with
    ``config``; returns the compiled model and the seconds of each step."""
    t0 = time.perf_counter()
    path = os.path.join(workdir, f"{net.name}.onnx")
    onnx.save(to_onnx(net), path)
    t1 = time.perf_counter()
    compiled, steps, _ = compile_file(path, device, config)
    return compiled, {"onnx_export_s": t1 - t0, "read_model_s": steps["read_model_s"],
                      "compile_s": steps["compile_s"], "onnx_bytes": os.path.getsize(path)}


def webnn_compiled_model(graph: webnn.MLGraph) -> ov.CompiledModel | None:
    """The ``ov.CompiledModel`` behind an OpenVINO-backed MLGraph (None if not found)."""
    from webnn_core.backends.openvino import OpenVINOBackend

    return OpenVINOBackend.compiled_model(graph)


def profile(graph: webnn.MLGraph, net: Network, x: np.ndarray, device: str,
            config: dict[str, Any], workdir: str, iterations: int,
            warmup: int = 3) -> dict[str, Any]:
    """Per-layer-type execution time (mean microseconds per inference after warm-up) of the
    WebNN graph's ``ov.Model`` and of the ONNX model, both compiled with ``PERF_COUNT``.

    The CPU plugin reports each node's running mean over every run so far (including the
    first run's one-off costs such as weight packing), so the steady-state mean is recovered
    from the totals after warm-up and at the end: (mean_end * n_end - mean_w * n_w) / runs.
    """
    from webnn_core.backends.openvino import translate

    perf = {**config, "PERF_COUNT": True}
    requests = {
        "webnn": ov.Core().compile_model(translate(graph), device, perf).create_infer_request(),
        "native": compile_native(net, device, perf, workdir)[0].create_infer_request(),
    }

    def totals(request: ov.InferRequest, runs: int) -> dict[tuple[str, str], float]:
        return {(item.node_name, item.node_type): item.real_time.total_seconds() * 1e6 * runs
                for item in request.profiling_info}

    calls = {name: (lambda r=request: r.infer({0: x}, share_inputs=True))
             for name, request in requests.items()}
    interleaved(calls, 0, warmup)
    start = {name: totals(request, warmup) for name, request in requests.items()}
    interleaved(calls, iterations, 0)
    result: dict[str, Any] = {}
    for name, request in requests.items():
        by_type: dict[str, float] = {}
        for key, total in totals(request, warmup + iterations).items():
            mean = (total - start[name].get(key, 0.0)) / iterations
            by_type[key[1]] = by_type.get(key[1], 0.0) + max(mean, 0.0)
        result[name] = dict(sorted(by_type.items()))
        result[name]["total"] = sum(by_type.values())
    return result


# -- parity --------------------------------------------------------------------------------


def reference_parity(net: Network, x: np.ndarray, webnn_out: np.ndarray,
                     native_out: np.ndarray) -> dict[str, Any]:
    """Run ``net`` once on the numpy reference backend and compare both OpenVINO outputs."""
    ctx = webnn.ml.create_context(backend="reference")
    graph, _, _ = build_webnn_graph(ctx, net)
    t0 = time.perf_counter()
    ref = ctx.compute(graph, {net.input_name: x})["y"]
    seconds = time.perf_counter() - t0
    return {"network": net.name, "seconds": seconds,
            "webnn_vs_reference": diff(webnn_out, ref),
            "native_vs_reference": diff(native_out, ref)}


def reference_parity_separate(name: str, seed: int, device: str, config: dict[str, Any],
                              workdir: str) -> dict[str, Any]:
    """Reference parity on another (smaller) network than the timed one."""
    net = NETWORKS[name](seed)
    x = net.random_input(seed + 1)
    ctx = webnn.ml.create_context(device=device)
    graph, _, _ = build_webnn_graph(ctx, net)
    compiled, _ = compile_native(net, device, config, workdir)
    webnn_out = ctx.compute(graph, {net.input_name: x})["y"]
    native_out = compiled.create_infer_request().infer({0: x}, share_inputs=True)[0]
    return reference_parity(net, x, webnn_out, native_out)


# -- the benchmark -------------------------------------------------------------------------


def run_benchmark(network: str = "resnet50", iterations: int = 50, warmup: int = 5,
                  seed: int = 0, device: str = "CPU", reference: str | None = "same",
                  profile_iterations: int = 0) -> dict[str, Any]:
    """Run the benchmark and return its results as a JSON-able dict.

    ``reference``: "same" checks parity with the numpy reference backend on the timed
    network, a network name checks it on that network instead, None skips it.
    ``profile_iterations`` > 0 adds a per-layer-type profile (PERF_COUNT) of both models.
    """
    if network not in NETWORKS:
        raise ValueError(f"unknown network {network!r} (known: {', '.join(NETWORKS)})")
    net = NETWORKS[network](seed)
    x = net.random_input(seed + 1)
    ctx = webnn.ml.create_context(device=device)
    config = dict(ctx.backend.config)
    result: dict[str, Any] = {
        "network": net.name, "input_shape": list(net.input_shape),
        "output_shape": list(net.output_shape), "parameters": net.parameter_count(),
        "layers": net.op_counts(), "device": device, "config": config,
        "openvino": ov.get_version(), "python": platform.python_version(),
        "cpu_count": os.cpu_count(), "iterations": iterations, "warmup": warmup,
    }
    graph, build_s, compile_s = build_webnn_graph(ctx, net)
    with tempfile.TemporaryDirectory(prefix="webnn-bench-") as workdir:
        compiled, native_times = compile_native(net, device, config, workdir)
        request = compiled.create_infer_request()
        feeds = {net.input_name: x}
        runs = {"webnn": lambda: ctx.compute(graph, feeds),
                "native": lambda: request.infer({0: x}, share_inputs=True)}
        webnn_out = ctx.compute(graph, feeds)["y"]
        native_out = np.array(request.infer({0: x}, share_inputs=True)[0])
        samples = interleaved(runs, iterations, warmup)
        if reference == "same":
            result["reference"] = reference_parity(net, x, webnn_out, native_out)
        elif reference is not None:
            result["reference"] = reference_parity_separate(reference, seed, device, config,
                                                             workdir)
        if profile_iterations > 0:
            result["profile_us"] = profile(graph, net, x, device, config, workdir,
                                           profile_iterations)
    stats = {name: summarize(s) for name, s in samples.items()}
    webnn_ops = runtime_op_counts(webnn_compiled_model(graph))
    native_ops = runtime_op_counts(compiled)
    webnn_kernels = runtime_op_counts(webnn_compiled_model(graph), kernels=True)
    native_kernels = runtime_op_counts(compiled, kernels=True)
    result.update({
        "latency": stats,
        **ratio_summary(samples["webnn"], samples["native"]),
        "build": {"webnn_builder_calls_s": build_s, "webnn_build_compile_s": compile_s,
                  "native": native_times},
        "parity": {"webnn_vs_native": diff(webnn_out, native_out),
                   "output_shape_webnn": list(webnn_out.shape),
                   "output_shape_native": list(native_out.shape),
                   "output_dtype_webnn": str(webnn_out.dtype),
                   "output_dtype_native": str(native_out.dtype)},
        "runtime_model": {"webnn": webnn_ops, "native": native_ops,
                          "differences": runtime_diff(webnn_ops, native_ops),
                          "kernel_differences": runtime_diff(webnn_kernels, native_kernels),
                          "webnn_compute_nodes": compute_nodes(webnn_ops),
                          "native_compute_nodes": compute_nodes(native_ops)},
    })
    return result


# -- report --------------------------------------------------------------------------------


def format_report(r: dict[str, Any]) -> str:
    """A human-readable table of ``run_benchmark``'s result."""
    lat, b = r["latency"], r["build"]
    w, n = lat["webnn"], lat["native"]
    shape = "x".join(map(str, r["input_shape"])) + " -> " + "x".join(map(str, r["output_shape"]))
    lines = [
        f"network   {r['network']}  {shape}  {r['parameters'] / 1e6:.2f} M parameters  "
        f"layers {r['layers']}",
        f"openvino  {r['openvino']}  device {r['device']}  config {r['config']}",
        f"machine   {r['cpu_count']} logical CPUs (shared: timings are noisy)  python "
        f"{r['python']}",
        f"timing    {r['iterations']} interleaved rounds after {r['warmup']} warm-up runs each",
        "",
        f"{'':28}{'WebNN (builder)':>18}{'native (ONNX)':>18}{'webnn/native':>14}",
    ]
    for key, label in (("median_ms", "latency median (ms)"), ("p90_ms", "latency p90 (ms)"),
                       ("min_ms", "latency min (ms)"), ("mean_ms", "latency mean (ms)"),
                       ("stdev_ms", "latency stdev (ms)")):
        lines.append(f"{label:28}{w[key]:18.3f}{n[key]:18.3f}{w[key] / n[key]:14.3f}")
    lines += [
        f"{'median of paired ratios':28}{'':36}{r['median_paired_ratio']:14.3f}",
        "",
        f"{'build: builder calls (s)':28}{b['webnn_builder_calls_s']:18.3f}{'-':>18}",
        f"{'build: ONNX export (s)':28}{'-':>18}{b['native']['onnx_export_s']:18.3f}",
        f"{'build: read_model (s)':28}{'-':>18}{b['native']['read_model_s']:18.3f}",
        f"{'compile (s)':28}{b['webnn_build_compile_s']:18.3f}{b['native']['compile_s']:18.3f}",
        f"{'total to ready (s)':28}"
        f"{b['webnn_builder_calls_s'] + b['webnn_build_compile_s']:18.3f}"
        f"{sum(b['native'][k] for k in ('onnx_export_s', 'read_model_s', 'compile_s')):18.3f}",
        "",
        _parity_line("parity webnn vs native", r["parity"]["webnn_vs_native"]),
    ]
    ref = r.get("reference")
    if ref:
        lines.append(_parity_line(f"parity webnn vs reference [{ref['network']}]",
                                  ref["webnn_vs_reference"]))
        lines.append(_parity_line(f"parity native vs reference [{ref['network']}]",
                                  ref["native_vs_reference"]))
        lines.append(f"reference backend run took {ref['seconds']:.1f} s")
    rt = r["runtime_model"]
    lines += ["", f"runtime model compute nodes: webnn {rt['webnn_compute_nodes']}, "
                  f"native {rt['native_compute_nodes']}"]
    if rt["differences"]:
        lines.append("  layer types that differ (webnn, native): " + ", ".join(
            f"{k} ({a}, {c})" for k, (a, c) in rt["differences"].items()))
    else:
        lines.append("  identical layer types and counts: " + ", ".join(
            f"{k} {c}" for k, c in rt["native"].items()))
    if rt["kernel_differences"]:
        lines.append("  kernels that differ (webnn, native): " + ", ".join(
            f"{k} ({a}, {c})" for k, (a, c) in rt["kernel_differences"].items()))
    prof = r.get("profile_us")
    if prof:
        lines += ["", f"{'profile (PERF_COUNT, mean us)':34}{'webnn':>12}{'native':>12}"]
        kinds = set(prof["webnn"]) | set(prof["native"])
        for kind in sorted(kinds, key=lambda k: (k == "total", k)):
            lines.append(f"  {kind:32}{prof['webnn'].get(kind, 0.0):12.1f}"
                         f"{prof['native'].get(kind, 0.0):12.1f}")
    verdict = "PASS" if r["ratio_of_medians"] <= 1.05 else "ABOVE 1.05"
    lines += ["", f"ratio of medians webnn/native = {r['ratio_of_medians']:.3f} "
                  f"(target <= 1.05: {verdict})"]
    return "\n".join(lines)


def _parity_line(label: str, d: dict[str, float]) -> str:
    return (f"{label:44} max abs diff {d['max_abs_diff']:.3e}  relative to max |y| "
            f"{d['max_rel_diff']:.3e}  (max |y| {d['max_abs_expected']:.3g})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.core_benchmark",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--network", default="resnet50", choices=sorted(NETWORKS))
    parser.add_argument("--iterations", type=int, default=50,
                        help="interleaved timed rounds (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up runs of each (default 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="CPU")
    parser.add_argument("--reference", default="same",
                        help="numpy reference parity: 'same' (the timed network, default), "
                             "a network name (e.g. resnet-tiny, if the timed one is too slow "
                             "on the reference) or 'none'")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="also profile both models per layer type over N runs "
                             "(PERF_COUNT; separate compiled models, not the timed ones)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    if args.iterations < 1 or args.warmup < 0:
        parser.error("--iterations must be >= 1 and --warmup >= 0")
    reference = None if args.reference == "none" else args.reference
    if reference not in (None, "same") and reference not in NETWORKS:
        parser.error(f"--reference: unknown network {reference!r}")
    result = run_benchmark(args.network, args.iterations, args.warmup, args.seed, args.device,
                           reference, args.profile)
    publish(format_report(result), result, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
