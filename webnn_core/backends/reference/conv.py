"""Reference kernels: conv2d and conv_transpose2d (webnn-spec §api-mlgraphbuilder-conv2d,
§api-mlgraphbuilder-convtranspose2d).

Both work on NCHW input and OIHW/IOHW filters (other layouts are transposed first) and loop
over the kernel positions with one vectorized contraction per position, accumulating in
float64 so that the only rounding is the final cast to the output type.
"""

from __future__ import annotations

import numpy as np

from ...graph import Node
from ._registry import registry

#: filter layout -> permutation to OIHW (conv2d) or IOHW (conv_transpose2d)
_TO_OIHW = {"oihw": (0, 1, 2, 3), "hwio": (3, 2, 0, 1), "ohwi": (0, 3, 1, 2),
            "ihwo": (3, 0, 1, 2)}
_TO_IOHW = {"iohw": (0, 1, 2, 3), "hwoi": (3, 2, 0, 1), "ohwi": (3, 0, 1, 2)}


def to_nchw(x: np.ndarray, layout: str) -> np.ndarray:
    return x if layout == "nchw" else x.transpose(0, 3, 1, 2)


def from_nchw(x: np.ndarray, layout: str) -> np.ndarray:
    return x if layout == "nchw" else x.transpose(0, 2, 3, 1)


def _add_bias(y: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    if bias is not None:
        y = y + bias.astype(np.float64).reshape(1, -1, 1, 1)
    return y


@registry.register("conv2d")
def conv2d(node: Node, x: np.ndarray, w: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    a = node.attrs
    x = to_nchw(x, a["input_layout"]).astype(np.float64)
    w = w.transpose(_TO_OIHW[a["filter_layout"]]).astype(np.float64)
    g = a["groups"]
    pt, pb, pl, pr = a["padding"]
    sh, sw = a["strides"]
    dh, dw = a["dilations"]
    n, c, _, _ = x.shape
    o, cg, kh, kw = w.shape
    out_h, out_w = node.output.shape[2:] if a["input_layout"] == "nchw" \
        else node.output.shape[1:3]
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    xg = xp.reshape(n, g, cg, *xp.shape[2:])
    wg = w.reshape(g, o // g, cg, kh, kw)
    y = np.zeros((n, g, o // g, out_h, out_w))
    for i in range(kh):
        rows = slice(i * dh, i * dh + (out_h - 1) * sh + 1, sh)
        for j in range(kw):
            cols = slice(j * dw, j * dw + (out_w - 1) * sw + 1, sw)
            y += np.einsum("ngchw,goc->ngohw", xg[:, :, :, rows, cols], wg[:, :, :, i, j])
    y = _add_bias(y.reshape(n, o, out_h, out_w), bias)
    return from_nchw(y, a["input_layout"])


@registry.register("conv_transpose2d")
def conv_transpose2d(node: Node, x: np.ndarray, w: np.ndarray,
                     bias: np.ndarray | None) -> np.ndarray:
    """Each input element scatters ``input * filter`` into the (uncropped) output at
    ``y * stride + k * dilation``; the result is then cropped by the beginning padding
    and sized to ``output_sizes``."""
    a = node.attrs
    x = to_nchw(x, a["input_layout"]).astype(np.float64)
    w = w.transpose(_TO_IOHW[a["filter_layout"]]).astype(np.float64)
    g = a["groups"]
    pt, _, pl, _ = a["padding"]
    sh, sw = a["strides"]
    dh, dw = a["dilations"]
    out_h, out_w = a["output_sizes"]
    n, c, in_h, in_w = x.shape
    _, og, kh, kw = w.shape
    full_h = max((in_h - 1) * sh + (kh - 1) * dh + 1, pt + out_h)
    full_w = max((in_w - 1) * sw + (kw - 1) * dw + 1, pl + out_w)
    xg = x.reshape(n, g, c // g, in_h, in_w)
    wg = w.reshape(g, c // g, og, kh, kw)
    full = np.zeros((n, g, og, full_h, full_w))
    for i in range(kh):
        rows = slice(i * dh, i * dh + (in_h - 1) * sh + 1, sh)
        for j in range(kw):
            cols = slice(j * dw, j * dw + (in_w - 1) * sw + 1, sw)
            full[:, :, :, rows, cols] += np.einsum("ngchw,gco->ngohw", xg, wg[:, :, :, i, j])
    y = full.reshape(n, g * og, full_h, full_w)[:, :, pt:pt + out_h, pl:pl + out_w]
    return from_nchw(_add_bias(y, bias), a["input_layout"])
