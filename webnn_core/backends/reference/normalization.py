"""Reference kernels: batch_normalization, instance_normalization, layer_normalization
(webnn-spec §api-mlgraphbuilder-batchnorm, -instancenorm, -layernorm).

Computed in float64 from the spec's formula ``scale * (x - mean) / sqrt(variance + epsilon)
+ bias`` (variance being the population variance for the on-the-fly normalizations); the
driver rounds the result once to the output data type.
"""

from __future__ import annotations

import numpy as np

from ...graph import Node
from ._registry import registry


def _along(vector: np.ndarray | None, axis: int, rank: int) -> np.ndarray | None:
    """A 1-D per-feature tensor shaped to broadcast along ``axis`` of a rank-``rank`` tensor."""
    if vector is None:
        return None
    shape = [1] * rank
    shape[axis] = vector.size
    return vector.astype(np.float64).reshape(shape)


def _normalize(x: np.ndarray, mean: np.ndarray, variance: np.ndarray, epsilon: float,
               scale: np.ndarray | None, bias: np.ndarray | None) -> np.ndarray:
    out = (x - mean) / np.sqrt(variance + epsilon)
    if scale is not None:
        out = scale * out
    if bias is not None:
        out = out + bias
    return out


@registry.register("batch_normalization")
def batch_normalization(node: Node, x: np.ndarray, mean: np.ndarray, variance: np.ndarray,
                        scale: np.ndarray | None, bias: np.ndarray | None) -> np.ndarray:
    axis, rank = node.attrs["axis"], x.ndim
    return _normalize(x.astype(np.float64), _along(mean, axis, rank),
                      _along(variance, axis, rank), node.attrs["epsilon"],
                      _along(scale, axis, rank), _along(bias, axis, rank))


def _moments(x: np.ndarray, axes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Mean and population variance over ``axes`` (kept as size-1 dimensions)."""
    mean = np.mean(x, axis=axes, keepdims=True)
    variance = np.mean(np.square(x - mean), axis=axes, keepdims=True)
    return mean, variance


@registry.register("instance_normalization")
def instance_normalization(node: Node, x: np.ndarray, scale: np.ndarray | None,
                           bias: np.ndarray | None) -> np.ndarray:
    nchw = node.attrs["layout"] == "nchw"
    spatial, channel = ((2, 3), 1) if nchw else ((1, 2), 3)
    x = x.astype(np.float64)
    mean, variance = _moments(x, spatial)
    return _normalize(x, mean, variance, node.attrs["epsilon"],
                      _along(scale, channel, 4), _along(bias, channel, 4))


def _over_axes(param: np.ndarray | None, axes: tuple[int, ...], rank: int) -> np.ndarray | None:
    """A scale/bias whose dimension i is the input's dimension ``axes[i]``, shaped to
    broadcast against the input (dimensions put in increasing axis order)."""
    if param is None:
        return None
    order = sorted(range(len(axes)), key=lambda i: axes[i])
    shape = [1] * rank
    for axis, size in zip(axes, param.shape, strict=True):
        shape[axis] = size
    return np.transpose(param.astype(np.float64), order).reshape(shape)


@registry.register("layer_normalization")
def layer_normalization(node: Node, x: np.ndarray, scale: np.ndarray | None,
                        bias: np.ndarray | None) -> np.ndarray:
    axes = node.attrs["axes"]
    x = x.astype(np.float64)
    mean, variance = _moments(x, axes)
    return _normalize(x, mean, variance, node.attrs["epsilon"],
                      _over_axes(scale, axes, x.ndim), _over_axes(bias, axes, x.ndim))
