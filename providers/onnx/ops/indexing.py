"""ONNX indexing ops: Gather, GatherElements, GatherND, ScatterElements (and the deprecated
Scatter), ScatterND, ArgMax/ArgMin, CumSum, TopK (k = 1) and OneHot.

Index semantics: ONNX indices lie in [-N, N) with negative ones counting from the end
(anything else is an error at run time); WebNN's gather/scatter ops take the same range
with the same meaning (out-of-range indices are clamped instead of failing), so valid ONNX
indices map one to one. int64 indices are WebNN int64 operands.
"""

from __future__ import annotations

import numpy as np

from ..translator import NodeView, translator
from .shape import const_ints, norm_axis, reshape


def _check_const_indices(n: NodeView, i: int, size: int) -> None:
    """Constant indices must lie in [-size, size): ONNX calls any other index an error,
    while WebNN would clamp it (WebNN §api-mlgraphbuilder-gather), so a model with one is
    left to the host, which reports the error."""
    indices = n.const(i)
    if indices is not None and indices.size and (
            indices.min() < -size or indices.max() >= size):
        raise n.unsupported(f"constant indices out of range [-{size}, {size})", "shape")


@translator("Gather")
def gather(n: NodeView) -> list:
    """Gather-1/11/13: slices of ``data`` along ``axis`` (negative since 11) at
    ``indices``; output shape ``data.shape[:axis] + indices.shape + data.shape[axis+1:]``."""
    x = n.input(0)
    axis = norm_axis(n, n.attr("axis", 0), len(x.shape))
    _check_const_indices(n, 1, x.shape[axis])
    return [n.b.gather(x, n.input(1), axis=axis)]


@translator("GatherElements", since=11)
def gather_elements(n: NodeView) -> list:
    """GatherElements-11/13: ``out[i][j][k] = data[indices[i][j][k]][j][k]`` (axis 0)."""
    x = n.input(0)
    axis = norm_axis(n, n.attr("axis", 0), len(x.shape))
    return [n.b.gather_elements(x, n.input(1), axis=axis)]


@translator("GatherND", since=11)
def gather_nd(n: NodeView) -> list:
    """GatherND-11/12/13 with ``batch_dims`` = 0 (GatherND-12's batch dimensions have no
    WebNN equivalent)."""
    if n.attr("batch_dims", 0) != 0:
        raise n.unsupported(f"batch_dims={n.attr('batch_dims')} (only 0 is supported)")
    return [n.b.gather_nd(n.input(0), n.input(1))]


def _no_reduction(n: NodeView) -> None:
    reduction = n.attr("reduction", "none")
    if reduction != "none":
        raise n.unsupported(f"reduction={reduction!r} (WebNN scatters only overwrite)")


@translator("Scatter", since=9, until=10)
@translator("ScatterElements", since=11)
def scatter_elements(n: NodeView) -> list:
    """ScatterElements-11/13/16/18 (and Scatter-9, its deprecated name): a copy of
    ``data`` with ``updates`` written along ``axis`` at ``indices``. Only ``reduction`` =
    "none" (ScatterElements-16+ adds add/mul, 18 max/min)."""
    _no_reduction(n)
    x = n.input(0)
    axis = norm_axis(n, n.attr("axis", 0), len(x.shape))
    return [n.b.scatter_elements(x, n.input(1), n.input(2), axis=axis)]


@translator("ScatterND", since=11)
def scatter_nd(n: NodeView) -> list:
    """ScatterND-11/13/16/18 with ``reduction`` = "none": a copy of ``data`` with the
    slices of ``updates`` written at the coordinates in the last dimension of ``indices``."""
    _no_reduction(n)
    return [n.b.scatter_nd(n.input(0), n.input(1), n.input(2))]


@translator("ArgMax", "ArgMin")
def arg_min_max(n: NodeView) -> list:
    """ArgMax/ArgMin-1/11/12/13: int64 index of the first extremum along ``axis``
    (negative since 11), ``keepdims`` default 1. ArgMax-12's ``select_last_index`` = 1 is
    the first extremum of the input reversed along ``axis``, counted from the end."""
    x = n.input(0)
    axis = norm_axis(n, n.attr("axis", 0), len(x.shape))
    keep = bool(n.attr("keepdims", 1))
    method = n.b.arg_max if n.node.op_type == "ArgMax" else n.b.arg_min
    if not n.attr("select_last_index", 0):
        return [method(x, axis, keep_dimensions=keep, output_data_type="int64")]
    first = method(n.b.reverse(x, axes=[axis]), axis, keep_dimensions=keep,
                   output_data_type="int64")
    return [n.b.sub(n.b.constant("int64", x.shape[axis] - 1), first)]


@translator("CumSum", since=11)
def cumsum(n: NodeView) -> list:
    """CumSum-11/14: running sum along ``axis`` (a constant scalar input, may be
    negative); ``exclusive`` starts from 0, ``reverse`` sums from the end."""
    x = n.input(0)
    axis = norm_axis(n, const_ints(n, 1, "axis")[0], len(x.shape))
    return [n.b.cumulative_sum(x, axis, exclusive=bool(n.attr("exclusive", 0)),
                               reversed=bool(n.attr("reverse", 0)))]


@translator("TopK")
def topk(n: NodeView) -> list:
    """TopK-1 (``k`` attribute), TopK-10 (``K`` input), TopK-11 (``largest``, ``sorted``,
    negative ``axis``). WebNN has no top-k: only k = 1 is translated, as the first
    arg_max (arg_min when largest = 0) and the element gathered there; ONNX breaks ties by
    the lower index, like WebNN's argMax/argMin."""
    x = n.input(0)
    k = int(n.attr("k", 1)) if n.version < 10 else const_ints(n, 1, "K")[0]
    if k != 1:
        raise n.unsupported(f"k={k} (WebNN has no top-k; only k=1 is translated)")
    axis = norm_axis(n, n.attr("axis", -1), len(x.shape))
    method = n.b.arg_max if n.attr("largest", 1) else n.b.arg_min
    indices = method(x, axis, keep_dimensions=True, output_data_type="int64")
    return [n.b.gather_elements(x, indices, axis=axis), indices]


@translator("OneHot", since=11)
def one_hot(n: NodeView) -> list:
    """OneHot-11: ``values[1]`` where ``indices`` (negative ones count from ``depth``)
    equals the position along the new ``axis``, ``values[0]`` elsewhere; indices outside
    [-depth, depth) give all off values. ``depth`` must be a constant. Float indices (cast
    by ONNX) are refused."""
    indices = n.input(0)
    if indices.data_type not in ("int32", "int64"):
        raise n.unsupported(f"indices of type {indices.data_type} (int32/int64 only)", "dtype")
    depth = int(np.asarray(n.require_const(1, "depth")).reshape(-1)[0])
    if depth <= 0:
        raise n.unsupported(f"depth {depth} makes an empty tensor", "shape")
    rank = len(indices.shape) + 1
    axis = norm_axis(n, n.attr("axis", -1), rank)
    dtype, shape = indices.data_type, list(indices.shape)
    negative = n.b.lesser(indices, n.b.constant(dtype, 0))
    indices = n.b.where(negative, n.b.add(indices, n.b.constant(dtype, depth)), indices)
    positions = n.constant(np.arange(depth).reshape(
        [depth if d == axis else 1 for d in range(rank)]), dtype)
    hot = n.b.equal(reshape(n, indices, shape[:axis] + [1] + shape[axis:]), positions)
    values = n.input(2)
    off, on = (reshape(n, v, []) for v in n.b.split(reshape(n, values, [2]), 2))
    return [n.b.where(hot, on, off)]
