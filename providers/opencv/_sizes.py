"""The input sizes a WebNN state is built for.

A model with symbolic input dimensions is built for the sizes ``setInput`` (or
``setInputShape``) gives: the dimensions made concrete (:func:`specialize`), shape
computations folded again, partitioned, compiled and imported once per set of sizes
(:func:`shape_key` is the key of that cache). OpenCV 5, which never asks a Python layer for
its output shapes (see ._layout), also needs this for a static model given other sizes;
OpenCV 4 asks the layers (``getMemoryShapes``) instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import onnx

from ..onnx import GraphInfo
from ._errors import BadRank, MissingSizes
from ._importer import OPENCV_MAJOR


def is_dynamic(graph: GraphInfo) -> bool:
    """Whether a model input has symbolic dimensions (sizes then come from setInput)."""
    return any(graph.values[name].static_shape is None for name in graph.inputs)


def shape_key(graph: GraphInfo, blob_shape: Callable[[int, str], tuple[int, ...] | None],
              input_shapes: Mapping[str, tuple[int, ...]]) -> tuple | None:
    """The input sizes set so far (``blob_shape(k, name)``: the shape of the blob setInput
    gave model input ``k``, or None; else ``input_shapes``: setInputShape's) of a model
    with symbolic input dimensions, or (OpenCV 5) sizes other than a static model
    declares; else None (the model as declared). Raises :class:`MissingSizes` when a
    symbolic input has no size yet."""
    dynamic = is_dynamic(graph)
    if not dynamic and OPENCV_MAJOR < 5:
        return None  # OpenCV 4 asks the layers (getMemoryShapes) for other sizes
    shapes = []
    for k, name in enumerate(graph.inputs):
        blob = blob_shape(k, name)
        declared_static = graph.values[name].static_shape
        if blob is not None:
            shape = tuple(int(d) for d in blob)
        elif name in input_shapes:
            shape = input_shapes[name]
        elif declared_static is not None:
            shape = declared_static
        else:
            raise MissingSizes(
                f"input {name!r} has symbolic dimensions "
                f"{dims(graph.values[name].shape)}: set it (setInput or setInputShape) "
                "before forward; the WebNN partitions are built for the sizes given")
        declared = graph.values[name].shape
        if declared is not None and len(declared) != len(shape):
            raise BadRank(f"input {name!r} has shape {list(shape)}; the model "
                          f"declares {dims(declared)}")
        shapes.append(shape)
    if not dynamic and all(s == graph.values[n].static_shape
                           for n, s in zip(graph.inputs, shapes, strict=True)):
        return None
    return tuple(shapes)


def dims(shape: Sequence[Any] | None) -> str:
    """A declared shape for messages ("?" for an unnamed symbolic dimension)."""
    return "unknown" if shape is None else "[" + ", ".join(
        str(d) if isinstance(d, int) and d > 0 else (d if isinstance(d, str) and d else "?")
        for d in shape) + "]"


def specialize(model: onnx.ModelProto, shapes: dict[str, tuple[int, ...]]) -> onnx.ModelProto:
    """``model`` with these concrete input sizes (symbolic dimensions made fixed)."""
    result = onnx.ModelProto()
    result.CopyFrom(model)
    for vi in result.graph.input:
        if vi.name in shapes:
            dims_ = vi.type.tensor_type.shape.dim
            del dims_[:]
            for d in shapes[vi.name]:
                dims_.add().dim_value = int(d)
    # intermediate shapes recorded with symbolic dimensions are inferred again; static
    # ones stay (shape inference may not reach every value)
    static = [vi for vi in result.graph.value_info if vi.type.tensor_type.HasField("shape")
              and all(d.HasField("dim_value") and d.dim_value > 0
                      for d in vi.type.tensor_type.shape.dim)]
    del result.graph.value_info[:]
    result.graph.value_info.extend(static)
    return result
