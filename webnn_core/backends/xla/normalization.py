"""XLA lowerings: batch_normalization, instance_normalization, layer_normalization
(webnn-spec §api-mlgraphbuilder-batchnorm, -instancenorm, -layernorm).

The spec's formula ``scale * (x - mean) / sqrt(variance + epsilon) + bias`` in float32, the
variance being the population variance of the on-the-fly normalizations, in the reference
kernels' order of operations.
"""

from __future__ import annotations

import jax.numpy as jnp

from ...graph import Node
from ._registry import registry


def _along(vector: jnp.ndarray | None, axis: int, rank: int) -> jnp.ndarray | None:
    """A 1-D per-feature tensor shaped to broadcast along ``axis``."""
    if vector is None:
        return None
    shape = [1] * rank
    shape[axis] = vector.size
    return vector.reshape(shape)


def _normalize(x: jnp.ndarray, mean: jnp.ndarray, variance: jnp.ndarray, epsilon: float,
               scale: jnp.ndarray | None, bias: jnp.ndarray | None) -> jnp.ndarray:
    out = (x - mean) / jnp.sqrt(variance + float(epsilon))
    if scale is not None:
        out = scale * out
    if bias is not None:
        out = out + bias
    return out


@registry.register("batch_normalization")
def batch_normalization(node: Node, x: jnp.ndarray, mean: jnp.ndarray, variance: jnp.ndarray,
                        scale: jnp.ndarray | None, bias: jnp.ndarray | None) -> jnp.ndarray:
    axis, rank = node.attrs["axis"], x.ndim
    return _normalize(x, _along(mean, axis, rank), _along(variance, axis, rank),
                      node.attrs["epsilon"], _along(scale, axis, rank), _along(bias, axis, rank))


def _moments(x: jnp.ndarray, axes: tuple[int, ...]) -> tuple[jnp.ndarray, jnp.ndarray]:
    """Mean and population variance over ``axes`` (kept as size-1 dimensions)."""
    mean = jnp.mean(x, axis=axes, keepdims=True)
    variance = jnp.mean(jnp.square(x - mean), axis=axes, keepdims=True)
    return mean, variance


@registry.register("instance_normalization")
def instance_normalization(node: Node, x: jnp.ndarray, scale: jnp.ndarray | None,
                           bias: jnp.ndarray | None) -> jnp.ndarray:
    nchw = node.attrs["layout"] == "nchw"
    spatial, channel = ((2, 3), 1) if nchw else ((1, 2), 3)
    mean, variance = _moments(x, spatial)
    return _normalize(x, mean, variance, node.attrs["epsilon"],
                      _along(scale, channel, 4), _along(bias, channel, 4))


def _over_axes(param: jnp.ndarray | None, axes: tuple[int, ...], rank: int
               ) -> jnp.ndarray | None:
    """A scale/bias whose dimension i is the input's dimension ``axes[i]``, shaped to
    broadcast against the input."""
    if param is None:
        return None
    order = sorted(range(len(axes)), key=lambda i: axes[i])
    shape = [1] * rank
    for axis, size in zip(axes, param.shape, strict=True):
        shape[axis] = size
    return jnp.transpose(param, order).reshape(shape)


@registry.register("layer_normalization")
def layer_normalization(node: Node, x: jnp.ndarray, scale: jnp.ndarray | None,
                        bias: jnp.ndarray | None) -> jnp.ndarray:
    axes = tuple(node.attrs["axes"])
    mean, variance = _moments(x, axes)
    return _normalize(x, mean, variance, node.attrs["epsilon"],
                      _over_axes(scale, axes, x.ndim), _over_axes(bias, axes, x.ndim))
