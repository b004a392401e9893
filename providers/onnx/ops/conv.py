"""ONNX convolutions: Conv and ConvTranspose -> WebNN conv2d / conv_transpose2d, and
ConvInteger as a float32 conv2d that is exact for int8/uint8 operands.

WebNN convolves exactly two spatial dimensions, so 1-D ONNX convolutions run as 2-D ones
over an ``[N, C, 1, L]`` view (a height-1 image and a height-1 kernel compute exactly the
1-D result). 3-D and higher are refused. ``auto_pad`` is resolved to explicit padding from
the static input shape with the formulas of the ONNX operator spec.

The spatial helpers here (attribute defaults, SAME padding) are shared with pooling.py.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import webnn_core as webnn

from ..translator import NodeView, translator

Pads = list[tuple[int, int]]  # (begin, end) per spatial axis


# -- shared spatial helpers ---------------------------------------------------------------
def spatial_list(n: NodeView, name: str, count: int, default: int) -> list[int]:
    """An int-list attribute with one entry per spatial axis (``default`` when absent)."""
    value = n.attr(name)
    if value is None:
        return [default] * count
    value = [int(v) for v in value]
    if len(value) != count:
        raise n.unsupported(f"{name} {value} must have {count} entries (one per spatial axis)")
    return value


def same_pads(in_sizes: Sequence[int], out_sizes: Sequence[int], kernel: Sequence[int],
              strides: Sequence[int], dilations: Sequence[int], upper: bool) -> Pads:
    """ONNX SAME_UPPER/SAME_LOWER: the total padding that makes the output ``out_sizes``,
    split evenly with the odd element at the end (UPPER) or at the beginning (LOWER)."""
    pads = []
    for size, out, k, s, d in zip(in_sizes, out_sizes, kernel, strides, dilations,
                                  strict=True):
        total = max(0, (out - 1) * s + (k - 1) * d + 1 - size)
        small, large = total // 2, total - total // 2
        pads.append((small, large) if upper else (large, small))
    return pads


def explicit_pads(n: NodeView, count: int) -> Pads:
    """The ``pads`` attribute ``[x1_begin, x2_begin, ..., x1_end, x2_end]`` as pairs."""
    flat = spatial_list(n, "pads", 2 * count, 0)
    if any(p < 0 for p in flat):
        raise n.unsupported(f"negative pads {flat} (cropping) are not supported")
    return [(flat[i], flat[count + i]) for i in range(count)]


def resolve_pads(n: NodeView, in_sizes: Sequence[int], kernel: Sequence[int],
                 strides: Sequence[int], dilations: Sequence[int]) -> Pads:
    """Padding of Conv and the pooling ops for every ``auto_pad`` value: NOTSET uses
    ``pads``, VALID none, SAME_* pads so that ``output = ceil(input / stride)``."""
    auto_pad = n.attr("auto_pad", "NOTSET")
    count = len(in_sizes)
    if auto_pad == "NOTSET":
        return explicit_pads(n, count)
    if auto_pad == "VALID":
        return [(0, 0)] * count
    if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        out = [-(-size // s) for size, s in zip(in_sizes, strides, strict=True)]
        return same_pads(in_sizes, out, kernel, strides, dilations, auto_pad == "SAME_UPPER")
    raise n.unsupported(f"auto_pad {auto_pad!r} is not an ONNX value")


def webnn_padding(pads: Pads) -> list[int]:
    """(begin, end) pairs of (H, W) -> WebNN's [beginH, endH, beginW, endW]."""
    return [pads[0][0], pads[0][1], pads[1][0], pads[1][1]]


def as_2d(n: NodeView, x, what: str = "input"):
    """A rank-3 ``[N, C, L]`` operand viewed as ``[N, C, 1, L]``; rank 4 unchanged."""
    if x.rank == 4:
        return x
    if x.rank == 3:
        return n.b.reshape(x, [x.shape[0], x.shape[1], 1, x.shape[2]])
    raise n.unsupported(f"{what} of rank {x.rank}: only 1-D and 2-D spatial data "
                        "(rank 3 or 4) map to WebNN's 2-D operators", "shape")


def from_2d(n: NodeView, y, rank: int):
    """Undo :func:`as_2d` on a result."""
    if rank == 4:
        return y
    return n.b.reshape(y, [y.shape[0], y.shape[1], y.shape[3]])


