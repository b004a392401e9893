"""ONNX ops that generate a tensor rather than transform their input's values: Constant,
ConstantOfShape, Range (constant scalars) and EyeLike. Their values are known when the graph
is built, so each becomes a WebNN constant (WebNN §api-mlgraphbuilder-constant), expanded
where a constant of the full shape would be wasteful (ConstantOfShape).
"""

from __future__ import annotations

import math

import numpy as np

import webnn_core as webnn

from ..translator import NodeView, translator
from .shape import check_static_shape, const_ints, onnx_constant


@translator("Constant")
def constant(n: NodeView) -> list:
    """Constant-1/9 ``value``; Constant-12+ also ``value_float(s)``, ``value_int(s)``;
    string and sparse values have no WebNN equivalent."""
    attrs = n.node.attributes
    if "value" in attrs:
        value = np.asarray(attrs["value"])
    elif "value_float" in attrs:
        value = np.array(attrs["value_float"], np.float32)
    elif "value_floats" in attrs:
        value = np.array(attrs["value_floats"], np.float32)
    elif "value_int" in attrs:
        value = np.array(attrs["value_int"], np.int64)
    elif "value_ints" in attrs:
        value = np.array(attrs["value_ints"], np.int64)
    else:
        raise n.unsupported(f"value attribute {sorted(attrs)} has no WebNN equivalent")
    return [onnx_constant(n, value)]


@translator("ConstantOfShape", since=9)
def constant_of_shape(n: NodeView) -> list:
    """A tensor of shape ``input`` (constant) filled with ``value`` (a one-element tensor,
    default float32 0)."""
    shape = check_static_shape(n, const_ints(n, 0, "shape"))
    value = n.attr("value")
    value = np.zeros((), np.float32) if value is None else np.asarray(value).reshape(())
    return [n.b.expand(onnx_constant(n, value), shape)]


@translator("Range", since=11)
def range_op(n: NodeView) -> list:
    """``start, start + delta, ...`` below ``limit`` (all three constant scalars), folded
    to a constant. The count is ``max(ceil((limit - start) / delta), 0)``; like ONNX
    Runtime, the values are accumulated (``value += delta``) in the element type."""
    start, limit, delta = (np.asarray(n.require_const(i, name)).reshape(())
                           for i, name in enumerate(("start", "limit", "delta")))
    dtype = start.dtype
    count = max(math.ceil(float(limit - start) / float(delta)), 0)
    if count == 0:
        raise n.unsupported("the range is empty", "shape")
    steps = np.full(count, delta, dtype)
    steps[0] = start
    return [onnx_constant(n, np.cumsum(steps, dtype=dtype))]


_ONNX_TO_NUMPY = {1: np.float32, 10: np.float16, 6: np.int32, 7: np.int64, 12: np.uint32,
                  13: np.uint64, 3: np.int8, 2: np.uint8, 9: np.uint8}


@translator("EyeLike", since=9)
def eye_like(n: NodeView) -> list:
    """ONNX EyeLike (9; 22 adds bfloat16): a constant 2-D matrix of the input's shape with
    ones on diagonal ``k``, of type ``dtype`` (default: the input's; bool is uint8 0/1)."""
    x = n.input(0)
    if x.rank != 2:
        raise n.unsupported(f"input of rank {x.rank} (2-D only)", "shape")
    dtype = n.attr("dtype")
    if dtype is None:
        np_type = webnn.MLOperandDescriptor(x.data_type, ()).numpy_dtype
    elif int(dtype) in _ONNX_TO_NUMPY:
        np_type = _ONNX_TO_NUMPY[int(dtype)]
    else:
        raise n.unsupported(f"dtype {dtype} has no WebNN data type", "dtype")
    rows, cols = x.shape
    return [n.constant(np.eye(rows, cols, int(n.attr("k", 0)), dtype=np_type))]
