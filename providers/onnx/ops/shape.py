"""ONNX data-movement and shape ops: Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat,
Split, Slice, Pad, Expand, Tile, Shape, Size, Trilu (Constant, ConstantOfShape, Range and
EyeLike are in generation.py).

WebNN only knows static shapes, so every shape-like input (Reshape's shape, Slice's
starts/ends, Pad's pads, Split's split ...) must be a constant initializer; a computed one
is refused with kind "dynamic shape". Shape/Size of a (statically shaped) operand fold to
WebNN constants. WebNN has no empty tensors, so anything producing a zero-sized dimension is
refused with kind "shape". The helpers at the top are shared by the other families.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

import webnn_core as webnn

from ..translator import NodeView, translator

Operand = webnn.MLOperand


# -- helpers shared by the ops modules of this family ------------------------------------
def norm_axis(n: NodeView, axis: int, rank: int, what: str = "axis") -> int:
    """``axis`` in [-rank, rank) as a non-negative axis (Unsupported when out of range)."""
    axis = int(axis)
    if not -rank <= axis < rank:
        raise n.unsupported(f"{what} {axis} is out of range for rank {rank}")
    return axis + rank if axis < 0 else axis


def norm_axes(n: NodeView, axes: Sequence[int], rank: int, what: str = "axes") -> list[int]:
    """Every axis of ``axes`` made non-negative; duplicates are refused."""
    result = [norm_axis(n, a, rank, what) for a in axes]
    if len(set(result)) != len(result):
        raise n.unsupported(f"{what} {list(axes)} contain duplicates")
    return result


def const_ints(n: NodeView, i: int, what: str) -> list[int]:
    """Constant input ``i`` as a list of Python ints."""
    return [int(v) for v in np.asarray(n.require_const(i, what)).reshape(-1)]


def axes_attr_or_input(n: NodeView, input_since: int, i: int = 1) -> list[int] | None:
    """``axes``: the attribute before opset ``input_since``, else the optional constant
    input ``i`` (None when absent)."""
    if n.version < input_since:
        axes = n.attr("axes")
        return None if axes is None else [int(a) for a in axes]
    if not n.has_input(i):
        return None
    return const_ints(n, i, "axes")


def check_static_shape(n: NodeView, shape: Sequence[int]) -> tuple[int, ...]:
    """A WebNN shape: zero-sized dimensions (empty tensors) are refused."""
    shape = tuple(int(d) for d in shape)
    if any(d <= 0 for d in shape):
        raise n.unsupported(f"output shape {list(shape)} is empty (WebNN has no empty "
                            "tensors)", "shape")
    return shape


def reshape(n: NodeView, x: Operand, shape: Sequence[int]) -> Operand:
    return n.b.reshape(x, check_static_shape(n, shape))


def onnx_constant(n: NodeView, value: np.ndarray) -> Operand:
    """A WebNN constant for an ONNX tensor value (bool as uint8; no empty tensors)."""
    value = np.asarray(value)
    if value.dtype == np.bool_:
        value = value.astype(np.uint8)
    if value.dtype not in (np.float32, np.float16, np.int32, np.uint32, np.int64, np.uint64,
                           np.int8, np.uint8):
        raise n.unsupported(f"element type {value.dtype} has no WebNN data type", "dtype")
    check_static_shape(n, value.shape)
    return n.b.constant(np.require(value, requirements="C"))


# -- Reshape / Flatten / Squeeze / Unsqueeze ----------------------------------------------
@translator("Reshape")
def reshape_op(n: NodeView) -> list:
    """Reshape-1 takes ``shape`` as an attribute, Reshape-5+ as an input. A 0 copies the
    input's dimension (unless ``allowzero`` = 1, Reshape-14+, where it is a real 0: an empty
    tensor); a -1 is inferred from the element count."""
    x = n.input(0)
    target = [int(d) for d in n.attr("shape", [])] if n.version < 5 else \
        const_ints(n, 1, "shape")
    if n.attr("allowzero", 0) and 0 in target:
        raise n.unsupported("allowzero=1 with a 0 in shape makes an empty tensor", "shape")
    shape = [x.shape[i] if d == 0 else d for i, d in enumerate(target)]
    if shape.count(-1) > 1:
        raise n.unsupported(f"shape {target} has more than one -1")
    if -1 in shape:
        known = math.prod(d for d in shape if d != -1)
        if known == 0 or math.prod(x.shape) % known:
            raise n.unsupported(f"shape {target} does not fit input shape {list(x.shape)}",
                                "shape")
        shape[shape.index(-1)] = math.prod(x.shape) // known
    return [reshape(n, x, shape)]


@translator("Flatten")
def flatten(n: NodeView) -> list:
    """Flatten to 2-D ``[prod(shape[:axis]), prod(shape[axis:])]``; ``axis`` in [0, rank]
    (negative since Flatten-11)."""
    x = n.input(0)
    rank = len(x.shape)
    axis = int(n.attr("axis", 1))
    if not -rank <= axis <= rank:
        raise n.unsupported(f"axis {axis} is out of range for rank {rank}")
    axis = axis + rank if axis < 0 else axis
    return [reshape(n, x, [math.prod(x.shape[:axis]), math.prod(x.shape[axis:])])]


@translator("Squeeze")
def squeeze(n: NodeView) -> list:
    """Remove size-1 dimensions ``axes`` (all of them when absent); ``axes`` is an
    attribute before Squeeze-13 and an optional input since."""
    x = n.input(0)
    axes = axes_attr_or_input(n, 13)
    if axes is None:
        keep = [d for d in x.shape if d != 1]
    else:
        axes = norm_axes(n, axes, len(x.shape))
        if any(x.shape[a] != 1 for a in axes):
            raise n.unsupported(f"axes {axes} of shape {list(x.shape)} are not all 1", "shape")
        keep = [d for i, d in enumerate(x.shape) if i not in axes]
    return [reshape(n, x, keep)]


@translator("Unsqueeze")
def unsqueeze(n: NodeView) -> list:
    """Insert size-1 dimensions at ``axes`` (positions in the output); ``axes`` is an
    attribute before Unsqueeze-13 and an input since."""
    x = n.input(0)
    axes = axes_attr_or_input(n, 13)
    if axes is None:
        raise n.unsupported("axes are required")
    rank = len(x.shape) + len(axes)
    axes = norm_axes(n, axes, rank)
    dims = iter(x.shape)
    return [reshape(n, x, [1 if i in axes else next(dims) for i in range(rank)])]


# -- Transpose / Concat / Split -----------------------------------------------------------
@translator("Transpose")
def transpose(n: NodeView) -> list:
    """Permute by ``perm`` (default: reverse the dimensions)."""
    perm = n.attr("perm")
    if perm is not None:
        perm = [int(p) for p in perm]
    return [n.b.transpose(n.input(0), permutation=perm)]


@translator("Concat")
def concat(n: NodeView) -> list:
    """Concatenate along ``axis`` (Concat-1 defaults it to 1; negative since Concat-11)."""
    inputs = [n.input(i) for i in range(n.num_inputs) if n.has_input(i)]
    axis = n.attr("axis", 1 if n.version < 4 else None)
    if axis is None:
        raise n.unsupported("axis is required")
    return [n.b.concat(inputs, norm_axis(n, axis, len(inputs[0].shape)))]


@translator("Split")
def split(n: NodeView) -> list:
    """Split along ``axis`` by ``split`` sizes (an attribute or optional input before
    Split-13, an input since) or into equal parts; Split-18's ``num_outputs`` lets the last
    part be smaller (parts of ``ceil(size / num_outputs)``)."""
    x = n.input(0)
    axis = norm_axis(n, n.attr("axis", 0), len(x.shape))
    size = x.shape[axis]
    count = len(n.node.outputs)
    if n.version < 13 and n.attr("split") is not None:
        sizes = [int(s) for s in n.attr("split")]
    elif (n.version < 2 or n.version >= 13) and n.has_input(1):
        sizes = const_ints(n, 1, "split")
    elif size % count == 0:
        sizes = [size // count] * count
    elif n.version >= 18:
        chunk = -(-size // count)
        sizes = [chunk] * (count - 1) + [size - chunk * (count - 1)]
    else:
        raise n.unsupported(f"size {size} along axis {axis} does not split evenly into "
                            f"{count} outputs", "shape")
    if len(sizes) != count or sum(sizes) != size:
        raise n.unsupported(f"split {sizes} does not fit {count} outputs of size {size}",
                            "shape")
    if any(s <= 0 for s in sizes):
        raise n.unsupported(f"split {sizes} has an empty output", "shape")
    return n.b.split(x, sizes, axis=axis)


# -- Slice ----------------------------------------------------------------------------------
def slice_operand(n: NodeView, x: Operand, starts: Sequence[int], ends: Sequence[int],
                  axes: Sequence[int], steps: Sequence[int]) -> Operand:
    """ONNX slicing (numpy semantics: negative starts/ends count from the end, then clamp;
    a negative step walks backwards) as WebNN reverse + slice with positive strides."""
    rank = len(x.shape)
    axes = norm_axes(n, axes, rank)
    begin, sizes, strides = [0] * rank, list(x.shape), [1] * rank
    flip = []
    for axis, start, end, step in zip(axes, starts, ends, steps, strict=True):
        if step == 0:
            raise n.unsupported("steps must not be 0")
        dim = x.shape[axis]
        picked = range(*slice(start, end, step).indices(dim))
        if len(picked) == 0:
            raise n.unsupported(f"the slice of axis {axis} is empty", "shape")
        first = picked.start
        if step < 0:
            flip.append(axis)
            first = dim - 1 - first
        begin[axis], strides[axis] = first, abs(step)
        sizes[axis] = (len(picked) - 1) * abs(step) + 1
    if flip:
        x = n.b.reverse(x, axes=flip)
    return n.b.slice(x, begin, sizes, strides=strides)


@translator("Slice")
def slice_op(n: NodeView) -> list:
    """Slice-1 takes ``starts``/``ends``/``axes`` as attributes; Slice-10+ takes starts,
    ends, axes and steps as (constant) inputs; negative axes since Slice-11."""
    x = n.input(0)
    if n.version < 10:
        starts = [int(v) for v in n.attr("starts", [])]
        ends = [int(v) for v in n.attr("ends", [])]
        axes = n.attr("axes")
        steps = None
    else:
        starts = const_ints(n, 1, "starts")
        ends = const_ints(n, 2, "ends")
        axes = const_ints(n, 3, "axes") if n.has_input(3) else None
        steps = const_ints(n, 4, "steps") if n.has_input(4) else None
    axes = list(range(len(starts))) if axes is None else [int(a) for a in axes]
    steps = [1] * len(starts) if steps is None else steps
    if not len(starts) == len(ends) == len(axes) == len(steps):
        raise n.unsupported("starts, ends, axes and steps must have the same length")
    return [slice_operand(n, x, starts, ends, axes, steps)]


# -- Pad / Expand / Tile --------------------------------------------------------------------
_PAD_MODES = {"constant": "constant", "edge": "edge", "reflect": "reflection"}


@translator("Pad")
def pad(n: NodeView) -> list:
    """Pad-1 (``paddings``) and Pad-2 (``pads``) take attributes and a float ``value``;
    Pad-11+ takes ``pads`` and an optional scalar ``constant_value`` as inputs, Pad-18+ an
    optional ``axes`` input. ``pads`` is ``[begin of each axis..., end of each axis...]``.
    Modes constant/edge/reflect; Pad-19's wrap has no WebNN equivalent. Negative pads crop
    (done as a slice after padding, for constant mode only)."""
    x = n.input(0)
    rank = len(x.shape)
    mode = n.attr("mode", "constant")
    if mode not in _PAD_MODES:
        raise n.unsupported(f"mode {mode!r} has no WebNN equivalent")
    if n.version < 11:
        pads = [int(p) for p in n.attr("paddings" if n.version < 2 else "pads", [])]
        value: float | int = float(n.attr("value", 0.0))
        axes = list(range(rank))
    else:
        pads = const_ints(n, 1, "pads")
        value = 0
        if n.has_input(2):
            scalar = np.asarray(n.require_const(2, "constant_value")).reshape(-1)
            value = scalar[0].item() if scalar.size else 0
        axes = const_ints(n, 3, "axes") if n.version >= 18 and n.has_input(3) else \
            list(range(rank))
    axes = norm_axes(n, axes, rank)
    if len(pads) != 2 * len(axes):
        raise n.unsupported(f"pads {pads} must have 2 values per axis ({len(axes)} axes)")
    begin, end = [0] * rank, [0] * rank
    for i, axis in enumerate(axes):
        begin[axis], end[axis] = pads[i], pads[i + len(axes)]
    if any(p < 0 for p in begin + end) and mode != "constant":
        raise n.unsupported(f"negative pads {pads} are only supported in constant mode")
    y = n.b.pad(x, [max(p, 0) for p in begin], [max(p, 0) for p in end],
                mode=_PAD_MODES[mode], value=value)
    if any(p < 0 for p in begin + end):
        padded = y.shape
        starts = [max(-p, 0) for p in begin]
        sizes = [padded[d] - starts[d] - max(-end[d], 0) for d in range(rank)]
        check_static_shape(n, sizes)
        y = n.b.slice(y, starts, sizes)
    return [y]


@translator("Expand", since=8)
def expand(n: NodeView) -> list:
    """Broadcast to ``shape`` (a constant input). ONNX's broadcast is bidirectional: the
    output shape is ``broadcast(input.shape, shape)``, which WebNN's expand then reaches
    unidirectionally."""
    x = n.input(0)
    target = const_ints(n, 1, "shape")
    try:
        shape = np.broadcast_shapes(tuple(x.shape), tuple(target))
    except ValueError:
        raise n.unsupported(f"shape {target} does not broadcast with input shape "
                            f"{list(x.shape)}", "shape") from None
    return [n.b.expand(x, check_static_shape(n, shape))]


@translator("Tile", since=6)
def tile(n: NodeView) -> list:
    """Repeat ``repeats[d]`` times along each dimension (Tile-6+; ``repeats`` constant)."""
    repeats = const_ints(n, 1, "repeats")
    if any(r <= 0 for r in repeats):
        raise n.unsupported(f"repeats {repeats} make an empty tensor", "shape")
    return [n.b.tile(n.input(0), repeats)]


# -- values known at build time -------------------------------------------------------------
@translator("Shape")
def shape_op(n: NodeView) -> list:
    """The input's (static) shape as an int64 constant; Shape-15's ``start``/``end`` slice
    it (negative values count from the end, then clamp, like numpy)."""
    dims = tuple(n.shape(0))[slice(int(n.attr("start", 0)), n.attr("end"))]
    return [onnx_constant(n, np.array(dims, np.int64))]


@translator("Size")
def size_op(n: NodeView) -> list:
    """The input's element count as an int64 scalar constant."""
    return [onnx_constant(n, np.array(math.prod(n.shape(0)), np.int64))]


# -- triangular masks ------------------------------------------------------------------------
@translator("Trilu", since=14)
def trilu(n: NodeView) -> list:
    """Keep the upper (``j - i >= k``) or lower (``j - i <= k``) triangle of the last two
    dimensions; ``k`` is an optional constant scalar input."""
    k = const_ints(n, 1, "k")[0] if n.has_input(1) else 0
    return [n.b.triangular(n.input(0), upper=bool(n.attr("upper", 1)), diagonal=k)]