def to_2d_params(values: Sequence[int], fill: int) -> list[int]:
    """Per-axis parameters of a 1-D op for its ``[1, L]`` 2-D view."""
    return list(values) if len(values) == 2 else [fill, *values]


def to_2d_pads(pads: Pads) -> Pads:
    return pads if len(pads) == 2 else [(0, 0), *pads]


def _kernel(n: NodeView, weight_shape: Sequence[int]) -> list[int]:
    kernel = list(weight_shape[2:])
    given = n.attr("kernel_shape")
    if given is not None and [int(k) for k in given] != kernel:
        raise n.unsupported(f"kernel_shape {list(given)} differs from the weight's spatial "
                            f"shape {kernel}")
    return kernel


def _conv_operands(n: NodeView) -> tuple:
    """(x, x as 2-D, weight as 2-D, kernel, strides, dilations) of Conv/ConvTranspose."""
    x, w = n.input(0), n.input(1)
    if w.rank != x.rank:
        raise n.unsupported(f"weight rank {w.rank} differs from input rank {x.rank}", "shape")
    count = x.rank - 2
    return (x, as_2d(n, x), as_2d(n, w, "weight"), _kernel(n, w.shape),
            spatial_list(n, "strides", count, 1), spatial_list(n, "dilations", count, 1))


# -- Conv ---------------------------------------------------------------------------------
@translator("Conv", since=1)
def conv(n: NodeView) -> list:
    """ONNX Conv (1, 11: unchanged semantics; 11 only relaxed ``kernel_shape``/``pads``
    defaults, 22 adds bfloat16): ``Y = conv(X, W) + B`` with ``group``, ``dilations``,
    ``strides``, ``pads`` or ``auto_pad``. The ONNX weight ``[M, C/group, kH, kW]`` is
    WebNN's "oihw" filter."""
    x, x2, w2, kernel, strides, dilations = _conv_operands(n)
    rank = x.rank
    pads = resolve_pads(n, x.shape[2:], kernel, strides, dilations)
    bias = n.input(2) if n.has_input(2) else None
    y = n.b.conv2d(x2, w2, padding=webnn_padding(to_2d_pads(pads)),
                   strides=to_2d_params(strides, 1), dilations=to_2d_params(dilations, 1),
                   groups=int(n.attr("group", 1)), bias=bias)
    return [from_2d(n, y, rank)]


# -- ConvTranspose ------------------------------------------------------------------------
def _transpose_geometry(n: NodeView, in_sizes: Sequence[int], kernel: Sequence[int],
                        strides: Sequence[int], dilations: Sequence[int],
                        out_pad: Sequence[int]) -> tuple[Pads, list[int]]:
    """ConvTranspose padding and output size per the ONNX spec.

    The full (unpadded) output is ``stride * (in - 1) + output_padding + (k - 1) * d + 1``.
    With ``output_shape`` (or SAME_*, whose output is ``in * stride``) the total padding
    is ``full - output``: SAME_UPPER puts the odd element at the end, every other mode at
    the beginning. A negative total (the output is larger than the full result) pads
    nothing and grows the result at the end, as ONNX Runtime does.
    """
    count = len(in_sizes)
    auto_pad = n.attr("auto_pad", "NOTSET")
    full = [s * (i - 1) + p + (k - 1) * d + 1
            for i, k, s, d, p in zip(in_sizes, kernel, strides, dilations, out_pad, strict=True)]
    output_shape = n.attr("output_shape")
    if output_shape is not None:
        output = [int(v) for v in output_shape][-count:]
        if len(output) != count:
            raise n.unsupported(f"output_shape {list(output_shape)} has too few entries")
    elif auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        if any(out_pad):
            raise n.unsupported(f"auto_pad {auto_pad} with output_padding {list(out_pad)}: "
                                "ONNX shape inference and ONNX Runtime disagree on the "
                                "output size")
        output = [i * s for i, s in zip(in_sizes, strides, strict=True)]
    else:
        pads = [(0, 0)] * count if auto_pad == "VALID" else explicit_pads(n, count)
        return pads, [f - b - e for f, (b, e) in zip(full, pads, strict=True)]
    pads = []
    for f, out in zip(full, output, strict=True):
        total = max(0, f - out)
        small, large = total // 2, total - total // 2
        pads.append((small, large) if auto_pad == "SAME_UPPER" else (large, small))
    return pads, output


