"""Data movement: SHAPE, RESHAPE, SQUEEZE, EXPAND_DIMS, CONCATENATION, SPLIT, SPLIT_V, PAD, PADV2,
MIRROR_PAD, STRIDED_SLICE, SLICE, GATHER, TRANSPOSE, DEPTH_TO_SPACE, SPACE_TO_DEPTH, PACK,
UNPACK, TILE, BROADCAST_TO (TFLite's kernels in tensorflow/lite/kernels/*.cc; WebNN
§api-mlgraphbuilder-reshape-method, -concat, -split, -slice, -pad, -gather, -transpose,
-tile, -expand, -reverse-method).

Quantized tensors: the integers move unchanged, exactly as TFLite's kernels move them. Those
kernels copy the stored values even when the output's parameters differ from the input's (or
reject the model in Prepare: PACK, UNPACK, MIRROR_PAD, EXPAND_DIMS, int8 CONCATENATION), so
requantizing would depart from TFLite. The one exception is CONCATENATION, whose kernel
requantizes inputs quantized differently from the output (ConcatenationWithScaling, uint8):
those are dequantized, joined as real values and quantized to the output's parameters
(within one step), as is a quantized concatenation with a fused activation.
Int32, int64 and bool (uint8 0/1) tensors move exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from ctypes import c_bool, c_int, c_int32

import numpy as np

import webnn_core as webnn

from ..translator import ACTIVATION, OpView, Params, translator

MIRROR_MODES = {0: "UNKNOWN", 1: "REFLECT", 2: "SYMMETRIC"}


# -- shared helpers ----------------------------------------------------------------------------
def _ints(v: OpView, i: int, what: str) -> list[int]:
    """Constant input ``i`` (any integer tensor) as a flat list of Python ints."""
    value = v.require_const(i, what)
    if value.dtype.kind not in "iu":
        raise v.unsupported(f"{what} (input {i}) must be an integer tensor", "dtype")
    return [int(x) for x in value.reshape(-1)]


def _axis(v: OpView, axis: int, rank: int, what: str = "axis") -> int:
    """``axis`` in [-rank, rank) as a non-negative axis."""
    if not -rank <= axis < rank:
        raise v.unsupported(f"{what} {axis} is out of range for rank {rank}")
    return axis % rank


def _sources(v: OpView, inputs: Sequence[int], o: int = 0, requantize: bool = False
             ) -> tuple[list[webnn.MLOperand], bool]:
    """The operands to move into output ``o``. TFLite's data movement kernels copy the
    stored values whatever the quantization parameters (their Prepare rejects the cases they
    do not allow), so stored values are used whenever the types match; only with
    ``requantize`` (CONCATENATION) are inputs with other parameters than the output
    dequantized (then ``True``: the result is quantized to the output's parameters)."""
    out = v.out_tensor(o)
    if all(v.same_quantization(i, o) for i in inputs) or (
            not requantize and all(v.tensor(i).type == out.type for i in inputs)):
        return [v.input(i) for i in inputs], False
    if not requantize or not (out.is_quantized or any(v.tensor(i).is_quantized
                                                      for i in inputs)):
        raise v.unsupported(f"inputs and output {out.describe()} differ in type", "dtype")
    return [v.float_input(i) for i in inputs], True


def _source(v: OpView, i: int = 0, o: int = 0) -> webnn.MLOperand:
    """Input ``i`` as stored (integers for quantized tensors), to move into output ``o``."""
    return _sources(v, [i], o)[0][0]


def _result(v: OpView, y: webnn.MLOperand, requantize: bool, o: int = 0) -> webnn.MLOperand:
    """Give the moved ``y`` output ``o``'s representation."""
    out = v.out_tensor(o)
    if requantize and out.is_quantized:
        return v.quantize(y, out)
    return y


def _reshape(v: OpView, x: webnn.MLOperand, shape: Sequence[int]) -> webnn.MLOperand:
    shape = [int(d) for d in shape]
    return x if list(x.shape) == shape else v.b.reshape(x, shape)


def _moved_reshape(v: OpView, shape: Sequence[int]) -> list[webnn.MLOperand]:
    """Input 0 reshaped to ``shape`` (RESHAPE, SQUEEZE, EXPAND_DIMS)."""
    x = _source(v)
    return [_reshape(v, x, shape)]


# -- SHAPE -------------------------------------------------------------------------------------
class ShapeParams(Params):
    _fields_ = [("out_type", c_int)]


@translator("SHAPE", params=ShapeParams)
def shape_(v: OpView) -> list:
    """TFLite shape.cc: the input's dims as an int32/int64 vector. Shapes are static once the
    delegate translates a graph, so the result is a constant (:meth:`OpView.fold`) later ops
    can read as one (a RESHAPE's new shape computed from it)."""
    out = v.out_tensor()
    if out.type_name not in ("INT32", "INT64"):
        raise v.unsupported(f"{out.type_name} output (int32 or int64 expected)", "dtype")
    return [v.fold(0, np.array(v.shape(0), dtype=out.numpy_dtype))]


# -- RESHAPE / SQUEEZE / EXPAND_DIMS -----------------------------------------------------------
class ReshapeParams(Params):
    _fields_ = [("shape", c_int32 * 8), ("num_dimensions", c_int)]


def _resolve_shape(v: OpView, shape: list[int], count: int) -> list[int]:
    """TFLite's reshape: at most one ``-1``, inferred from the element count."""
    unknown = [k for k, d in enumerate(shape) if d == -1]
    if len(unknown) > 1 or any(d < -1 for d in shape):
        raise v.unsupported(f"new shape {shape} may hold one -1 and no other negative size")
    if unknown:
        known = int(np.prod([d for d in shape if d != -1], dtype=np.int64))
        if known == 0 or count % known:
            raise v.unsupported(f"new shape {shape} does not fit {count} elements", "shape")
        shape[unknown[0]] = count // known
    return shape


@translator("RESHAPE", params=ReshapeParams)
def reshape(v: OpView) -> list:
    """TFLite reshape.cc: the shape comes from the 2nd input when it is an int32 vector,
    else from ``TfLiteReshapeParams`` (a legacy ``[0]`` means a scalar); one -1 is inferred."""
    shape_info = v.tensor(1) if v.has_input(1) else None
    if shape_info is not None and len(shape_info.shape) == 1:
        shape = _ints(v, 1, "new shape")
    else:
        count = v.option("num_dimensions", 0)
        shape = list(v.option("shape", [0] * 8))[:max(count, 0)]
        if count == 1 and shape[0] == 0:
            shape = []
        if count <= 0 and shape_info is not None:
            shape = _ints(v, 1, "new shape")
    count = int(np.prod(v.shape(0), dtype=np.int64))
    return _moved_reshape(v, _resolve_shape(v, shape, count))


class SqueezeParams(Params):
    _fields_ = [("squeeze_dims", c_int32 * 8), ("num_squeeze_dims", c_int)]


@translator("SQUEEZE", params=SqueezeParams)
def squeeze(v: OpView) -> list:
    """TFLite squeeze.cc: drop the listed size-1 dimensions (negative allowed), or every
    size-1 dimension when none is listed."""
    shape = list(v.shape(0))
    count = v.option("num_squeeze_dims", 0)
    if count == 0:
        drop = {k for k, d in enumerate(shape) if d == 1}
    else:
        drop = {_axis(v, d, len(shape), "squeeze dim")
                for d in v.option("squeeze_dims")[:count]}
        if any(shape[k] != 1 for k in drop):
            raise v.unsupported(f"squeeze dims {sorted(drop)} must have size 1", "shape")
    return _moved_reshape(v, [d for k, d in enumerate(shape) if k not in drop])


@translator("EXPAND_DIMS")
def expand_dims(v: OpView) -> list:
    """TFLite expand_dims.cc: insert a size-1 dimension at the constant ``axis`` (input 1,
    one value in [-rank-1, rank])."""
    shape = list(v.shape(0))
    axes = _ints(v, 1, "axis")
    if len(axes) != 1:
        raise v.unsupported(f"axis must hold one value, got {axes}")
    shape.insert(_axis(v, axes[0], len(shape) + 1), 1)
    return _moved_reshape(v, shape)


# -- CONCATENATION / PACK ----------------------------------------------------------------------
class ConcatenationParams(Params):
    _fields_ = [("axis", c_int), ("activation", c_int)]
    _enums_ = {"activation": ACTIVATION}


@translator("CONCATENATION", params=ConcatenationParams)
def concatenation(v: OpView) -> list:
    """TFLite concatenation.cc: join along ``axis`` (negative allowed); uint8 inputs
    quantized differently from the output are requantized (ConcatenationWithScaling). The
    kernel accepts no fused activation (its Prepare requires NONE)."""
    inputs = list(range(v.num_inputs))
    rank = len(v.shape(0))
    axis = _axis(v, v.option("axis", 0), rank)
    if v.option("activation", "NONE") != "NONE":
        raise v.unsupported(f"fused activation {v.option('activation')} (TFLite's kernel "
                            "accepts only NONE)")
    xs, requantize = _sources(v, inputs, requantize=True)
    y = xs[0] if len(xs) == 1 else v.b.concat(xs, axis)
    return [_result(v, y, requantize)]


class PackParams(Params):
    _fields_ = [("values_count", c_int), ("axis", c_int)]


@translator("PACK", params=PackParams)
def pack(v: OpView) -> list:
    """TFLite pack.cc: stack the inputs along a new dimension ``axis`` (in [-rank-1, rank])."""
    inputs = list(range(v.num_inputs))
    shape = list(v.shape(0))
    axis = _axis(v, v.option("axis", 0), len(shape) + 1)
    expanded = shape[:axis] + [1] + shape[axis:]
    xs, requantize = _sources(v, inputs)
    xs = [_reshape(v, x, expanded) for x in xs]
    y = xs[0] if len(xs) == 1 else v.b.concat(xs, axis)
    return [y]


# -- SPLIT / SPLIT_V / UNPACK ------------------------------------------------------------------
class SplitParams(Params):
    _fields_ = [("num_splits", c_int)]


def _split_outputs(v: OpView, i: int, sizes: list[int], axis: int) -> list:
    """Input ``i`` split along ``axis`` into parts of ``sizes``, one per output."""
    if any(v.tensor(i).type != v.out_tensor(o).type for o in range(len(sizes))):
        raise v.unsupported("inputs and outputs differ in type", "dtype")
    x = v.input(i)
    return [x] if len(sizes) == 1 else v.b.split(x, sizes, axis=axis)


@translator("SPLIT", params=SplitParams)
def split(v: OpView) -> list:
    """TFLite split.cc: inputs (axis, input); ``num_splits`` equal parts."""
    axes = _ints(v, 0, "axis")
    shape = v.shape(1)
    if len(axes) != 1:
        raise v.unsupported(f"axis must hold one value, got {axes}")
    axis = _axis(v, axes[0], len(shape))
    count = v.option("num_splits", 0)
    if count <= 0 or shape[axis] % count:
        raise v.unsupported(f"{count} splits do not divide size {shape[axis]}", "shape")
    return _split_outputs(v, 1, [shape[axis] // count] * count, axis)


@translator("SPLIT_V", params=SplitParams)
def split_v(v: OpView) -> list:
    """TFLite split_v.cc: inputs (input, size_splits, axis); one size may be -1."""
    shape = v.shape(0)
    axes = _ints(v, 2, "axis")
    if len(axes) != 1:
        raise v.unsupported(f"axis must hold one value, got {axes}")
    axis = _axis(v, axes[0], len(shape))
    sizes = _ints(v, 1, "size_splits")
    unknown = [k for k, s in enumerate(sizes) if s == -1]
    if len(unknown) > 1 or any(s < -1 for s in sizes):
        raise v.unsupported(f"size_splits {sizes} may hold one -1 and no other negative size")
    if unknown:
        sizes[unknown[0]] = shape[axis] - sum(s for s in sizes if s != -1)
    if sum(sizes) != shape[axis] or any(s <= 0 for s in sizes):
        raise v.unsupported(f"size_splits {sizes} must be positive and sum to {shape[axis]}",
                            "shape")
    return _split_outputs(v, 0, sizes, axis)


class UnpackParams(Params):
    _fields_ = [("num", c_int), ("axis", c_int)]


@translator("UNPACK", params=UnpackParams)
def unpack(v: OpView) -> list:
    """TFLite unpack.cc: ``num`` slices along ``axis``, each without that dimension."""
    shape = list(v.shape(0))
    axis = _axis(v, v.option("axis", 0), len(shape))
    if v.option("num", 0) != shape[axis]:
        raise v.unsupported(f"num {v.option('num')} must equal size {shape[axis]}", "shape")
    squeezed = shape[:axis] + shape[axis + 1:]
    parts = _split_outputs(v, 0, [1] * shape[axis], axis)
    return [_reshape(v, part, squeezed) for part in parts]


# -- PAD / PADV2 / MIRROR_PAD ------------------------------------------------------------------
def _paddings(v: OpView, rank: int) -> tuple[list[int], list[int]]:
    """The constant ``[rank, 2]`` paddings tensor (input 1) as (beginning, ending)."""
    values = _ints(v, 1, "paddings")
    if len(values) != 2 * rank:
        raise v.unsupported(f"paddings must have shape [{rank}, 2]", "shape")
    if any(p < 0 for p in values):
        raise v.unsupported(f"negative paddings {values}")
    return values[0::2], values[1::2]


@translator("PAD", "PADV2")
def pad(v: OpView) -> list:
    """TFLite pad.cc: pad with zero (the output zero point when quantized) or, for PADV2,
    with the constant scalar input 2 (stored like the output)."""
    x = _source(v)
    begin, end = _paddings(v, x.rank)
    value: float | int = 0
    out = v.out_tensor()
    if v.op.op == "PADV2" and v.has_input(2):
        constant = v.require_const(2, "constant value")
        if constant.size != 1:
            raise v.unsupported("constant value must hold one element", "shape")
        value = constant.reshape(-1)[0].item()
        value = int(value) if isinstance(value, bool) else value
    elif out.is_quantized:
        value = int(out.quantization.zero_point[0])
    return [v.b.pad(x, begin, end, mode="constant", value=value)]


class MirrorPadParams(Params):
    _fields_ = [("mode", c_int)]
    _enums_ = {"mode": MIRROR_MODES}


def _symmetric_pad(v: OpView, x: webnn.MLOperand, begin: list[int],
                   end: list[int]) -> webnn.MLOperand:
    """SYMMETRIC mirror padding (edge included): per axis, concat the reversed leading and
    trailing slices around the input (WebNN's pad has no symmetric mode)."""
    for axis, (low, high) in enumerate(zip(begin, end, strict=True)):
        if low == 0 and high == 0:
            continue
        size = x.shape[axis]
        pieces = []
        if low:
            pieces.append(v.b.reverse(_axis_slice(v, x, axis, 0, low), axes=[axis]))
        pieces.append(x)
        if high:
            pieces.append(v.b.reverse(_axis_slice(v, x, axis, size - high, high), axes=[axis]))
        x = v.b.concat(pieces, axis)
    return x


def _axis_slice(v: OpView, x: webnn.MLOperand, axis: int, start: int,
                size: int) -> webnn.MLOperand:
    starts = [0] * x.rank
    sizes = list(x.shape)
    starts[axis], sizes[axis] = start, size
    return v.b.slice(x, starts, sizes)


@translator("MIRROR_PAD", params=MirrorPadParams)
def mirror_pad(v: OpView) -> list:
    """TFLite mirror_pad.cc: REFLECT (edge excluded, WebNN "reflection") or SYMMETRIC
    (edge included, emulated with slices, reverse and concat)."""
    x = _source(v)
    begin, end = _paddings(v, x.rank)
    mode = v.option("mode")
    if mode == "REFLECT":
        y = v.b.pad(x, begin, end, mode="reflection")
    elif mode == "SYMMETRIC":
        if any(p > d for p, d in zip(begin + end, list(x.shape) * 2, strict=True)):
            raise v.unsupported(f"symmetric paddings {begin}/{end} exceed the input shape "
                                f"{list(x.shape)}", "shape")
        y = _symmetric_pad(v, x, begin, end)
    else:
        raise v.unsupported(f"mirror pad mode {mode}")
    return [y]


# -- SLICE / STRIDED_SLICE ---------------------------------------------------------------------
def _strided(v: OpView, x: webnn.MLOperand, starts: list[int], stops: list[int],
             steps: list[int]) -> webnn.MLOperand:
    """``x[start:stop:step]`` per axis with Python's resolved (non-negative start, any
    stop) indices; negative steps read the reversed axis with a positive step."""
    reversed_axes = [k for k, s in enumerate(steps) if s < 0]
    if reversed_axes:
        x = v.b.reverse(x, axes=reversed_axes)
    begin, sizes, strides = [], [], []
    for k, (start, stop, step) in enumerate(zip(starts, stops, steps, strict=True)):
        count = len(range(start, stop, step))
        if count == 0:
            raise v.unsupported("the slice is empty", "shape")
        if step < 0:
            start, step = x.shape[k] - 1 - start, -step
        begin.append(start)
        sizes.append((count - 1) * step + 1)
        strides.append(step)
    if begin == [0] * x.rank and sizes == list(x.shape) and strides == [1] * x.rank:
        return x
    if all(s == 1 for s in strides):
        return v.b.slice(x, begin, sizes)
    return v.b.slice(x, begin, sizes, strides=strides)


@translator("SLICE")
def slice_(v: OpView) -> list:
    """TFLite slice.cc: ``size`` elements from ``begin`` per axis; size -1 runs to the end."""
    x = _source(v)
    shape = x.shape
    begin, size = _ints(v, 1, "begin"), _ints(v, 2, "size")
    if len(begin) != len(shape) or len(size) != len(shape):
        raise v.unsupported("begin and size must have one value per input dimension", "shape")
    stops = []
    for d, b, s in zip(shape, begin, size, strict=True):
        stop = d if s == -1 else b + s
        if b < 0 or s < -1 or stop > d:
            raise v.unsupported(f"slice begin {begin} size {size} is out of bounds "
                                f"for shape {list(shape)}", "shape")
        stops.append(stop)
    y = _strided(v, x, begin, stops, [1] * len(shape))
    return [y]


class StridedSliceParams(Params):
    _fields_ = [("begin_mask", c_int), ("end_mask", c_int), ("ellipsis_mask", c_int),
                ("new_axis_mask", c_int), ("shrink_axis_mask", c_int), ("offset", c_bool)]


def _dense_spec(v: OpView, rank: int, begin: list[int], end: list[int], strides: list[int]
                ) -> list[tuple[str, int | slice]]:
    """TFLite's (TensorFlow's) sparse slice spec expanded to one entry per output-producing
    item: ("new", 0), ("index", i) for a shrunk axis, ("slice", slice) per input axis."""
    o = v.options
    bit = lambda mask, k: bool(o.get(mask, 0) >> k & 1)  # noqa: E731
    count = len(begin)
    consumed = sum(1 for k in range(count) if not bit("ellipsis_mask", k)
                   and not bit("new_axis_mask", k))
    spec: list[tuple[str, int | slice]] = []
    ellipsis_seen = False
    for k in range(count):
        if bit("ellipsis_mask", k):
            if ellipsis_seen:
                raise v.unsupported("more than one ellipsis")
            ellipsis_seen = True
            spec += [("slice", slice(None))] * (rank - consumed)
        elif bit("new_axis_mask", k):
            spec.append(("new", 0))
        else:
            if strides[k] == 0:
                raise v.unsupported("stride 0")
            start = None if bit("begin_mask", k) else begin[k]
            stop = None if bit("end_mask", k) else end[k]
            if o.get("offset") and stop is not None:
                stop += begin[k]
            if bit("shrink_axis_mask", k):
                spec.append(("index", begin[k]))
            else:
                spec.append(("slice", slice(start, stop, strides[k])))
    axes = sum(1 for kind, _ in spec if kind != "new")
    if axes > rank:
        raise v.unsupported(f"the slice spec has more axes than the input rank {rank}", "shape")
    return spec + [("slice", slice(None))] * (rank - axes)


@translator("STRIDED_SLICE", params=StridedSliceParams)
def strided_slice(v: OpView) -> list:
    """TFLite strided_slice.cc with strided_slice_logic.h: constant begin/end/strides with
    begin/end/ellipsis/new-axis/shrink-axis masks and ``offset`` (end relative to begin);
    Python's clamping rules; negative strides read a reversed axis."""
    x = _source(v)
    shape = list(x.shape)
    begin, end, strides = (_ints(v, 1, "begin"), _ints(v, 2, "end"), _ints(v, 3, "strides"))
    if not len(begin) == len(end) == len(strides):
        raise v.unsupported("begin, end and strides must have the same length", "shape")
    starts, stops, steps, out_shape = [], [], [], []
    axis = 0
    for kind, item in _dense_spec(v, len(shape), begin, end, strides):
        if kind == "new":
            out_shape.append(1)
            continue
        size = shape[axis]
        if kind == "index":
            index = item + size if item < 0 else item
            if not 0 <= index < size:
                raise v.unsupported(f"shrunk index {item} is out of range for size {size}",
                                    "shape")
            start, stop, step = index, index + 1, 1
        else:
            start, stop, step = item.indices(size)
            out_shape.append(len(range(start, stop, step)))
        starts.append(start)
        stops.append(stop)
        steps.append(step)
        axis += 1
    y = _reshape(v, _strided(v, x, starts, stops, steps), out_shape)
    return [y]


# -- GATHER / TRANSPOSE / TILE / BROADCAST_TO --------------------------------------------------
class GatherParams(Params):
    _fields_ = [("axis", c_int), ("batch_dims", c_int)]


@translator("GATHER", params=GatherParams)
def gather(v: OpView) -> list:
    """TFLite gather.cc: slices along ``axis`` (negative allowed) at int32/int64 indices
    (batch_dims 0). TFLite rejects indices outside [0, size), so constant ones must be in it;
    runtime indices go to WebNN's gather (which also reads negative ones from the end)."""
    x = _source(v)
    axis = _axis(v, v.option("axis", 0), x.rank)
    if v.option("batch_dims", 0) != 0:
        raise v.unsupported(f"batch_dims {v.option('batch_dims')} (only 0 is supported)")
    indices = v.const(1)
    if indices is not None:
        size = x.shape[axis]
        if indices.size and (indices.min() < 0 or indices.max() >= size):
            raise v.unsupported(f"constant indices outside [0, {size}) (TFLite rejects them)",
                                "shape")
    if v.tensor(1).data_type not in ("int32", "int64"):
        raise v.unsupported(f"{v.tensor(1).type_name} indices", "dtype")
    y = v.b.gather(x, v.input(1), axis=axis)
    return [y]


@translator("TRANSPOSE")
def transpose(v: OpView) -> list:
    """TFLite transpose.cc: permute by the constant ``perm`` (values in [0, rank))."""
    x = _source(v)
    perm = _ints(v, 1, "perm")
    if sorted(perm) != list(range(x.rank)):
        raise v.unsupported(f"perm {perm} is not a permutation of the {x.rank} axes")
    y = x if perm == list(range(x.rank)) else v.b.transpose(x, permutation=perm)
    return [y]


@translator("TILE")
def tile(v: OpView) -> list:
    """TFLite tile.cc: repeat by the constant ``multiples`` (one per axis, > 0 here)."""
    x = _source(v)
    reps = _ints(v, 1, "multiples")
    if len(reps) != x.rank or any(r <= 0 for r in reps):
        raise v.unsupported(f"multiples {reps} must be positive, one per axis", "shape")
    y = x if all(r == 1 for r in reps) else v.b.tile(x, reps)
    return [y]


@translator("BROADCAST_TO")
def broadcast_to(v: OpView) -> list:
    """TFLite broadcast_to.cc: numpy broadcasting to the constant ``shape`` (WebNN expand)."""
    x = _source(v)
    shape = _ints(v, 1, "shape")
    y = x if list(x.shape) == shape else v.b.expand(x, shape)
    return [y]


# -- DEPTH_TO_SPACE / SPACE_TO_DEPTH -----------------------------------------------------------
class BlockParams(Params):
    _fields_ = [("block_size", c_int)]


@translator("DEPTH_TO_SPACE", params=BlockParams)
def depth_to_space(v: OpView) -> list:
    """TFLite depth_to_space.cc (NHWC): ``out[n, h*b + i, w*b + j, c] =
    in[n, h, w, (i*b + j)*C' + c]`` as reshape [N,H,W,b,b,C'], transpose, reshape."""
    x = _source(v)
    block = v.option("block_size", 0)
    if x.rank != 4 or block < 1 or x.shape[3] % (block * block):
        raise v.unsupported(f"block size {block} for shape {list(x.shape)}", "shape")
    n, h, w, c = x.shape
    depth = c // (block * block)
    y = v.b.reshape(x, [n, h, w, block, block, depth])
    y = v.b.transpose(y, permutation=[0, 1, 3, 2, 4, 5])
    y = v.b.reshape(y, [n, h * block, w * block, depth])
    return [y]


@translator("SPACE_TO_DEPTH", params=BlockParams)
def space_to_depth(v: OpView) -> list:
    """TFLite space_to_depth.cc (NHWC): ``out[n, h, w, (i*b + j)*C + c] =
    in[n, h*b + i, w*b + j, c]`` as reshape [N,H/b,b,W/b,b,C], transpose, reshape."""
    x = _source(v)
    block = v.option("block_size", 0)
    if x.rank != 4 or block < 1 or x.shape[1] % block or x.shape[2] % block:
        raise v.unsupported(f"block size {block} for shape {list(x.shape)}", "shape")
    n, h, w, c = x.shape
    y = v.b.reshape(x, [n, h // block, block, w // block, block, c])
    y = v.b.transpose(y, permutation=[0, 1, 3, 2, 4, 5])
    y = v.b.reshape(y, [n, h // block, w // block, block * block * c])
    return [y]
