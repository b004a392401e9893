"""The XLA backend's op registry and the helpers its lowerings share.

A lowering is ``fn(node, *inputs) -> jax.Array | list[jax.Array]``, inputs being traced
``jax.Array``s (None for an absent optional operand), float16 ones widened to float32 as in
the reference backend. Lowerings run while the graph is traced, inside the backend's scoped
64-bit mode, so a Python scalar stays weakly typed (it takes the array's type) while an
explicit ``float64``/``int64`` is really 64 bits.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import jax.numpy as jnp
from jax import lax

from ..base import Registry

registry = Registry("xla")


@dataclass(frozen=True)
class DotSettings:
    """How convolutions and matrix products run: ``precision`` (lax.Precision) and the
    dtype their float operands are narrowed to first (None: none), from the context's
    ``precision`` option."""

    precision: Any = lax.Precision.HIGHEST
    operand_dtype: Any = None


_state = threading.local()


def set_dot_settings(settings: DotSettings) -> None:
    """Use ``settings`` for the lowerings traced next on this thread."""
    _state.dot = settings


def dot_settings() -> DotSettings:
    """The settings of the graph being traced on this thread (exact float32 by default)."""
    return getattr(_state, "dot", DotSettings())


def dot_operands(*arrays: jnp.ndarray) -> tuple[jnp.ndarray, ...]:
    """The operands of a product, narrowed when the context allowed reduced precision."""
    narrow = dot_settings().operand_dtype
    if narrow is None:
        return arrays
    return tuple(a.astype(narrow) for a in arrays)


def is_float(x: jnp.ndarray) -> bool:
    return jnp.issubdtype(x.dtype, jnp.floating)


def max_(a: jnp.ndarray, b: jnp.ndarray) -> jnp.ndarray:
    """numpy's ``maximum``: NaN propagates, and on a tie (``-0`` vs ``0``) the second
    operand wins, so signed zeros come out as the reference backend's."""
    if not is_float(jnp.asarray(a)) and not is_float(jnp.asarray(b)):
        return jnp.maximum(a, b)
    return jnp.where((a > b) | jnp.isnan(a), a, b)


def min_(a: jnp.ndarray, b: jnp.ndarray) -> jnp.ndarray:
    """numpy's ``minimum`` (see :func:`max_`)."""
    if not is_float(jnp.asarray(a)) and not is_float(jnp.asarray(b)):
        return jnp.minimum(a, b)
    return jnp.where((a < b) | jnp.isnan(a), a, b)


def fmax(a: jnp.ndarray, b: jnp.ndarray) -> jnp.ndarray:
    """numpy's ``fmax`` (IEEE maxNum: a NaN operand gives the other). On a tie of signed
    zeros the second operand wins, as numpy's vectorized loop does (its scalar loop, used
    for very small arrays, keeps the first: the reference's sign of such a zero depends on
    the array size)."""
    return jnp.where((a > b) | jnp.isnan(b), a, b)


def fmin(a: jnp.ndarray, b: jnp.ndarray) -> jnp.ndarray:
    """numpy's ``fmin`` (IEEE minNum, see :func:`fmax`)."""
    return jnp.where((a < b) | jnp.isnan(b), a, b)