@translator("ConvTranspose", since=1)
def conv_transpose(n: NodeView) -> list:
    """ONNX ConvTranspose (1, 11: unchanged semantics, 22 adds bfloat16). The ONNX weight
    ``[C, M/group, kH, kW]`` is WebNN's "iohw" filter; ``output_padding``,
    ``output_shape`` and ``auto_pad`` are resolved to explicit padding and output sizes
    (see :func:`_transpose_geometry`)."""
    x, x2, w2, kernel, strides, dilations = _conv_operands(n)
    rank, count = x.rank, x.rank - 2
    out_pad = spatial_list(n, "output_padding", count, 0)
    pads, output = _transpose_geometry(n, x.shape[2:], kernel, strides, dilations, out_pad)
    bias = n.input(2) if n.has_input(2) else None
    y = n.b.conv_transpose2d(x2, w2, padding=webnn_padding(to_2d_pads(pads)),
                             strides=to_2d_params(strides, 1),
                             dilations=to_2d_params(dilations, 1),
                             output_sizes=to_2d_params(output, 1),
                             groups=int(n.attr("group", 1)), filter_layout="iohw", bias=bias)
    return [from_2d(n, y, rank)]


# -- ConvInteger --------------------------------------------------------------------------
_EXACT_LIMIT = 2 ** 24  # float32 holds every integer below this exactly


def _centered(n: NodeView, index: int, zp_index: int, per_channel: bool) -> webnn.MLOperand:
    """Input ``index`` as float32 minus its zero point (a scalar, or for the weight one
    per output channel)."""
    x = n.input(index)
    if x.data_type not in ("int8", "uint8"):
        raise n.unsupported(f"input {index} type {x.data_type} (int8/uint8 only)", "dtype")
    result = n.b.cast(x, "float32")
    if not n.has_input(zp_index):
        return result
    zp = n.input(zp_index)
    if zp.data_type != x.data_type:
        raise n.unsupported(f"zero point type {zp.data_type} differs from its input's",
                            "dtype")
    size = math.prod(zp.shape)
    if size != 1:
        if not per_channel or zp.rank != 1 or size != x.shape[0]:
            raise n.unsupported(f"zero point shape {list(zp.shape)} (a scalar, or one per "
                                "output channel for the weight)", "shape")
        zp = n.b.reshape(zp, [size] + [1] * (x.rank - 1))
    elif zp.rank:
        zp = n.b.reshape(zp, [])
    return n.b.sub(result, n.b.cast(zp, "float32"))


@translator("ConvInteger", since=10)
def conv_integer(n: NodeView) -> list:
    """ONNX ConvInteger (10): ``conv(X - x_zero_point, W - w_zero_point)`` in int32 for
    int8/uint8 operands (padding contributes 0 after the zero-point shift). WebNN's conv2d
    is float-only, so it runs in float32, exact while every partial sum stays below 2^24:
    ``(C / group) * kH * kW * 255^2 < 2^24``; larger kernels are refused. 1-D
    convolutions run as 2-D ones; 3-D are refused."""
    x, w = n.input(0), n.input(1)
    rank = x.rank
    if w.rank != rank:
        raise n.unsupported(f"weight rank {w.rank} differs from input rank {rank}", "shape")
    terms = math.prod(w.shape[1:])
    if terms * 255 * 255 >= _EXACT_LIMIT:
        raise n.unsupported(f"{terms} products per output: float32 accumulation is exact "
                            f"only below {(_EXACT_LIMIT - 1) // 255 ** 2}", "shape")
    count = rank - 2
    kernel = list(w.shape[2:])
    given = n.attr("kernel_shape")
    if given is not None and [int(k) for k in given] != kernel:
        raise n.unsupported(f"kernel_shape {list(given)} differs from the weight's {kernel}")
    xf = as_2d(n, _centered(n, 0, 2, per_channel=False))
    wf = as_2d(n, _centered(n, 1, 3, per_channel=True), "weight")
    strides = spatial_list(n, "strides", count, 1)
    dilations = spatial_list(n, "dilations", count, 1)
    pads = resolve_pads(n, x.shape[2:], kernel, strides, dilations)
    y = n.b.conv2d(xf, wf, padding=webnn_padding(to_2d_pads(pads)),
                   strides=to_2d_params(strides, 1), dilations=to_2d_params(dilations, 1),
                   groups=int(n.attr("group", 1)))
    return [n.b.cast(from_2d(n, y, rank), "int32")]
