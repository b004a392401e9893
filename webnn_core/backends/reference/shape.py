"""Reference kernels: data movement (webnn-spec §api-mlgraphbuilder-reshape-method,
-transpose, -expand, -tile, -concat, -split, -slice, -pad, -reverse-method, -triangular).

Every kernel moves values without arithmetic, so results are exact for every data type.
"""

from __future__ import annotations

import numpy as np

from ...graph import Node
from ._registry import registry


@registry.register("reshape")
def reshape(node: Node, x: np.ndarray) -> np.ndarray:
    return x.reshape(node.attrs["new_shape"])


@registry.register("transpose")
def transpose(node: Node, x: np.ndarray) -> np.ndarray:
    return np.transpose(x, node.attrs["permutation"])


@registry.register("expand")
def expand(node: Node, x: np.ndarray) -> np.ndarray:
    return np.broadcast_to(x, node.attrs["new_shape"]).copy()


@registry.register("tile")
def tile(node: Node, x: np.ndarray) -> np.ndarray:
    reps = node.attrs["repetitions"]
    return np.tile(x, reps) if reps else x.copy()


@registry.register("concat")
def concat(node: Node, *inputs: np.ndarray) -> np.ndarray:
    return np.concatenate(inputs, axis=node.attrs["axis"])


@registry.register("split")
def split(node: Node, x: np.ndarray) -> list[np.ndarray]:
    """Spec §api-mlgraphbuilder-split emulation: consecutive slices along ``axis``."""
    axis = node.attrs["axis"]
    outputs = []
    start = 0
    for size in node.attrs["splits"]:
        index = [slice(None)] * x.ndim
        index[axis] = slice(start, start + size)
        outputs.append(x[tuple(index)].copy())
        start += size
    return outputs


@registry.register("slice")
def slice_(node: Node, x: np.ndarray) -> np.ndarray:
    a = node.attrs
    index = tuple(slice(s, s + n, k) for s, n, k in zip(a["starts"], a["sizes"], a["strides"],
                                                        strict=True))
    return x[index].copy()


@registry.register("pad")
def pad(node: Node, x: np.ndarray) -> np.ndarray:
    """Constant: fill with the (already cast) value; edge: repeat the border element;
    reflection: mirror without repeating the border element."""
    a = node.attrs
    widths = list(zip(a["beginning_padding"], a["ending_padding"], strict=True))
    if x.ndim == 0:
        return x.copy()
    if a["mode"] == "constant":
        shape = tuple(b + d + e for (b, e), d in zip(widths, x.shape, strict=True))
        out = np.full(shape, a["value"], dtype=x.dtype)
        out[tuple(slice(b, b + d) for (b, _), d in zip(widths, x.shape, strict=True))] = x
        return out
    return np.pad(x, widths, mode="edge" if a["mode"] == "edge" else "reflect")


@registry.register("reverse")
def reverse(node: Node, x: np.ndarray) -> np.ndarray:
    axes = node.attrs["axes"]
    return np.flip(x, axis=axes).copy() if axes else x.copy()


@registry.register("triangular")
def triangular(node: Node, x: np.ndarray) -> np.ndarray:
    """Keep element (i, j) of each matrix when ``j - i >= diagonal`` (upper) or
    ``j - i <= diagonal`` (lower); the rest become 0."""
    rows, cols = x.shape[-2:]
    offset = np.arange(cols)[None, :] - np.arange(rows)[:, None]
    diagonal = node.attrs["diagonal"]
    keep = offset >= diagonal if node.attrs["upper"] else offset <= diagonal
    return np.where(keep, x, np.zeros((), x.dtype))
