"""WebNN as an OpenCV DNN backend: ``cv2.dnn.DNN_BACKEND_WEBNN`` that works.

>>> import cv2
>>> from webnn_providers import opencv as webnn_cv
>>> net = webnn_cv.readNet("model.onnx")            # or readNetFromONNX(path or bytes)
>>> net.setPreferableBackend(cv2.dnn.DNN_BACKEND_WEBNN)
>>> net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
>>> net.setInput(cv2.dnn.blobFromImage(img, 1 / 255, (224, 224)))
>>> out = net.forward()
>>> print(net.partition_report())

OpenCV's PyPI wheels define ``DNN_BACKEND_WEBNN`` but contain no WebNN. :func:`readNet`
returns a :class:`WebNNNet`, which behaves like ``cv2.dnn.Net``: with
``DNN_BACKEND_WEBNN`` the model is partitioned at the ONNX level (the translators and
partitioner shared with the ONNX Runtime EP), each partition becomes one OpenCV Python layer
running a compiled WebNN graph, and OpenCV's CPU backend runs the other nodes; any other
backend is plain OpenCV. Options (keyword arguments of :func:`readNet`): ``backend``
("openvino" default, or "reference"), ``device`` (OpenVINO device, default "CPU"),
``precision`` ("float32" default; "bfloat16"/"float16" only when asked),
``power_preference`` and ``cache_dir``.

C++ consumers such as ``cv2.dnn.Model`` accept only a real ``cv2.dnn.Net``: pass them
``net.cv_net`` (see :attr:`WebNNNet.cv_net` for what they cannot report).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import onnx

import webnn_core as webnn

from ..report import NodeReport, PartitionReport
from ._layer import LayerError
from ._net import DNN_BACKEND_WEBNN, OPENCV_MAJOR, WebNNBackendError, WebNNNet

__all__ = ["DNN_BACKEND_WEBNN", "OPENCV_MAJOR", "OPTIONS", "LayerError", "NodeReport",
           "PartitionReport", "WebNNBackendError", "WebNNNet", "partition_report", "readNet",
           "readNetFromONNX"]

#: keyword options of readNet (the WebNN context's)
OPTIONS = ("backend", "device", "power_preference", "precision", "cache_dir")

ModelSource = str | os.PathLike | bytes | bytearray | memoryview | np.ndarray


def _context(options: dict[str, Any]) -> webnn.MLContext:
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise TypeError(f"webnn_providers.opencv: unknown option(s) {', '.join(unknown)}; "
                        f"known options: {', '.join(OPTIONS)}")
    kwargs = {k: v for k, v in options.items() if v is not None}
    try:
        return webnn.ml.create_context(**kwargs)
    except (TypeError, ValueError, webnn.WebNNError) as exc:
        raise ValueError(f"webnn_providers.opencv: invalid options {options}: {exc}") from exc


def _load(model: ModelSource) -> tuple[onnx.ModelProto, bytes]:
    if isinstance(model, (str, os.PathLike)):
        path = os.fspath(model)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"webnn_providers.opencv: no model file {path!r}")
        with open(path, "rb") as f:
            data = f.read()
    elif isinstance(model, np.ndarray):
        data = model.tobytes()
    elif isinstance(model, (bytes, bytearray, memoryview)):
        data = bytes(model)
    else:
        raise TypeError(f"webnn_providers.opencv: a model is a path or the bytes of an ONNX "
                        f"file, not {type(model).__name__}")
    try:
        proto = onnx.load_from_string(data)
    except Exception as exc:  # noqa: BLE001 - protobuf raises several types
        raise ValueError(f"webnn_providers.opencv: not a readable ONNX model: {exc}") from exc
    if not proto.graph.node:
        raise ValueError("webnn_providers.opencv: not a readable ONNX model (no graph nodes)")
    return proto, data


def readNetFromONNX(model: ModelSource, **options: Any) -> WebNNNet:  # noqa: N802
    """An ONNX model (path, bytes, or a uint8 array as ``cv2.dnn.readNetFromONNX`` takes)
    as a :class:`WebNNNet`; ``options`` are the WebNN context's (see the module doc)."""
    context = _context(options)
    proto, data = _load(model)
    return WebNNNet(proto, data, context, options)


def readNet(model: ModelSource, config: str = "", framework: str = "",
            **options: Any) -> WebNNNet:  # noqa: N802
    """As ``cv2.dnn.readNet`` for ONNX models (the format the WebNN backend translates)."""
    name = os.fspath(model) if isinstance(model, (str, os.PathLike)) else ""
    if config or (framework and framework.lower() != "onnx") or \
            (name and not name.lower().endswith(".onnx")):
        raise ValueError(f"webnn_providers.opencv reads ONNX models only (got model={name!r}, "
                         f"config={config!r}, framework={framework!r}); use cv2.dnn.readNet "
                         "for other formats")
    return readNetFromONNX(model, **options)


def partition_report(model: ModelSource, **options: Any) -> PartitionReport:
    """Which nodes of ``model`` the WebNN backend would take, without importing it into
    OpenCV or compiling anything."""
    from ._net import partition_report as _report

    proto, _ = _load(model)
    return _report(proto, _context(options))
