"""OpenCV's own ONNX import, shared by the model as given and the rewritten model.

OpenCV 5 has several importer engines (``cv2.dnn.ENGINE_*``) and, unlike OpenCV 4, returns
an empty net when it cannot load an operation (its first ``setInput`` then fails): both
nets of a :class:`~._net.WebNNNet` are imported here, with the engine the caller chose, and
an empty net is an error at once.
"""

from __future__ import annotations

import cv2
import numpy as np

#: OpenCV 5's Python layers never get getMemoryShapes called (see ._layout)
OPENCV_MAJOR = int(cv2.__version__.split(".")[0])

#: OpenCV 5's importer engines (cv2.dnn.ENGINE_*), by value
ENGINES = {getattr(cv2.dnn, n): n for n in ("ENGINE_AUTO", "ENGINE_OPENCV", "ENGINE_ORT",
                                              "ENGINE_CLASSIC", "ENGINE_NEW")
           if hasattr(cv2.dnn, n)}


def check_engine(engine: int | None) -> int | None:
    """``engine`` of readNetFromONNX: one of this OpenCV's ``cv2.dnn.ENGINE_*`` (OpenCV 5),
    or None (OpenCV's default)."""
    if engine is None:
        return None
    if isinstance(engine, bool) or not isinstance(engine, int):
        raise TypeError(f"webnn_providers.opencv: engine is a cv2.dnn.ENGINE_* value, not "
                        f"{engine!r}")
    if int(engine) not in ENGINES:
        known = ", ".join(f"{n}={v}" for v, n in ENGINES.items()) or "none (OpenCV 4)"
        raise ValueError(f"webnn_providers.opencv: OpenCV {cv2.__version__} has no importer "
                         f"engine {engine}; its engines: {known}")
    return int(engine)


def read_net(data: bytes, engine: int | None = None) -> cv2.dnn.Net:
    """The ONNX model ``data`` imported by OpenCV (``engine``: see :func:`check_engine`)."""
    buffer = np.frombuffer(data, np.uint8)
    if engine is None:
        net = cv2.dnn.readNetFromONNX(buffer)
    else:
        net = cv2.dnn.readNetFromONNX(buffer, engine=engine)
    if net.empty():
        # OpenCV 5 logs the unsupported operations and returns an empty net (its first
        # setInput then fails): fail here, as OpenCV 4's importer does
        raise cv2.error("OpenCV's ONNX importer returned an empty net (it cannot load an "
                        "operation of the model; its log names it)")
    return net


def first_line(exc: BaseException | None) -> str:
    """The gist of an OpenCV error (its message ends with the failed assertion)."""
    text = str(exc).strip() if exc is not None else "unknown error"
    lines = [ln.strip(" >") for ln in text.splitlines() if ln.strip(" >")]
    return " ".join(lines[-2:]) if lines else type(exc).__name__
