"""Reference kernels: element-wise binary, logical and unary operations."""

from __future__ import annotations

import math

import numpy as np

from ...graph import Node
from ._registry import registry


def _int_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Integer division truncating toward zero, in integer arithmetic (exact for 64-bit);
    division by zero gives 0."""
    safe = np.where(b == 0, 1, b).astype(a.dtype)
    q = a // safe  # floor division
    remainder = a - q * safe
    q = np.where((remainder != 0) & ((a < 0) != (safe < 0)), q + 1, q)
    return np.where(b == 0, 0, q).astype(a.dtype)


_BINARY = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "max": np.maximum,
    "min": np.minimum,
}


@registry.register(*_BINARY)
def binary(node: Node, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _BINARY[node.op](a, b)


@registry.register("div")
def div(node: Node, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype.kind == "f":
        return a / b
    return _int_div(*np.broadcast_arrays(a, b))


@registry.register("pow")
def pow_(node: Node, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype.kind == "f":
        return np.power(a, b)
    # integer pow: negative exponents are allowed (result truncated toward zero)
    return np.trunc(np.power(a.astype(np.float64), b.astype(np.float64)))


_COMPARE = {
    "equal": np.equal,
    "not_equal": np.not_equal,
    "greater": np.greater,
    "greater_or_equal": np.greater_equal,
    "lesser": np.less,
    "lesser_or_equal": np.less_equal,
}


@registry.register(*_COMPARE)
def compare(node: Node, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _COMPARE[node.op](a, b).astype(np.uint8)


_LOGICAL = {"logical_and": np.logical_and, "logical_or": np.logical_or,
            "logical_xor": np.logical_xor}


@registry.register(*_LOGICAL)
def logical(node: Node, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _LOGICAL[node.op](a != 0, b != 0).astype(np.uint8)


@registry.register("logical_not")
def logical_not(node: Node, a: np.ndarray) -> np.ndarray:
    return (a == 0).astype(np.uint8)


@registry.register("is_nan")
def is_nan(node: Node, a: np.ndarray) -> np.ndarray:
    return (np.isnan(a) if a.dtype.kind == "f" else np.zeros(a.shape, bool)).astype(np.uint8)


@registry.register("is_infinite")
def is_infinite(node: Node, a: np.ndarray) -> np.ndarray:
    return (np.isinf(a) if a.dtype.kind == "f" else np.zeros(a.shape, bool)).astype(np.uint8)


_erf = np.frompyfunc(math.erf, 1, 1)

_UNARY = {
    "abs": np.abs,
    "ceil": np.ceil,
    "cos": np.cos,
    "erf": lambda x: np.asarray(_erf(x.astype(np.float64)), dtype=np.float64),
    "exp": np.exp,
    "floor": np.floor,
    "identity": lambda x: x.copy(),
    "log": np.log,
    "neg": np.negative,
    "reciprocal": lambda x: np.divide(1, x, dtype=x.dtype),
    "round_even": np.rint,
    "sin": np.sin,
    "sign": np.sign,
    "sqrt": np.sqrt,
    "tan": np.tan,
}


@registry.register(*_UNARY)
def unary(node: Node, x: np.ndarray) -> np.ndarray:
    return _UNARY[node.op](x)
