"""OpenVINO emitters: data movement (webnn-spec §api-mlgraphbuilder-reshape-method,
-transpose, -expand, -tile, -concat, -split, -slice, -pad, -reverse-method, -triangular).

OpenVINO facts these emitters work around (openvino 2026.4, CPU plugin):

- the CPU plugin computes int64/uint64/uint32 in 32 bits: the driver rejects graph inputs
  and constants outside the exact range (``NARROWED_RANGE`` in the package), and the pad
  emitter rejects a 64-bit pad value outside it the same way (uint32 data moves by its bit
  pattern, so uint32 pad values are exact);
- ``Tile`` with empty repeats and ``Broadcast`` to a scalar shape misbehave (garbage,
  segfault): operators that leave a tensor unchanged become an Identity instead;
- ``Pad`` converts its constant pad value through float32, so integer values that
  float32 cannot hold are padded with 0 and then selected in with an exact constant.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import openvino as ov
import openvino.opset16 as ops

from ...graph import Node
from ._registry import NeedsReference, registry

#: the values of 64-bit types the CPU plugin moves exactly (it computes them in int32)
_EXACT_64_BIT = {"int64": (-(2**31), 2**31 - 1), "uint64": (0, 2**31 - 1)}
_INT64_MIN = np.iinfo(np.int64).min


def i64(values: Sequence[int] | int) -> ov.Output:
    """An int64 constant (shapes, axes, offsets)."""
    return ops.constant(np.array(values, dtype=np.int64)).output(0)


def _shape(x: ov.Output) -> tuple[int, ...]:
    return tuple(x.get_partial_shape().to_shape())


def unchanged(x: ov.Output) -> ov.Output:
    """``x`` through an Identity node: a Result fed straight by a Parameter is not
    written by inference with preset output tensors, so never return ``x`` itself."""
    return ops.identity(x).output(0)


@registry.register("reshape")
def reshape(node: Node, x: ov.Output) -> ov.Output:
    shape = node.attrs["new_shape"]
    if tuple(shape) == _shape(x):
        return unchanged(x)
    if not shape:
        # Reshape to [] after a MatMul segfaults the CPU plugin's compile: squeeze instead
        return ops.squeeze(x, i64(list(range(len(_shape(x)))))).output(0)
    return ops.reshape(x, i64(list(shape)), special_zero=False).output(0)


@registry.register("transpose")
def transpose(node: Node, x: ov.Output) -> ov.Output:
    perm = node.attrs["permutation"]
    if list(perm) == list(range(len(perm))):
        return unchanged(x)
    return ops.transpose(x, i64(list(perm))).output(0)


@registry.register("expand")
def expand(node: Node, x: ov.Output) -> ov.Output:
    shape = tuple(node.attrs["new_shape"])
    if shape == _shape(x):
        return unchanged(x)
    if not shape:  # only a scalar broadcasts to a scalar: handled above
        raise AssertionError("expand to a scalar of a non-scalar")
    return ops.broadcast(x, i64(list(shape))).output(0)


@registry.register("tile")
def tile(node: Node, x: ov.Output) -> ov.Output:
    reps = node.attrs["repetitions"]
    if all(r == 1 for r in reps):
        return unchanged(x)
    return ops.tile(x, i64(list(reps))).output(0)


@registry.register("concat")
def concat(node: Node, *inputs: ov.Output) -> ov.Output:
    if len(inputs) == 1:
        return unchanged(inputs[0])
    return ops.concat(list(inputs), node.attrs["axis"]).output(0)


@registry.register("split")
def split(node: Node, x: ov.Output) -> list[ov.Output]:
    sizes = node.attrs["splits"]
    if len(sizes) == 1:
        return [unchanged(x)]
    parts = ops.variadic_split(x, i64(node.attrs["axis"]), i64(list(sizes)))
    return [parts.output(i) for i in range(len(sizes))]


@registry.register("slice")
def slice_(node: Node, x: ov.Output) -> ov.Output:
    a = node.attrs
    shape = _shape(x)
    axes = [d for d in range(len(shape))
            if (a["starts"][d], a["sizes"][d], a["strides"][d]) != (0, shape[d], 1)]
    if not axes:
        return unchanged(x)
    start = [a["starts"][d] for d in axes]
    stop = [a["starts"][d] + a["sizes"][d] for d in axes]
    step = [a["strides"][d] for d in axes]
    return ops.slice(x, i64(start), i64(stop), i64(step), i64(axes)).output(0)


def _float32_exact(value: int) -> bool:
    return int(np.float32(value)) == value


@registry.register("pad")
def pad(node: Node, x: ov.Output) -> ov.Output:
    a = node.attrs
    begin, end = list(a["beginning_padding"]), list(a["ending_padding"])
    if not any(begin) and not any(end):
        return unchanged(x)
    dtype = x.get_element_type().to_dtype()
    if a["mode"] != "constant":
        mode = "edge" if a["mode"] == "edge" else "reflect"
        return ops.pad(x, i64(begin), i64(end), mode).output(0)
    value = a["value"]
    bounds = _EXACT_64_BIT.get(dtype.name)
    if bounds is not None and not bounds[0] <= value <= bounds[1]:
        raise NeedsReference(f"{node.describe()}: pad value {value} ({dtype.name}) is outside "
                        f"[{bounds[0]}, {bounds[1]}]: OpenVINO on CPU computes {dtype.name} "
                        "in 32 bits")
    if dtype.kind in "iu" and not _float32_exact(int(value)):
        return _pad_exact_integer(x, begin, end, int(value))
    fill = ops.constant(np.array(value, dtype=dtype))
    return ops.pad(x, i64(begin), i64(end), "constant", fill).output(0)


def _pad_exact_integer(x: ov.Output, begin: list[int], end: list[int], value: int) -> ov.Output:
    """Constant padding with an integer value float32 cannot hold: pad with 0 and select
    the value in, computing in int32 (uint32 is carried by its bit pattern: the CPU
    plugin's runtime int32 <-> uint32 conversions keep the bits; 64-bit values are within
    the int32 range here)."""
    element_type = x.get_element_type()
    narrow = element_type != ov.Type.i32
    data = ops.convert(x, ov.Type.i32).output(0) if narrow else x
    zero = ops.constant(np.array(0, np.int32))
    padded = ops.pad(data, i64(begin), i64(end), "constant", zero)
    shape = [b + d + e for b, d, e in zip(begin, _shape(x), end, strict=True)]
    inside = np.zeros(shape, dtype=bool)
    inside[tuple(slice(b, b + d) for b, d in zip(begin, _shape(x), strict=True))] = True
    bits = np.array(value & 0xFFFFFFFF, dtype=np.uint32).view(np.int32)
    out = ops.select(ops.constant(inside), padded, ops.constant(bits)).output(0)
    return ops.convert(out, element_type).output(0) if narrow else out


@registry.register("reverse")
def reverse(node: Node, x: ov.Output) -> ov.Output:
    """No reverse op in OpenVINO's Python opsets: a slice with step -1 per axis."""
    axes = [a for a in node.attrs["axes"] if _shape(x)[a] > 1]
    if not axes:
        return unchanged(x)
    n = len(axes)
    return ops.slice(x, i64([-1] * n), i64([_INT64_MIN] * n), i64([-1] * n),
                     i64(axes)).output(0)


@registry.register("triangular")
def triangular(node: Node, x: ov.Output) -> ov.Output:
    """A select between ``x`` and 0 with a constant mask of the last two dimensions."""
    rows, cols = _shape(x)[-2:]
    offset = np.arange(cols)[None, :] - np.arange(rows)[:, None]
    diagonal = node.attrs["diagonal"]
    keep = offset >= diagonal if node.attrs["upper"] else offset <= diagonal
    if keep.all():
        return unchanged(x)
    zero = ops.constant(np.zeros((), dtype=x.get_element_type().to_dtype()))
    return ops.select(ops.constant(keep), x, zero).output(0)
