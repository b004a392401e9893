"""Reference kernels: gather, gatherElements, gatherND, scatterElements, scatterND, where
(webnn-spec §api-mlgraphbuilder-gather ... -where).

Indices are clamped to [-N, N - 1] and negative ones count from the end (the spec's
clamping note), so no index reads or writes outside the tensor. Scatter with duplicate
indices keeps the update written last in row-major order (the spec leaves it open).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...graph import Node
from ._registry import registry


def normalize_indices(indices: np.ndarray, size: int | np.ndarray) -> np.ndarray:
    """Clamp to [-size, size - 1], then map negative indices to ``index + size``."""
    idx = indices.astype(np.int64)
    idx = np.clip(idx, -np.asarray(size, np.int64), np.asarray(size, np.int64) - 1)
    return np.where(idx < 0, idx + size, idx)


def _coordinates(indices: np.ndarray, shape: Sequence[int]) -> tuple[np.ndarray, ...]:
    """The normalized coordinate arrays of gatherND/scatterND ``indices``."""
    k = indices.shape[-1]
    idx = normalize_indices(indices, np.asarray(shape[:k], np.int64))
    return tuple(idx[..., j] for j in range(k))


@registry.register("gather")
def gather(node: Node, x: np.ndarray, indices: np.ndarray) -> np.ndarray:
    axis = node.attrs["axis"]
    return np.take(x, normalize_indices(indices, x.shape[axis]), axis=axis)


@registry.register("gather_elements")
def gather_elements(node: Node, x: np.ndarray, indices: np.ndarray) -> np.ndarray:
    axis = node.attrs["axis"]
    return np.take_along_axis(x, normalize_indices(indices, x.shape[axis]), axis=axis)


@registry.register("gather_nd")
def gather_nd(node: Node, x: np.ndarray, indices: np.ndarray) -> np.ndarray:
    return x[_coordinates(indices, x.shape)].copy()


@registry.register("scatter_elements")
def scatter_elements(node: Node, x: np.ndarray, indices: np.ndarray,
                     updates: np.ndarray) -> np.ndarray:
    axis = node.attrs["axis"]
    out = x.copy()
    np.put_along_axis(out, normalize_indices(indices, x.shape[axis]), updates, axis=axis)
    return out


@registry.register("scatter_nd")
def scatter_nd(node: Node, x: np.ndarray, indices: np.ndarray,
               updates: np.ndarray) -> np.ndarray:
    out = x.copy()
    out[_coordinates(indices, x.shape)] = updates
    return out


@registry.register("where")
def where(node: Node, condition: np.ndarray, true_value: np.ndarray,
          false_value: np.ndarray) -> np.ndarray:
    return np.where(condition != 0, true_value, false_value)
