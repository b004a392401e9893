"""ONNX Runtime adapter: the CPU EP (host), the WebNN execution provider (webnn) and
OpenVINO reading the same ``.onnx`` file (native); and the sessions of the ORT deep dive
(``benchmarks.ort_benchmark``).

Both ORT sessions set ``session.force_spinning_stop=1`` (:data:`SESSION_CONFIG`): ORT's
intra-op threads otherwise keep spinning after ``run`` returns and steal the cores from
whichever runtime is timed next (on a 2-core machine that made OpenVINO and the EP look up to
2x slower right after an ORT CPU call); the option changes nothing inside a run. WebNN's
coverage comes from ORT's own graph assignment record (the nodes each EP ran, after ORT's
graph optimizations) with the reasons from the EP's partition report (:func:`assignment`).
"""

from __future__ import annotations

import time
from typing import Any

from . import _onnx
from .base import Prepared, Runtime, fallback_reasons

#: ORT session config entries of both ORT sessions (see the module doc)
SESSION_CONFIG = {"session.force_spinning_stop": "1"}


# -- sessions --------------------------------------------------------------------------------


def session_options(record_assignment: bool = False,
                    config: dict[str, str] | None = None) -> Any:
    """``ort.SessionOptions``: warnings off, :data:`SESSION_CONFIG` plus ``config``, and
    with ``record_assignment`` ORT's record of the nodes each EP runs."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    for key, value in {**SESSION_CONFIG, **(config or {})}.items():
        options.add_session_config_entry(key, value)
    if record_assignment:
        options.add_session_config_entry("session.record_ep_graph_assignment_info", "1")
    return options


def ep_providers(device: str = "CPU", options: dict[str, str] | None = None) -> list:
    """The providers list of an EP session: the WebNN EP (OpenVINO backend on ``device``,
    plus provider ``options`` such as ``{"precision": "bfloat16"}`` or
    ``{"backend": "xla", "device": "gpu"}``, which override those), then the CPU EP."""
    from webnn_providers.onnxruntime import EP_NAME

    return [(EP_NAME, {"backend": "openvino", "device": device, **(options or {})}),
            "CPUExecutionProvider"]


def create_ep_session(model: str | bytes, device: str = "CPU",
                      config: dict[str, str] | None = None,
                      options: dict[str, str] | None = None) -> tuple[Any, float, list, list]:
    """An EP session: (session, creation seconds, its FusedKernels, its WebNNEps).
    ``config``: extra session config entries; ``options``: extra EP provider options."""
    import onnxruntime as ort
    import webnn_providers.onnxruntime as webnn_ort
    from webnn_providers.onnxruntime._state import _State

    webnn_ort.register()
    kernels_before, eps_before = set(_State.kernels), set(_State.eps)
    t0 = time.perf_counter()
    session = ort.InferenceSession(model, session_options(True, config),
                                   providers=ep_providers(device, options))
    seconds = time.perf_counter() - t0
    kernels = [_State.kernels[k] for k in _State.kernels if k not in kernels_before]
    eps = [_State.eps[e] for e in _State.eps if e not in eps_before]
    return session, seconds, kernels, eps


def create_cpu_session(model: str | bytes) -> tuple[Any, float]:
    """A CPU EP session and its creation seconds."""
    import onnxruntime as ort

    t0 = time.perf_counter()
    session = ort.InferenceSession(model, session_options(),
                                   providers=["CPUExecutionProvider"])
    return session, time.perf_counter() - t0


def assignment(session: Any, eps: list) -> dict[str, Any]:
    """WebNN partitions and the nodes left to ONNX Runtime (after ORT's optimizations), with
    the EP's reasons from its own partition report."""
    from webnn_providers.onnxruntime import EP_NAME

    partitions, webnn_nodes, cpu_ops = 0, 0, {}
    for subgraph in session.get_provider_graph_assignment_info():
        nodes = subgraph.get_nodes()
        if subgraph.ep_name == EP_NAME:
            partitions += 1
            webnn_nodes += len(nodes)
        else:
            for node in nodes:
                cpu_ops[node.op_type] = cpu_ops.get(node.op_type, 0) + 1
    reasons = fallback_reasons(node for ep in eps for report in ep.reports
                               for node in report.fallback)
    return {"webnn_partitions": partitions, "webnn_nodes": webnn_nodes,
            "cpu_nodes": sum(cpu_ops.values()), "cpu_ops": dict(sorted(cpu_ops.items())),
            "fallback_reasons": reasons}


def session_runtime(role: str, label: str, session: Any, feeds: dict[str, Any],
                    t0: float, coverage: dict[str, Any] | None = None) -> Runtime:
    """The runtime of a created session (``t0``: when its creation began): the first
    ``run`` ends its first-run time."""

    def call() -> list[Any]:
        return session.run(None, feeds)

    outputs = call()
    return Runtime(role, label, call, list(outputs), time.perf_counter() - t0, coverage)


# -- the adapter -------------------------------------------------------------------------------


class OnnxRuntime(_onnx.OnnxFramework):
    """``onnxruntime`` with and without the WebNN EP."""

    name = "onnxruntime"
    labels = {"host": "ORT CPU EP", "webnn": "ORT + WebNN EP", "native": "OpenVINO"}

    def available(self) -> str | None:
        try:
            import onnxruntime  # noqa: F401
            import webnn_providers.onnxruntime as webnn_ort

            webnn_ort.register()
        except Exception as exc:  # noqa: BLE001 - any failure is the reason
            return f"{type(exc).__name__}: {exc}"
        return None

    def host(self, prepared: Prepared) -> Runtime:
        t0 = time.perf_counter()
        session, _ = create_cpu_session(prepared.path)
        return session_runtime("host", self.labels["host"], session, prepared.inputs, t0)

    def webnn(self, prepared: Prepared, precision: str) -> Runtime:
        t0 = time.perf_counter()
        session, _, _, eps = create_ep_session(prepared.path,
                                               options=self.webnn_options(precision))
        runtime = session_runtime("webnn", self.labels["webnn"], session, prepared.inputs, t0)
        a = assignment(session, eps)
        total = a["webnn_nodes"] + a["cpu_nodes"]
        runtime.coverage = {"nodes": total, "delegated": a["webnn_nodes"],
                            "share": a["webnn_nodes"] / total if total else 0.0,
                            "partitions": a["webnn_partitions"], "fallback": a["cpu_ops"],
                            "fallback_reasons": a["fallback_reasons"]}
        return runtime

    def native(self, prepared: Prepared, precision: str) -> Runtime:
        return _onnx.native_runtime(prepared, precision, device=self.webnn_device(),
                                    cache_dir=self.cache_dir)
