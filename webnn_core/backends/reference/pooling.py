"""Reference kernels: average_pool2d, l2_pool2d, max_pool2d (webnn-spec §api-mlgraphbuilder-pool2d).

Output element ``(oy, ox)`` pools the input elements at rows ``oy * strideH - padTop +
ky * dilationH`` and columns ``ox * strideW - padLeft + kx * dilationW`` that lie inside the
input; positions in the padding (or, with "ceil" rounding, past it) take no part:

- average: the mean of the elements inside the input (padding is not counted);
- l2: the square root of the sum of their squares;
- max: their maximum, ignoring NaN (IEEE 754 maxNum, as OpenVINO's MaxPool does: the
  README's NaN rule); a window of NaN only gives the lowest value below.

A window holding no input element at all (possible when the padding is at least as large
as the window; the spec does not define it) gives 0 for average and l2 pooling, and for max
pooling the lowest value of the data type, for floats the lowest finite float32 value (which
rounds to -inf in float16), as OpenVINO's MaxPool does.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ...graph import Node
from ._registry import registry
from .conv import from_nchw, to_nchw


def _taps(node: Node, x: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """For each window position (ky, kx): the gathered NCHW values ``[N, C, OH, OW]`` and the
    ``[OH, OW]`` mask of those inside the input."""
    a = node.attrs
    kh, kw = a["window_dimensions"]
    pt, _, pl, _ = a["padding"]
    sh, sw = a["strides"]
    dh, dw = a["dilations"]
    out_h, out_w = a["output_sizes"]
    in_h, in_w = x.shape[2:]
    for i in range(kh):
        rows = np.arange(out_h) * sh - pt + i * dh
        row_ok = (rows >= 0) & (rows < in_h)
        taken = x[:, :, np.clip(rows, 0, in_h - 1)]
        for j in range(kw):
            cols = np.arange(out_w) * sw - pl + j * dw
            col_ok = (cols >= 0) & (cols < in_w)
            yield taken[:, :, :, np.clip(cols, 0, in_w - 1)], row_ok[:, None] & col_ok[None, :]


def _sums(node: Node, x: np.ndarray, square: bool) -> tuple[np.ndarray, np.ndarray]:
    """Sum (of squares) over the window elements inside the input, and their count."""
    out_h, out_w = node.attrs["output_sizes"]
    total = np.zeros((*x.shape[:2], out_h, out_w))
    count = np.zeros((out_h, out_w))
    for values, mask in _taps(node, x.astype(np.float64)):
        total += np.where(mask, values * values if square else values, 0.0)
        count += mask
    return total, count


@registry.register("average_pool2d")
def average_pool2d(node: Node, x: np.ndarray) -> np.ndarray:
    layout = node.attrs["layout"]
    total, count = _sums(node, to_nchw(x, layout), square=False)
    mean = np.where(count > 0, total / np.maximum(count, 1), 0.0)
    return from_nchw(mean, layout)


@registry.register("l2_pool2d")
def l2_pool2d(node: Node, x: np.ndarray) -> np.ndarray:
    layout = node.attrs["layout"]
    total, _ = _sums(node, to_nchw(x, layout), square=True)
    return from_nchw(np.sqrt(total), layout)


@registry.register("max_pool2d")
def max_pool2d(node: Node, x: np.ndarray) -> np.ndarray:
    layout = node.attrs["layout"]
    x = to_nchw(x, layout)
    lowest = (np.finfo if x.dtype.kind == "f" else np.iinfo)(x.dtype).min
    out_h, out_w = node.attrs["output_sizes"]
    result = np.full((*x.shape[:2], out_h, out_w), lowest, dtype=x.dtype)
    for values, mask in _taps(node, x):
        np.fmax(result, np.where(mask, values, lowest), out=result)
    return from_nchw(result, layout)
