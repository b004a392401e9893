"""WebNN as an ONNX Runtime execution provider (``WebNNExecutionProvider``).

>>> import onnxruntime as ort
>>> import webnn_providers.onnxruntime as webnn_ort
>>> webnn_ort.register()           # once per process; idempotent
>>> sess = ort.InferenceSession("model.onnx", providers=[
...     ("WebNNExecutionProvider", {"backend": "openvino", "device": "CPU"}),
...     "CPUExecutionProvider"])

It is a plugin EP (ORT >= 1.24): :func:`register` registers the package's shared library
with ``onnxruntime.register_execution_provider_library``; the EP then works through
``providers=[...]``, ``SessionOptions.add_provider(name, options)`` and
``SessionOptions.add_provider_for_devices`` (its device in ``ort.get_ep_devices()`` is the
CPU). ONNX Runtime hands it each graph; it takes the nodes WebNN can run, fused into
partitions of one WebNN graph each, and leaves the rest to the next provider.

Provider options (strings; the table shared with the other hosts is
:data:`webnn_providers.runtime.OPTION_TABLE`): ``backend`` ("openvino" default, "reference",
or any backend registered with ``webnn_core.backends.register_backend``), ``device``
(the backend's device, OpenVINO's default "CPU"), ``power_preference`` ("default",
"high-performance", "low-power"), ``precision`` ("float32", "bfloat16", "float16") and
``cache_dir``. An unknown option or a bad value fails session creation with ORT's
InvalidArgument error (:class:`OptionError` from :func:`partition_report`).

Which nodes WebNN takes is logged at INFO on the ``webnn`` logger when a session is created;
:func:`partition_report` computes the same report for a model without creating a session
(on the model as stored: ORT's level-1 optimizations may still change the graph it sees).
"""

from __future__ import annotations

import importlib.machinery
import os
import threading
from pathlib import Path
from typing import Any

import onnx

from ..onnx import from_onnx_model
from ..partition import graph_predecessors
from ..runtime import OPTIONS, ProviderOptionError
from ._factory import create_context
from ._report import NodeReport, PartitionReport, analyze
from ._state import EP_NAME

#: the EP's name for the shared :class:`~webnn_providers.runtime.ProviderOptionError`
OptionError = ProviderOptionError

__all__ = ["EP_NAME", "OPTIONS", "NodeReport", "OptionError", "PartitionReport",
           "ProviderOptionError", "is_registered", "library_path", "partition_report",
           "register", "unregister"]

#: the name the library is registered under (``ort.unregister_execution_provider_library``)
REGISTRATION_NAME = EP_NAME

_LOCK = threading.Lock()
_REGISTERED = False


def library_path() -> str:
    """Path of the plugin EP shared library built with the package."""
    here = Path(__file__).resolve().parent
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        candidate = here / f"_webnn_ep{suffix}"
        if candidate.exists():
            return str(candidate)
    raise RuntimeError(f"{EP_NAME}: the plugin library _webnn_ep*.so was not built in {here}; "
                       "reinstall the package (pip install .) with a C compiler available")


def register() -> None:
    """Register the WebNN EP with ONNX Runtime (once per process; later calls do nothing)."""
    global _REGISTERED
    import onnxruntime as ort

    from . import _factory

    with _LOCK:
        if _REGISTERED:
            return
        path = library_path()
        _factory.install(path)
        ort.register_execution_provider_library(REGISTRATION_NAME, path)
        _REGISTERED = True


def unregister() -> None:
    """Unregister the library (sessions using the EP must be gone)."""
    global _REGISTERED
    import onnxruntime as ort

    with _LOCK:
        if _REGISTERED:
            ort.unregister_execution_provider_library(REGISTRATION_NAME)
            _REGISTERED = False


def is_registered() -> bool:
    return _REGISTERED


def partition_report(model: str | os.PathLike | onnx.ModelProto, **options: Any
                     ) -> PartitionReport:
    """Which nodes of ``model`` the EP would take, without running anything.

    ``options`` are the provider options. Returns a :class:`PartitionReport`:
    ``.partitions`` (node indices per fused partition), ``.nodes`` (every node's verdict),
    ``.fallback`` (nodes left to ONNX Runtime with ``reason`` and ``kind``), ``.as_dict()``.
    """
    context = create_context(options)
    if isinstance(model, os.PathLike):
        model = os.fspath(model)
    graph = from_onnx_model(model)
    return analyze(context, graph, graph_predecessors(graph))
