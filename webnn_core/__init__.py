"""WebNN (the W3C Web Neural Network API) in Python, on OpenVINO and a numpy reference.

>>> import webnn_core as webnn
>>> ctx = webnn.ml.create_context()                      # OpenVINO on CPU
>>> b = webnn.MLGraphBuilder(ctx)
>>> x = b.input("x", webnn.MLOperandDescriptor("float32", [2]))
>>> graph = b.build({"y": b.relu(x)})
>>> ctx.compute(graph, {"x": np.array([-1, 2], np.float32)})["y"]
"""

from .builder import MLGraphBuilder
from .context import ML, MLContext, ml
from .errors import (
    DataError,
    InvalidStateError,
    NotSupportedError,
    OperationError,
    OutOfMemoryError,
    UnknownError,
    ValidationError,
    WebNNError,
)
from .graph import MLGraph, MLOperand
from .tensor import MLTensor
from .types import DATA_TYPES, MLOperandDescriptor

__all__ = [
    "DATA_TYPES",
    "DataError",
    "InvalidStateError",
    "ML",
    "MLContext",
    "MLGraph",
    "MLGraphBuilder",
    "MLOperand",
    "MLOperandDescriptor",
    "MLTensor",
    "NotSupportedError",
    "OperationError",
    "OutOfMemoryError",
    "UnknownError",
    "ValidationError",
    "WebNNError",
    "ml",
]
