"""OpenCV DNN adapter: ``cv2.dnn.readNet`` with its default backend on the CPU target
(host), ``webnn_providers.opencv.readNet`` with ``DNN_BACKEND_WEBNN`` (webnn) and OpenVINO
reading the same ``.onnx`` file (native).

One call is ``setInput`` of each (NCHW float32) input and ``forward`` of the unconnected
output layers. OpenVINO's outputs are matched to OpenCV's output names (which are the ONNX
output names), else taken in order.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from . import _onnx
from .base import Prepared, Runtime, coverage


class OpenCV(_onnx.OnnxFramework):
    """OpenCV's DNN module with and without the WebNN backend."""

    name = "opencv"
    labels = {"host": "OpenCV DNN", "webnn": "OpenCV + WebNN backend", "native": "OpenVINO"}

    def available(self) -> str | None:
        try:
            import cv2
            from webnn_providers import opencv as webnn_cv
        except Exception as exc:  # noqa: BLE001 - any failure is the reason
            return f"{type(exc).__name__}: {exc}"
        if not hasattr(webnn_cv, "readNet"):
            return "webnn_providers.opencv has no readNet yet"
        if not hasattr(cv2.dnn, "DNN_BACKEND_WEBNN"):
            return f"this cv2 ({cv2.__version__}) has no DNN_BACKEND_WEBNN"
        return None

    def host(self, prepared: Prepared) -> Runtime:
        import cv2

        t0 = time.perf_counter()
        net = cv2.dnn.readNet(prepared.path)
        net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
        return self._runtime("host", net, prepared, t0)

    def webnn(self, prepared: Prepared, precision: str) -> Runtime:
        import cv2
        from webnn_providers import opencv as webnn_cv

        options = self.webnn_options(precision)
        fast = options["precision"]
        t0 = time.perf_counter()
        cache = {"cache_dir": options["cache_dir"]} if "cache_dir" in options else {}
        net = webnn_cv.readNet(prepared.path, backend=options["backend"],
                               device=options["device"],
                               precision=None if fast == "float32" else fast, **cache)
        net.setPreferableBackend(cv2.dnn.DNN_BACKEND_WEBNN)
        net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
        runtime = self._runtime("webnn", net, prepared, t0)
        runtime.coverage = coverage(net.partition_report())
        return runtime

    def native(self, prepared: Prepared, precision: str) -> Runtime:
        return _onnx.native_runtime(prepared, precision, _out_names(prepared),
                                    device=self.webnn_device(), cache_dir=self.cache_dir)

    def _runtime(self, role: str, net: Any, prepared: Prepared, t0: float) -> Runtime:
        """The runtime of a configured net: the first forward ends its first-run time."""
        feeds = list(prepared.inputs.items())
        for name, blob in feeds:  # a model with symbolic input sizes is built for these
            net.setInput(blob, name)
        names = list(net.getUnconnectedOutLayersNames())
        prepared.extra.setdefault("cv_output_names", names)

        def call() -> list[np.ndarray]:
            for name, blob in feeds:
                net.setInput(blob, name)
            return list(net.forward(names))

        outputs = call()
        return Runtime(role, self.labels[role], call, [np.array(o) for o in outputs],
                       time.perf_counter() - t0)


def _out_names(prepared: Prepared) -> list[str]:
    """OpenCV's output names (set by the host runtime), else the ONNX outputs."""
    return prepared.extra.get("cv_output_names") or prepared.extra["output_names"]
