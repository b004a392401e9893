"""XLA lowerings: data movement (webnn-spec §api-mlgraphbuilder-reshape-method,
-transpose, -expand, -tile, -concat, -split, -slice, -pad, -reverse-method, -triangular).

No arithmetic: exact for every data type.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jax import lax

from ...graph import Node
from ._registry import registry


@registry.register("reshape")
def reshape(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    return x.reshape(tuple(node.attrs["new_shape"]))


@registry.register("transpose")
def transpose(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    return jnp.transpose(x, node.attrs["permutation"])


@registry.register("expand")
def expand(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    return jnp.broadcast_to(x, tuple(node.attrs["new_shape"]))


@registry.register("tile")
def tile(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    reps = node.attrs["repetitions"]
    return jnp.tile(x, reps) if reps else x


@registry.register("concat")
def concat(node: Node, *inputs: jnp.ndarray) -> jnp.ndarray:
    return jnp.concatenate(inputs, axis=node.attrs["axis"])


@registry.register("split")
def split(node: Node, x: jnp.ndarray) -> list[jnp.ndarray]:
    """Consecutive slices along ``axis`` (the spec's emulation)."""
    axis = node.attrs["axis"]
    outputs, start = [], 0
    for size in node.attrs["splits"]:
        outputs.append(lax.slice_in_dim(x, start, start + size, axis=axis))
        start += size
    return outputs


@registry.register("slice")
def slice_(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    a = node.attrs
    if x.ndim == 0:
        return x
    starts, sizes, strides = a["starts"], a["sizes"], a["strides"]
    limits = [s + n for s, n in zip(starts, sizes, strict=True)]
    return lax.slice(x, tuple(starts), tuple(limits), tuple(strides))


@registry.register("pad")
def pad(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    """Constant (the value already cast to the input type), edge, or reflection."""
    a = node.attrs
    if x.ndim == 0:
        return x
    widths = list(zip(a["beginning_padding"], a["ending_padding"], strict=True))
    if a["mode"] == "constant":
        value = np.full((), a["value"], dtype=np.dtype(x.dtype))
        return lax.pad(x, jnp.asarray(value), [(b, e, 0) for b, e in widths])
    return jnp.pad(x, widths, mode="edge" if a["mode"] == "edge" else "reflect")


@registry.register("reverse")
def reverse(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    axes = node.attrs["axes"]
    return jnp.flip(x, axis=tuple(axes)) if axes else x


@registry.register("triangular")
def triangular(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    """Keep (i, j) where ``j - i >= diagonal`` (upper) or ``<= diagonal`` (lower)."""
    rows, cols = x.shape[-2:]
    offset = np.arange(cols)[None, :] - np.arange(rows)[:, None]
    diagonal = node.attrs["diagonal"]
    keep = offset >= diagonal if node.attrs["upper"] else offset <= diagonal
    return jnp.where(keep, x, jnp.zeros((), x.dtype))
