"""The benchmarks' library: one adapter per framework (see :mod:`benchmarks.frameworks.base`),
each with a host, a WebNN and a native OpenVINO runtime per model, and what the commands
share: OpenVINO reading model files (:mod:`.openvino`), parity (:mod:`.parity`), interleaved
timing (:mod:`.timing`) and the output of ``python -m benchmarks`` (:mod:`.results`).

``python -m benchmarks`` (benchmarks/cli.py) and the deep dives (``benchmarks.ort_benchmark``,
``benchmarks.tflite_benchmark``, ``benchmarks.core_benchmark``) are views over it: argument
parsing, calls into it and their own report. The models come from
:mod:`webnn_providers.testing`.
"""

from __future__ import annotations

from .base import PRECISIONS, ROLES, Framework, Prepared, Runtime
from .onnxruntime import OnnxRuntime
from .opencv import OpenCV
from .parity import agreement
from .tflite import TFLite

__all__ = ["FRAMEWORKS", "PRECISIONS", "ROLES", "Framework", "Prepared", "Runtime",
           "agreement", "get"]

#: name -> adapter class, in the order of the table
FRAMEWORKS: dict[str, type[Framework]] = {"onnxruntime": OnnxRuntime, "opencv": OpenCV,
                                          "tflite": TFLite}


def get(name: str) -> Framework:
    """A fresh adapter of framework ``name``."""
    return FRAMEWORKS[name]()
