"""XLA lowerings: gather, gatherElements, gatherND, scatterElements, scatterND, where
(webnn-spec §api-mlgraphbuilder-gather ... -where).

Indices are clamped to [-N, N - 1] and negative ones count from the end (the spec's
clamping note), as in the reference backend, so every access is in bounds. Scatters are one
XLA scatter; with duplicate indices XLA:CPU applies updates in order (the last wins, as the
reference's), other devices leave the order open (so does the spec).
"""

from __future__ import annotations

from collections.abc import Sequence

import jax.numpy as jnp
import numpy as np

from ...graph import Node
from ._registry import registry


def normalize_indices(indices: jnp.ndarray, size: int | jnp.ndarray) -> jnp.ndarray:
    """Clamp to [-size, size - 1], then map negative indices to ``index + size``."""
    idx = indices.astype(jnp.int64)
    size = jnp.asarray(size, jnp.int64)
    idx = jnp.clip(idx, -size, size - 1)
    return jnp.where(idx < 0, idx + size, idx)


def _coordinates(indices: jnp.ndarray, shape: Sequence[int]) -> tuple[jnp.ndarray, ...]:
    """The normalized coordinate arrays of gatherND/scatterND ``indices``."""
    k = indices.shape[-1]
    idx = normalize_indices(indices, np.asarray(shape[:k], np.int64))
    return tuple(idx[..., j] for j in range(k))


def _along_axis(indices: jnp.ndarray, axis: int) -> tuple[jnp.ndarray, ...]:
    """Full coordinates of gatherElements/scatterElements: ``indices`` on ``axis``, the
    element's own position on every other axis."""
    grids = jnp.meshgrid(*(jnp.arange(n) for n in indices.shape), indexing="ij")
    return tuple(indices if d == axis else grids[d] for d in range(indices.ndim))


@registry.register("gather")
def gather(node: Node, x: jnp.ndarray, indices: jnp.ndarray) -> jnp.ndarray:
    axis = node.attrs["axis"]
    return jnp.take(x, normalize_indices(indices, x.shape[axis]), axis=axis, mode="clip")


@registry.register("gather_elements")
def gather_elements(node: Node, x: jnp.ndarray, indices: jnp.ndarray) -> jnp.ndarray:
    axis = node.attrs["axis"]
    idx = normalize_indices(indices, x.shape[axis])
    return x[_along_axis(idx, axis)]


@registry.register("gather_nd")
def gather_nd(node: Node, x: jnp.ndarray, indices: jnp.ndarray) -> jnp.ndarray:
    return x[_coordinates(indices, x.shape)]


@registry.register("scatter_elements")
def scatter_elements(node: Node, x: jnp.ndarray, indices: jnp.ndarray,
                     updates: jnp.ndarray) -> jnp.ndarray:
    axis = node.attrs["axis"]
    idx = normalize_indices(indices, x.shape[axis])
    return x.at[_along_axis(idx, axis)].set(updates)


@registry.register("scatter_nd")
def scatter_nd(node: Node, x: jnp.ndarray, indices: jnp.ndarray,
               updates: jnp.ndarray) -> jnp.ndarray:
    return x.at[_coordinates(indices, x.shape)].set(updates)


@registry.register("where")
def where(node: Node, condition: jnp.ndarray, true_value: jnp.ndarray,
          false_value: jnp.ndarray) -> jnp.ndarray:
    return jnp.where(condition != 0, true_value, false_value)
