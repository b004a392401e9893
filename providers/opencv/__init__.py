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
backend is plain OpenCV. Options (keyword arguments of :func:`readNet`; the table shared
with the other hosts is :data:`webnn_providers.runtime.OPTION_TABLE`): ``backend``
("openvino" default, "reference" or any registered backend name), ``device`` (the
backend's device, OpenVINO's default "CPU"), ``precision`` ("float32" default;
"bfloat16"/"float16" only when asked), ``power_preference`` and ``cache_dir``. Bad ones
raise :class:`ProviderOptionError` (a ``ValueError``; an unknown name also a
``TypeError``).

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
from ..runtime import OPTIONS, ProviderOptionError, create_context
from ._errors import WebNNBackendError
from ._importer import OPENCV_MAJOR, check_engine
from ._layer import LayerError
from ._net import DNN_BACKEND_WEBNN, WebNNNet

__all__ = ["DNN_BACKEND_WEBNN", "OPENCV_MAJOR", "OPTIONS", "LayerError", "NodeReport",
           "PartitionReport", "ProviderOptionError", "WebNNBackendError", "WebNNNet",
           "partition_report", "readNet", "readNetFromONNX"]

#: the name the backend's option errors carry
HOST = "webnn_providers.opencv"

ModelSource = str | os.PathLike | bytes | bytearray | memoryview | np.ndarray


def _context(options: dict[str, Any]) -> webnn.MLContext:
    """The WebNN context for readNet's keyword options (the table shared with the other
    hosts); an unknown keyword is also a ``TypeError``, as for any Python function."""
    return create_context(options, HOST)


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


def readNetFromONNX(model: ModelSource, engine: int | None = None,  # noqa: N802
                    **options: Any) -> WebNNNet:
    """An ONNX model (path, bytes, or a uint8 array as ``cv2.dnn.readNetFromONNX`` takes)
    as a :class:`WebNNNet`; ``engine`` is OpenCV 5's ``cv2.dnn.ENGINE_*`` (both nets are
    imported with it); ``options`` are the WebNN context's (see the module doc)."""
    engine = check_engine(engine)
    context = _context(options)
    proto, data = _load(model)
    return WebNNNet(proto, data, context, options, engine)


def readNet(model: ModelSource, config: str = "", framework: str = "",
            engine: int | None = None, **options: Any) -> WebNNNet:  # noqa: N802
    """As ``cv2.dnn.readNet`` for ONNX models (the format the WebNN backend translates)."""
    name = os.fspath(model) if isinstance(model, (str, os.PathLike)) else ""
    if config or (framework and framework.lower() != "onnx") or \
            (name and not name.lower().endswith(".onnx")):
        raise ValueError(f"webnn_providers.opencv reads ONNX models only (got model={name!r}, "
                         f"config={config!r}, framework={framework!r}); use cv2.dnn.readNet "
                         "for other formats")
    return readNetFromONNX(model, engine, **options)


def partition_report(model: ModelSource, **options: Any) -> PartitionReport:
    """Which nodes of ``model`` the WebNN backend would take, without importing it into
    OpenCV or compiling anything."""
    from ._build import partition_report as _report

    proto, _ = _load(model)
    return _report(proto, _context(options))
