"""ONNX pooling: MaxPool, AveragePool, LpPool, GlobalAveragePool, GlobalMaxPool,
GlobalLpPool -> WebNN max_pool2d / average_pool2d / l2_pool2d (or reductions).

Like the convolutions, 1-D pools run as 2-D pools over an ``[N, C, 1, L]`` view. ONNX's
output size (floor, or with ``ceil_mode`` the ceiling minus a last window that would
start in the end padding) is computed here and WebNN's ``output_shape_rounding`` is chosen
to give exactly that size; a size neither rounding gives is refused.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..translator import NodeView, translator
from .conv import (
    Pads,
    as_2d,
    from_2d,
    resolve_pads,
    spatial_list,
    to_2d_pads,
    to_2d_params,
    webnn_padding,
)


def _onnx_output_size(size: int, k: int, s: int, d: int, pad: tuple[int, int],
                      ceil_mode: bool) -> int:
    """ONNX pool output size along one axis (spec "output_spatial_shape"): with
    ``ceil_mode`` a window that would start past the input and its begin padding is
    dropped."""
    span = size + pad[0] + pad[1] - ((k - 1) * d + 1)
    if not ceil_mode:
        return span // s + 1
    out = -(-span // s) + 1
    if (out - 1) * s >= size + pad[0]:
        out -= 1
    return out


def _rounding(n: NodeView, in_sizes: Sequence[int], kernel: Sequence[int],
              strides: Sequence[int], dilations: Sequence[int], pads: Pads,
              ceil_mode: bool) -> str:
    """The WebNN rounding ("floor" or "ceil") whose output size is ONNX's on every axis."""
    wanted = [_onnx_output_size(*args, ceil_mode)
              for args in zip(in_sizes, kernel, strides, dilations, pads, strict=True)]
    for rounding, rnd in (("floor", math.floor), ("ceil", math.ceil)):
        sizes = [rnd((size + b + e - ((k - 1) * d + 1)) / s) + 1
                 for size, k, s, d, (b, e) in zip(in_sizes, kernel, strides, dilations, pads,
                                                  strict=True)]
        if sizes == wanted:
            return rounding
    raise n.unsupported(f"output size {wanted} is neither the floor nor the ceil rounding "
                        "of WebNN's output size formula", "shape")


def _pool(n: NodeView, method: str) -> list:
    """Shared MaxPool/AveragePool/LpPool emission: attributes -> a WebNN 2-D pool."""
    if len(n.node.outputs) > 1 and n.node.outputs[1]:
        raise n.unsupported("the Indices output is not supported (WebNN pools return "
                            "values only)")
    x = n.input(0)
    rank = x.rank
    x2 = as_2d(n, x)
    count = rank - 2
    kernel = n.attr("kernel_shape")
    if kernel is None or len(kernel) != count:
        raise n.unsupported(f"kernel_shape {kernel} must have {count} entries")
    kernel = [int(k) for k in kernel]
    strides = spatial_list(n, "strides", count, 1)
    dilations = spatial_list(n, "dilations", count, 1)
    pads = resolve_pads(n, x.shape[2:], kernel, strides, dilations)
    rounding = _rounding(n, x.shape[2:], kernel, strides, dilations, pads,
                         bool(n.attr("ceil_mode", 0)))
    kernel2, strides2 = to_2d_params(kernel, 1), to_2d_params(strides, 1)
    dilations2, pads2 = to_2d_params(dilations, 1), to_2d_pads(pads)
    if method == "average_pool2d" and n.attr("count_include_pad", 0) and any(sum(pads2, ())):
        # WebNN excludes padding from the average: pad with zeros explicitly instead, so
        # they are counted like ONNX counts them (windows past the padded input, from
        # ceil_mode, are clipped to it in both).
        (t, b), (left, r) = pads2
        x2 = n.b.pad(x2, [0, 0, t, left], [0, 0, b, r], value=0)
        pads2 = [(0, 0), (0, 0)]
    y = getattr(n.b, method)(x2, window_dimensions=kernel2, padding=webnn_padding(pads2),
                             strides=strides2, dilations=dilations2,
                             output_shape_rounding=rounding)
    return [from_2d(n, y, rank)]


@translator("MaxPool", since=1)
def max_pool(n: NodeView) -> list:
    """ONNX MaxPool (1; 8 adds the Indices output and ``storage_order``; 10 ``ceil_mode``
    and ``dilations``; 11 defaults; 12 int8/uint8). ``storage_order`` only orders the
    Indices output, which is refused, so it does not change Y."""
    return _pool(n, "max_pool2d")


@translator("AveragePool", since=1)
def average_pool(n: NodeView) -> list:
    """ONNX AveragePool (1; 7 ``count_include_pad``; 10 ``ceil_mode``; 19 ``dilations``).
    ``count_include_pad=1`` is emulated exactly by explicit zero padding."""
    return _pool(n, "average_pool2d")


@translator("LpPool", since=1)
def lp_pool(n: NodeView) -> list:
    """ONNX LpPool (1: float ``p``; 2 integer ``p``; 11 defaults; 18 ``ceil_mode`` and
    ``dilations``): only ``p = 2`` (WebNN l2_pool2d)."""
    p = n.attr("p", 2)
    if float(p) != 2.0:
        raise n.unsupported(f"p={p}: WebNN only has the L2 pool (p=2)")
    return _pool(n, "l2_pool2d")


_GLOBAL = {"GlobalAveragePool": ("average_pool2d", "reduce_mean"),
           "GlobalMaxPool": ("max_pool2d", "reduce_max"),
           "GlobalLpPool": ("l2_pool2d", "reduce_l2")}


@translator(*_GLOBAL, since=1)
def global_pool(n: NodeView) -> list:
    """ONNX GlobalAveragePool / GlobalMaxPool / GlobalLpPool (1; GlobalLpPool 2 makes ``p``
    an integer; only ``p = 2`` is supported): pool over all spatial axes, keeping them
    as size 1. 4-D inputs use the WebNN pool with its default (whole-input) window,
    other ranks a keep-dimensions reduction."""
    if n.node.op_type == "GlobalLpPool" and float(n.attr("p", 2)) != 2.0:
        raise n.unsupported(f"p={n.attr('p')}: WebNN only has the L2 norm (p=2)")
    x = n.input(0)
    if x.rank < 3:
        raise n.unsupported(f"input of rank {x.rank}: needs N, C and spatial axes", "shape")
    pool, reduce = _GLOBAL[n.node.op_type]
    if x.rank == 4:
        return [getattr(n.b, pool)(x)]
    return [getattr(n.b, reduce)(x, axes=list(range(2, x.rank)), keep_dimensions=True)]
