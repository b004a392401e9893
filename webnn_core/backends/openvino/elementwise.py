"""OpenVINO emitters: element-wise binary, logical and unary operations."""

from __future__ import annotations

import numpy as np

import openvino as ov
import openvino.opset16 as ops

from ...graph import Node
from . import _exact as exact
from ._exact import compare, is_wide_integer
from ._registry import registry
from .conv import constant_value

_BINARY = {
    "add": ops.add,
    "sub": ops.subtract,
    "mul": ops.multiply,
}


@registry.register(*_BINARY)
def binary(node: Node, a: ov.Output, b: ov.Output) -> ov.Output:
    return _BINARY[node.op](a, b).output(0)


def _root(x: ov.Output, exponent: float) -> ov.Output | None:
    """``x ** exponent`` from square roots for the exponents LRN and friends use (the CPU
    plugin's Power with a fractional exponent is ~7x slower). sqrt is correctly rounded,
    so these stay within a few ULP (WPT allows 32 for pow); negative bases give NaN as
    pow does."""
    if abs(exponent) not in (0.5, 0.75):
        return None
    y = ops.sqrt(x)
    if abs(exponent) == 0.75:
        y = ops.multiply(y, ops.sqrt(y))
    if exponent < 0:
        one = ops.constant(np.array(1, dtype=x.get_element_type().to_dtype()))
        y = ops.divide(one, y)
    return y.output(0)


@registry.register("pow")
def pow_(node: Node, a: ov.Output, b: ov.Output) -> ov.Output:
    exponent = constant_value(b)
    if (exponent is not None and exponent.size == 1 and a.get_element_type().is_real()
            and node.inputs[1].rank <= node.inputs[0].rank):
        fast = _root(a, float(exponent.reshape(())))
        if fast is not None:
            return fast
    return ops.power(a, b).output(0)


@registry.register("max", "min")
def max_min(node: Node, a: ov.Output, b: ov.Output) -> ov.Output:
    if is_wide_integer(a):
        # the CPU plugin's Maximum/Minimum on int32 go through float32: select exactly
        a_wins = compare("greater" if node.op == "max" else "lesser", a, b)
        return ops.select(a_wins, a, b).output(0)
    return (ops.maximum if node.op == "max" else ops.minimum)(a, b).output(0)


@registry.register("div")
def div(node: Node, a: ov.Output, b: ov.Output) -> ov.Output:
    # integer division truncates toward zero (C semantics), not Python's floor
    if a.get_element_type().is_real():
        return exact.divide(a, b)
    node_ = ops.divide(a, b)
    node_.set_attribute("m_pythondiv", False)
    return node_.output(0)


def to_uint8(boolean: ov.Output) -> ov.Output:
    return ops.convert(boolean, ov.Type.u8).output(0)


def to_boolean(x: ov.Output) -> ov.Output:
    return ops.convert(x, ov.Type.boolean).output(0)


@registry.register("equal", "not_equal", "greater", "greater_or_equal", "lesser",
                   "lesser_or_equal")
def comparison(node: Node, a: ov.Output, b: ov.Output) -> ov.Output:
    return to_uint8(compare(node.op, a, b))


_LOGICAL = {"logical_and": ops.logical_and, "logical_or": ops.logical_or,
            "logical_xor": ops.logical_xor}


@registry.register(*_LOGICAL)
def logical(node: Node, a: ov.Output, b: ov.Output) -> ov.Output:
    return to_uint8(_LOGICAL[node.op](to_boolean(a), to_boolean(b)))


@registry.register("logical_not")
def logical_not(node: Node, a: ov.Output) -> ov.Output:
    return to_uint8(ops.logical_not(to_boolean(a)))


def _all_false(x: ov.Output) -> ov.Output:
    return ops.broadcast(ops.constant(np.uint8(0)), ops.shape_of(x)).output(0)


@registry.register("is_nan")
def is_nan(node: Node, a: ov.Output) -> ov.Output:
    if not a.get_element_type().is_real():
        return _all_false(a)
    return to_uint8(ops.is_nan(a))


@registry.register("is_infinite")
def is_infinite(node: Node, a: ov.Output) -> ov.Output:
    if not a.get_element_type().is_real():
        return _all_false(a)
    return to_uint8(ops.is_inf(a))


@registry.register("reciprocal")
def reciprocal(node: Node, x: ov.Output) -> ov.Output:
    one = ops.constant(np.array(1, dtype=x.get_element_type().to_dtype())).output(0)
    return exact.divide(one, x)


_UNARY = {
    "abs": ops.abs,
    "ceil": ops.ceiling,
    "cos": ops.cos,
    "erf": ops.erf,
    "exp": ops.exp,
    "floor": ops.floor,
    "identity": ops.identity,
    "log": ops.log,
    "neg": ops.negative,
    "round_even": lambda x: ops.round(x, "half_to_even"),
    "sin": ops.sin,
    "sign": ops.sign,
    "sqrt": ops.sqrt,
    "tan": ops.tan,
}


@registry.register(*_UNARY)
def unary(node: Node, x: ov.Output) -> ov.Output:
    return _UNARY[node.op](x).output(0)
