"""XLA lowerings: matmul and gemm (webnn-spec §api-mlgraphbuilder-matmul, -gemm).

One ``dot_general`` each at the context's dot precision: HIGHEST by default (exact float32,
no TF32), float32 accumulation.
"""

from __future__ import annotations

import jax.numpy as jnp

from ...graph import Node
from ._registry import dot_operands, dot_settings, registry


def _matmul(a: jnp.ndarray, b: jnp.ndarray) -> jnp.ndarray:
    a, b = dot_operands(a, b)
    return jnp.matmul(a, b, precision=dot_settings().precision,
                      preferred_element_type=jnp.float32)


@registry.register("matmul")
def matmul(node: Node, a: jnp.ndarray, b: jnp.ndarray) -> jnp.ndarray:
    """§matmul: batched, broadcast over the leading dimensions."""
    return _matmul(a, b)


@registry.register("gemm")
def gemm(node: Node, a: jnp.ndarray, b: jnp.ndarray, c: jnp.ndarray | None) -> jnp.ndarray:
    """§gemm: ``alpha * A' * B' + beta * C`` (C absent counts as 0)."""
    attrs = node.attrs
    if attrs["a_transpose"]:
        a = a.T
    if attrs["b_transpose"]:
        b = b.T
    out = _matmul(float(attrs["alpha"]) * a, b)
    if c is not None:
        out = out + float(attrs["beta"]) * c
    return out
