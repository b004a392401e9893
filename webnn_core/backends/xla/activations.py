"""XLA lowerings: activations (webnn-spec §api-mlgraphbuilder-relu-method ...
§api-mlgraphbuilder-softmax-method).

Each mirrors the reference kernel's formula (webnn_core/backends/reference/activations.py),
in float32 instead of float64 (the spec's precision: WPT's ULP tolerances hold), with the
same NaN rules: relu, clamp and hard_sigmoid take maxNum/minNum, prelu and leaky_relu are
piecewise, every other NaN propagates.
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np
from jax import lax

from ...graph import Node
from ._registry import fmax, fmin, is_float, max_, min_, registry


@registry.register("relu")
def relu(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    """§relu: ``max(0, x)``, NaN -> 0 (maxNum)."""
    if is_float(x):
        return fmax(x, jnp.zeros((), x.dtype))
    return jnp.maximum(x, jnp.zeros((), x.dtype))


@registry.register("sigmoid")
def sigmoid(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    """§sigmoid: ``1 / (exp(-x) + 1)`` (XLA's logistic, the same function)."""
    return lax.logistic(x)


@registry.register("tanh")
def tanh(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    """§tanh."""
    return jnp.tanh(x)


@registry.register("elu")
def elu(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    """§elu: ``max(0, x) + alpha * (exp(min(0, x)) - 1)``."""
    zero = jnp.zeros((), x.dtype)
    return max_(x, zero) + float(node.attrs["alpha"]) * jnp.expm1(min_(x, zero))


@registry.register("gelu")
def gelu(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    """§gelu: ``0.5 * x * (1 + erf(x / sqrt(2)))`` as ``0.5 * x * erfc(-x / sqrt(2))``
    (no cancellation for large negative x), in float64 rounded once: XLA's float32 erfc
    is ~25 ULP off in the tail (x < -4), past WPT's 18 ULP for gelu."""
    v = x.astype(jnp.float64)
    return 0.5 * v * lax.erfc(-v / math.sqrt(2.0))


@registry.register("softplus")
def softplus(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    """§softplus: ``ln(1 + exp(x))`` without overflow."""
    return jnp.logaddexp(jnp.zeros((), x.dtype), x)


@registry.register("softsign")
def softsign(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    """§softsign: ``x / (1 + |x|)``."""
    return x / (1.0 + jnp.abs(x))


@registry.register("hard_sigmoid")
def hard_sigmoid(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    """§hardSigmoid: ``max(min(alpha * x + beta, 1), 0)``, NaN -> 0 (maxNum)."""
    v = float(node.attrs["alpha"]) * x + float(node.attrs["beta"])
    return fmax(min_(v, jnp.ones((), x.dtype)), jnp.zeros((), x.dtype))


@registry.register("hard_swish")
def hard_swish(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    """§hardSwish: ``x * max(0, min(6, x + 3)) / 6``."""
    six = jnp.full((), 6.0, x.dtype)
    return x * max_(jnp.zeros((), x.dtype), min_(six, x + 3.0)) / 6.0


@registry.register("leaky_relu")
def leaky_relu(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    """§leakyRelu, piecewise: ``alpha * x`` where ``x < 0``, else ``x``."""
    return jnp.where(x < 0, float(node.attrs["alpha"]) * x, x)


@registry.register("linear")
def linear(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    """§linear: ``alpha * x + beta``. XLA folds ``y + 0.0`` to ``y``, which is wrong for
    ``y = -0`` (IEEE: ``-0 + 0 = +0``), so a zero ``beta`` is added explicitly."""
    y = float(node.attrs["alpha"]) * x
    beta = float(node.attrs["beta"])
    if beta == 0.0 and math.copysign(1.0, beta) > 0:
        return jnp.where(y == 0, jnp.zeros((), y.dtype), y)
    return y + beta


@registry.register("prelu")
def prelu(node: Node, x: jnp.ndarray, slope: jnp.ndarray) -> jnp.ndarray:
    """§prelu, piecewise and bidirectionally broadcast (integers wrap like the spec's
    ``mul``)."""
    x, slope = jnp.broadcast_arrays(x, slope)
    return jnp.where(x < 0, slope * x, x)


@registry.register("clamp")
def clamp(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    """§clamp with bounds already cast to the input type; floats take maxNum/minNum
    (NaN -> minValue) and are the identity without bounds."""
    lo = np.asarray(node.attrs["min_value"]).astype(np.dtype(x.dtype))
    hi = np.asarray(node.attrs["max_value"]).astype(np.dtype(x.dtype))
    if not is_float(x):
        return jnp.minimum(jnp.maximum(x, lo), hi)
    if lo == -math.inf and hi == math.inf:
        return x
    return fmin(fmax(x, jnp.asarray(lo)), jnp.asarray(hi))


@registry.register("softmax")
def softmax(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    """§softmax: ``exp(x - max) / sum(exp(x - max))`` along ``axis``."""
    axis = node.attrs["axis"]
    e = jnp.exp(x - jnp.max(x, axis=axis, keepdims=True))
    return e / jnp.sum(e, axis=axis, keepdims=True)
