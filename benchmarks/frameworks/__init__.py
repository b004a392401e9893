"""The benchmarks' library: one adapter per framework (see :mod:`benchmarks.frameworks.base`),
each with a host, a WebNN and a native OpenVINO runtime per model, and what the commands
share: OpenVINO reading model files (:mod:`.openvino`), parity (:mod:`.parity`), interleaved
timing (:mod:`.timing`) and the output of ``python -m benchmarks`` (:mod:`.results`). With
``--backend xla`` the third runtime is the direct-XLA anchor (:mod:`.xla_anchor`, imported
only then: jax is an optional extra) where one exists.

``python -m benchmarks`` (benchmarks/cli.py) and the deep dives (``benchmarks.ort_benchmark``,
``benchmarks.tflite_benchmark``, ``benchmarks.core_benchmark``) are views over it: argument
parsing, calls into it and their own report. The models come from
:mod:`webnn_providers.testing`.
"""

from __future__ import annotations

from .base import (
    DEFAULT_BACKEND,
    PRECISIONS,
    ROLES,
    Framework,
    Prepared,
    Runtime,
    precision_choice,
    webnn_precision,
)
from .onnxruntime import OnnxRuntime
from .opencv import OpenCV
from .parity import agreement
from .tflite import TFLite

__all__ = ["DEFAULT_BACKEND", "FRAMEWORKS", "PRECISIONS", "ROLES", "Framework", "Prepared",
           "Runtime", "agreement", "get", "precision_choice", "webnn_precision"]

#: name -> adapter class, in the order of the table
FRAMEWORKS: dict[str, type[Framework]] = {"onnxruntime": OnnxRuntime, "opencv": OpenCV,
                                          "tflite": TFLite}


def get(name: str, backend: str = DEFAULT_BACKEND, device: str | None = None) -> Framework:
    """A fresh adapter of framework ``name`` whose WebNN runs on ``backend`` / ``device``
    (see :meth:`Framework.target`)."""
    adapter = FRAMEWORKS[name]()
    if backend != DEFAULT_BACKEND or device is not None:
        adapter.target(backend, device)
    return adapter
