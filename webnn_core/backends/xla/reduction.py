"""XLA lowerings: reductions, arg_min/arg_max and cumulative_sum
(webnn-spec §api-mlgraphbuilder-reduce, -argminmax, -cumulativesum).

Floating-point reductions compute in float32 (the spec's precision); integer ones in the
input's own type, wrapping on overflow, as the reference kernels do. A mean, L2 norm or log
of an integer tensor is computed in float64 and truncated by the final cast, as numpy
does in the reference.
"""

from __future__ import annotations

from collections.abc import Callable

import jax.numpy as jnp

from ...graph import Node
from ._registry import is_float, registry

Axes = tuple[int, ...]


def _sum(x: jnp.ndarray, axes: Axes, keep: bool) -> jnp.ndarray:
    return jnp.sum(x, axis=axes, keepdims=keep, dtype=x.dtype)


def _wide(x: jnp.ndarray) -> jnp.ndarray:
    return x if is_float(x) else x.astype(jnp.float64)


def _log_sum_exp(x: jnp.ndarray, axes: Axes, keep: bool) -> jnp.ndarray:
    """``m + log(sum(exp(x - m)))``, m the finite maximum (no overflow)."""
    x = _wide(x)
    peak = jnp.max(x, axis=axes, keepdims=True)
    peak = jnp.where(jnp.isfinite(peak), peak, jnp.zeros((), x.dtype))
    out = jnp.log(jnp.sum(jnp.exp(x - peak), axis=axes, keepdims=True)) + peak
    return out if keep else jnp.squeeze(out, axis=axes)


_REDUCERS: dict[str, Callable[[jnp.ndarray, Axes, bool], jnp.ndarray]] = {
    "reduce_l1": lambda x, a, k: _sum(jnp.abs(x), a, k),
    "reduce_l2": lambda x, a, k: jnp.sqrt(_wide(_sum(x * x, a, k))),
    "reduce_log_sum": lambda x, a, k: jnp.log(_wide(_sum(x, a, k))),
    "reduce_log_sum_exp": _log_sum_exp,
    "reduce_max": lambda x, a, k: jnp.max(x, axis=a, keepdims=k),
    "reduce_mean": lambda x, a, k: jnp.mean(_wide(x), axis=a, keepdims=k),
    "reduce_min": lambda x, a, k: jnp.min(x, axis=a, keepdims=k),
    "reduce_product": lambda x, a, k: jnp.prod(x, axis=a, keepdims=k, dtype=x.dtype),
    "reduce_sum": _sum,
    "reduce_sum_square": lambda x, a, k: _sum(x * x, a, k),
}


@registry.register(*_REDUCERS)
def reduce(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    """§reduce over ``axes`` (none: the input unchanged but for the op's element map)."""
    return _REDUCERS[node.op](x, tuple(node.attrs["axes"]), node.attrs["keep_dimensions"])


@registry.register("arg_min", "arg_max")
def arg_min_max(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    """§argMin/argMax: the first index of the extreme value; a NaN counts as the extreme."""
    axis = node.attrs["axis"]
    find = jnp.argmax if node.op == "arg_max" else jnp.argmin
    return find(x, axis=axis, keepdims=node.attrs["keep_dimensions"]).astype(
        node.attrs["output_data_type"])


@registry.register("cumulative_sum")
def cumulative_sum(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    """§cumulativeSum along ``axis``, optionally exclusive and/or reversed."""
    axis = node.attrs["axis"]
    if node.attrs["reversed"]:
        x = jnp.flip(x, axis)
    out = jnp.cumsum(x, axis=axis, dtype=x.dtype)
    if node.attrs["exclusive"]:
        head = jnp.zeros_like(jnp.take(out, jnp.array([0]), axis=axis))
        body = jnp.take(out, jnp.arange(x.shape[axis] - 1), axis=axis)
        out = jnp.concatenate([head, body], axis)
    if node.attrs["reversed"]:
        out = jnp.flip(out, axis)
    return out
