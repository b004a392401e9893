"""XLA lowerings: element-wise binary, comparison, logical and unary operators
(webnn-spec §api-mlgraphbuilder-binary, -logical, -unary).

As the reference kernels (webnn_core/backends/reference/elementwise.py): ``max``/``min``
propagate NaN and keep the first operand on a tie (numpy's rule, so ``-0``/``0`` come out the
same); integer ``div`` truncates toward zero and gives 0 for a zero divisor; integer ``pow``
is the float64 power truncated toward zero (x64 is on while tracing, so float64 is real).
"""

from __future__ import annotations

from collections.abc import Callable

import jax.numpy as jnp
from jax import lax

from ...graph import Node
from ._registry import is_float, max_, min_, registry

_BINARY: dict[str, Callable[[jnp.ndarray, jnp.ndarray], jnp.ndarray]] = {
    "add": jnp.add,
    "sub": jnp.subtract,
    "mul": jnp.multiply,
    "max": max_,
    "min": min_,
}


@registry.register(*_BINARY)
def binary(node: Node, a: jnp.ndarray, b: jnp.ndarray) -> jnp.ndarray:
    """§binary add/sub/mul/max/min, bidirectionally broadcast (integers wrap)."""
    return _BINARY[node.op](a, b)


@registry.register("div")
def div(node: Node, a: jnp.ndarray, b: jnp.ndarray) -> jnp.ndarray:
    """§binary div: IEEE for floats; integers truncate toward zero, ``x / 0 = 0``."""
    if is_float(a):
        return a / b
    a, b = jnp.broadcast_arrays(a, b)
    zero = b == 0
    return jnp.where(zero, jnp.zeros((), a.dtype), lax.div(a, jnp.where(zero, 1, b)))


@registry.register("pow")
def pow_(node: Node, a: jnp.ndarray, b: jnp.ndarray) -> jnp.ndarray:
    """§binary pow: IEEE ``pow`` for floats; integers as the truncated float64 power
    (negative exponents allowed)."""
    if is_float(a):
        return jnp.power(a, b)
    return jnp.trunc(jnp.power(a.astype(jnp.float64), b.astype(jnp.float64)))


_COMPARE: dict[str, Callable[[jnp.ndarray, jnp.ndarray], jnp.ndarray]] = {
    "equal": jnp.equal,
    "not_equal": jnp.not_equal,
    "greater": jnp.greater,
    "greater_or_equal": jnp.greater_equal,
    "lesser": jnp.less,
    "lesser_or_equal": jnp.less_equal,
}


@registry.register(*_COMPARE)
def compare(node: Node, a: jnp.ndarray, b: jnp.ndarray) -> jnp.ndarray:
    """§logical comparisons, as uint8 0/1."""
    return _COMPARE[node.op](a, b).astype(jnp.uint8)


_LOGICAL: dict[str, Callable[[jnp.ndarray, jnp.ndarray], jnp.ndarray]] = {
    "logical_and": jnp.logical_and,
    "logical_or": jnp.logical_or,
    "logical_xor": jnp.logical_xor,
}


@registry.register(*_LOGICAL)
def logical(node: Node, a: jnp.ndarray, b: jnp.ndarray) -> jnp.ndarray:
    """§logical and/or/xor: nonzero is true; uint8 0/1."""
    return _LOGICAL[node.op](a != 0, b != 0).astype(jnp.uint8)


@registry.register("logical_not")
def logical_not(node: Node, a: jnp.ndarray) -> jnp.ndarray:
    return (a == 0).astype(jnp.uint8)


@registry.register("is_nan")
def is_nan(node: Node, a: jnp.ndarray) -> jnp.ndarray:
    return (jnp.isnan(a) if is_float(a) else jnp.zeros(a.shape, bool)).astype(jnp.uint8)


@registry.register("is_infinite")
def is_infinite(node: Node, a: jnp.ndarray) -> jnp.ndarray:
    return (jnp.isinf(a) if is_float(a) else jnp.zeros(a.shape, bool)).astype(jnp.uint8)


def _sign(x: jnp.ndarray) -> jnp.ndarray:
    """numpy's ``sign``: -1, 0 (``+0`` also for ``-0``), 1; NaN stays NaN."""
    if not is_float(x):
        return jnp.sign(x)
    ones = (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)
    return jnp.where(jnp.isnan(x), x, ones)


def _reciprocal(x: jnp.ndarray) -> jnp.ndarray:
    return jnp.ones((), x.dtype) / x


_UNARY: dict[str, Callable[[jnp.ndarray], jnp.ndarray]] = {
    "abs": jnp.abs,
    "ceil": jnp.ceil,
    "cos": jnp.cos,
    "erf": lax.erf,
    "exp": jnp.exp,
    "floor": jnp.floor,
    "identity": lambda x: x,
    "log": jnp.log,
    "neg": jnp.negative,
    "reciprocal": _reciprocal,
    "round_even": lambda x: lax.round(x, lax.RoundingMethod.TO_NEAREST_EVEN),
    "sin": jnp.sin,
    "sign": _sign,
    "sqrt": jnp.sqrt,
    "tan": jnp.tan,
}


@registry.register(*_UNARY)
def unary(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    """§unary operators; ceil/floor/round_even/abs/neg/sign also on integers."""
    if not is_float(x) and node.op in ("ceil", "floor", "round_even"):
        return x
    return _UNARY[node.op](x)
