"""Reference kernels: matmul and gemm (webnn-spec §api-mlgraphbuilder-matmul, -gemm).

Products accumulate in float64; the driver rounds once to the output data type.
"""

from __future__ import annotations

import numpy as np

from ...graph import Node
from ._registry import registry


@registry.register("matmul")
def matmul(node: Node, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.matmul(a.astype(np.float64), b.astype(np.float64))


@registry.register("gemm")
def gemm(node: Node, a: np.ndarray, b: np.ndarray, c: np.ndarray | None) -> np.ndarray:
    """``alpha * A' * B' + beta * C`` (C absent counts as 0)."""
    attrs = node.attrs
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    if attrs["a_transpose"]:
        a = a.T
    if attrs["b_transpose"]:
        b = b.T
    out = np.matmul(attrs["alpha"] * a, b)
    if c is not None:
        out = out + attrs["beta"] * c.astype(np.float64)
    return out
