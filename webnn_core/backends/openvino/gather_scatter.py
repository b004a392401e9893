"""OpenVINO emitters: gather, gatherElements, gatherND, scatterElements, scatterND, where
(webnn-spec §api-mlgraphbuilder-gather ... -where).

OpenVINO's behaviour on out-of-bounds indices differs from the spec's clamping, so every
emitter first converts indices to int64, clamps them to [-N, N - 1] and maps negative
ones to ``index + N`` (the spec's clamping note). (int64 index values beyond the int32
range never get here: the driver rejects them, as the CPU plugin computes int64 in 32 bits.)
"""

from __future__ import annotations

from collections.abc import Sequence

import openvino as ov
import openvino.opset16 as ops

from ...graph import Node
from ._registry import registry
from .shape import i64


def normalize_indices(indices: ov.Output, sizes: int | Sequence[int]) -> ov.Output:
    """Indices as int64 clamped to [-N, N - 1], negative ones mapped to ``index + N``;
    ``sizes`` is N, or one N per coordinate (broadcast along the last dimension)."""
    idx = indices
    if idx.get_element_type() != ov.Type.i64:
        idx = ops.convert(idx, ov.Type.i64).output(0)
    n = i64(sizes)
    idx = ops.minimum(ops.maximum(idx, ops.negative(n)), ops.subtract(n, i64(1)))
    negative = ops.less(idx, i64(0))
    return ops.select(negative, ops.add(idx, n), idx).output(0)


def _shape(x: ov.Output) -> tuple[int, ...]:
    return tuple(x.get_partial_shape().to_shape())


@registry.register("gather")
def gather(node: Node, x: ov.Output, indices: ov.Output) -> ov.Output:
    axis = node.attrs["axis"]
    idx = normalize_indices(indices, _shape(x)[axis])
    return ops.gather(x, idx, i64(axis)).output(0)


@registry.register("gather_elements")
def gather_elements(node: Node, x: ov.Output, indices: ov.Output) -> ov.Output:
    axis = node.attrs["axis"]
    idx = normalize_indices(indices, _shape(x)[axis])
    return ops.gather_elements(x, idx, axis).output(0)


@registry.register("gather_nd")
def gather_nd(node: Node, x: ov.Output, indices: ov.Output) -> ov.Output:
    k = _shape(indices)[-1]
    idx = normalize_indices(indices, list(_shape(x)[:k]))
    return ops.gather_nd(x, idx, batch_dims=0).output(0)


@registry.register("scatter_elements")
def scatter_elements(node: Node, x: ov.Output, indices: ov.Output,
                     updates: ov.Output) -> ov.Output:
    axis = node.attrs["axis"]
    idx = normalize_indices(indices, _shape(x)[axis])
    return ops.scatter_elements_update(x, idx, updates, i64(axis), reduction="none").output(0)


@registry.register("scatter_nd")
def scatter_nd(node: Node, x: ov.Output, indices: ov.Output, updates: ov.Output) -> ov.Output:
    k = _shape(indices)[-1]
    idx = normalize_indices(indices, list(_shape(x)[:k]))
    return ops.scatter_nd_update(x, idx, updates).output(0)


@registry.register("where")
def where(node: Node, condition: ov.Output, true_value: ov.Output,
          false_value: ov.Output) -> ov.Output:
    """``select`` with the uint8 condition converted to boolean (non-zero is true)."""
    cond = ops.convert(condition, ov.Type.boolean)
    return ops.select(cond, true_value, false_value).output(0)
