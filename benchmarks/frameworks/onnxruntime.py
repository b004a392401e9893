"""ONNX Runtime adapter: the CPU EP (host), the WebNN execution provider (webnn) and
OpenVINO reading the same ``.onnx`` file (native).

Both ORT sessions use ``benchmarks.ort_benchmark``'s session options (intra-op threads stop
spinning after ``run``, so they do not steal the cores from the runtime timed next). WebNN's
coverage comes from ORT's own graph assignment record (the nodes each EP ran, after ORT's
graph optimizations) with the reasons from the EP's partition report.
"""

from __future__ import annotations

import time
from typing import Any

from . import _onnx
from .base import PRECISIONS, Prepared, Runtime


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
        from ..ort_benchmark import create_cpu_session

        t0 = time.perf_counter()
        session, _ = create_cpu_session(prepared.path)
        call = _runner(session, prepared.inputs)
        outputs = call()
        return Runtime("host", self.labels["host"], call, list(outputs),
                       time.perf_counter() - t0)

    def webnn(self, prepared: Prepared, precision: str) -> Runtime:
        from ..ort_benchmark import assignment, create_ep_session

        t0 = time.perf_counter()
        session, _, _, eps = create_ep_session(prepared.path,
                                               options={"precision": PRECISIONS[precision]})
        call = _runner(session, prepared.inputs)
        outputs = call()
        seconds = time.perf_counter() - t0
        a = assignment(session, eps)
        total = a["webnn_nodes"] + a["cpu_nodes"]
        cover = {"nodes": total, "delegated": a["webnn_nodes"],
                 "share": a["webnn_nodes"] / total if total else 0.0,
                 "partitions": a["webnn_partitions"], "fallback": a["cpu_ops"],
                 "fallback_reasons": a["fallback_reasons"]}
        return Runtime("webnn", self.labels["webnn"], call, list(outputs), seconds, cover)

    def native(self, prepared: Prepared, precision: str) -> Runtime:
        return _onnx.native_runtime(prepared, precision)


def _runner(session: Any, feeds: dict[str, Any]) -> Any:
    def call() -> list[Any]:
        return session.run(None, feeds)
    return call
