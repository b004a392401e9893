"""Framework adapters of ``python -m benchmarks`` (see :mod:`benchmarks.frameworks.base`):
one per framework, each with a host, a WebNN and a native OpenVINO runtime per model."""

from __future__ import annotations

from .base import PRECISIONS, ROLES, Framework, Prepared, Runtime, agreement
from .onnxruntime import OnnxRuntime
from .opencv import OpenCV
from .tflite import TFLite

__all__ = ["FRAMEWORKS", "PRECISIONS", "ROLES", "Framework", "Prepared", "Runtime",
           "agreement", "get"]

#: name -> adapter class, in the order of the table
FRAMEWORKS: dict[str, type[Framework]] = {"onnxruntime": OnnxRuntime, "opencv": OpenCV,
                                          "tflite": TFLite}


def get(name: str) -> Framework:
    """A fresh adapter of framework ``name``."""
    return FRAMEWORKS[name]()
