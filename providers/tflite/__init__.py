"""WebNN as a TFLite delegate, for ``ai_edge_litert`` and ``tflite_runtime`` interpreters.

>>> from ai_edge_litert.interpreter import Interpreter
>>> from webnn_providers.tflite import WebNNDelegate
>>> delegate = WebNNDelegate(backend="openvino", device="CPU")
>>> it = Interpreter(model_path="model.tflite", experimental_delegates=[delegate])
>>> it.allocate_tensors(); it.set_tensor(...); it.invoke(); it.get_tensor(...)
>>> print(delegate.partition_report())

The delegate takes the nodes WebNN can run (one WebNN graph per partition, built and
compiled once) and leaves every other node to the interpreter. It is pure Python: the
interpreters accept any object with ``_get_native_delegate_pointer()``.

``supported_ops()`` lists the builtin ops with a translator. Shape computations (SHAPE and
small integer ops on constants, e.g. the SHAPE -> STRIDED_SLICE -> PACK chain of a computed
RESHAPE) are folded into constants when the delegate reads the graph; SPACE_TO_BATCH_ND and
BATCH_TO_SPACE_ND are pad/reshape/transpose/slice; a hybrid CONV_2D (float input, int8
weights) is the float convolution of the dequantized weights, within TFLite's own on-the-fly
input quantization error of its result.
"""

from __future__ import annotations

import os

from ..runtime import OPTIONS, ProviderOptionError
from ._delegate import NAME, DelegateOptionError, WebNNDelegate
from .translator import supported_ops

__all__ = ["NAME", "OPTIONS", "DelegateOptionError", "ProviderOptionError", "WebNNDelegate",
           "load_delegate", "supported_ops"]


def load_delegate(options: dict[str, str] | str | os.PathLike | None = None,
                  library_options: dict[str, str] | None = None) -> WebNNDelegate:
    """A :class:`WebNNDelegate` from string options: ``load_delegate({"backend": "openvino"})``.

    Code written against ``tflite.load_delegate(library, options)`` may keep that form:
    a first argument that is not a dict names a library and is ignored (there is none).
    """
    if options is not None and not isinstance(options, dict):
        options = library_options
    return WebNNDelegate(**dict(options or {}))
