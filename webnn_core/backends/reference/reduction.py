"""Reference kernels: reductions, arg_min/arg_max and cumulative_sum
(webnn-spec §api-mlgraphbuilder-reduce, -argminmax, -cumulativesum).

Floating-point reductions accumulate in float64 and the driver rounds once to the output
data type; integer reductions compute in the input's own type (wrapping on overflow).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ...graph import Node
from ._registry import registry

Axes = tuple[int, ...]


def _sum(x: np.ndarray, axes: Axes, keep: bool) -> np.ndarray:
    return np.sum(x, axis=axes, keepdims=keep, dtype=x.dtype)


def _log_sum_exp(x: np.ndarray, axes: Axes, keep: bool) -> np.ndarray:
    """log(sum(exp(x))) computed as m + log(sum(exp(x - m))), m the finite maximum, so it
    does not overflow where the true result is representable."""
    peak = np.max(x, axis=axes, keepdims=True) if x.size else np.zeros((1,) * x.ndim)
    peak = np.where(np.isfinite(peak), peak, 0.0)
    out = np.log(np.sum(np.exp(x - peak), axis=axes, keepdims=True)) + peak
    return out if keep else np.squeeze(out, axis=axes)


_REDUCERS: dict[str, Callable[[np.ndarray, Axes, bool], np.ndarray]] = {
    "reduce_l1": lambda x, a, k: _sum(np.abs(x), a, k),
    "reduce_l2": lambda x, a, k: np.sqrt(_sum(np.square(x), a, k)),
    "reduce_log_sum": lambda x, a, k: np.log(_sum(x, a, k)),
    "reduce_log_sum_exp": _log_sum_exp,
    "reduce_max": lambda x, a, k: np.max(x, axis=a, keepdims=k),
    "reduce_mean": lambda x, a, k: np.mean(x, axis=a, keepdims=k),
    "reduce_min": lambda x, a, k: np.min(x, axis=a, keepdims=k),
    "reduce_product": lambda x, a, k: np.prod(x, axis=a, keepdims=k, dtype=x.dtype),
    "reduce_sum": _sum,
    "reduce_sum_square": lambda x, a, k: _sum(x * x, a, k),
}


@registry.register(*_REDUCERS)
def reduce(node: Node, x: np.ndarray) -> np.ndarray:
    if x.dtype.kind == "f":
        x = x.astype(np.float64)
    return _REDUCERS[node.op](x, node.attrs["axes"], node.attrs["keep_dimensions"])


@registry.register("arg_min", "arg_max")
def arg_min_max(node: Node, x: np.ndarray) -> np.ndarray:
    """The first index of the extreme value along the axis; a NaN counts as the extreme."""
    axis = node.attrs["axis"]
    find = np.argmax if node.op == "arg_max" else np.argmin
    out = find(x, axis=axis)
    if node.attrs["keep_dimensions"]:
        out = np.expand_dims(out, axis)
    return out.astype(node.attrs["output_data_type"])


@registry.register("cumulative_sum")
def cumulative_sum(node: Node, x: np.ndarray) -> np.ndarray:
    axis = node.attrs["axis"]
    if x.dtype.kind == "f":
        x = x.astype(np.float64)
    if node.attrs["reversed"]:
        x = np.flip(x, axis)
    out = np.cumsum(x, axis=axis, dtype=x.dtype)
    if node.attrs["exclusive"]:
        # the sum of the values before each one: shift by one, starting from 0
        head = np.zeros_like(np.take(out, [0], axis=axis))
        out = np.concatenate([head, np.take(out, range(x.shape[axis] - 1), axis=axis)], axis)
    if node.attrs["reversed"]:
        out = np.flip(out, axis)
    return out
