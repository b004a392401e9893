"""OpenVINO emitters: element-wise binary, logical and unary operations."""

from __future__ import annotations

import math

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
    """Element-wise max/min; a NaN operand gives NaN (the README's NaN rule).

    The CPU plugin's Maximum/Minimum return their *second* operand when either is NaN
    (``maximum(NaN, 1)`` is 1, ``maximum(1, NaN)`` NaN). A NaN-free constant operand is
    therefore put first, which propagates the other's NaN at no cost; otherwise a NaN in
    the first operand is selected explicitly."""
    if is_wide_integer(a):
        # the CPU plugin's Maximum/Minimum on int32 go through float32: select exactly
        a_wins = compare("greater" if node.op == "max" else "lesser", a, b)
        return ops.select(a_wins, a, b).output(0)
    fn = ops.maximum if node.op == "max" else ops.minimum
    if not a.get_element_type().is_real() or exact.nan_free_constant(a):
        return fn(a, b).output(0)
    if exact.nan_free_constant(b):
        return fn(b, a).output(0)
    return ops.select(ops.is_nan(a), a, fn(a, b)).output(0)


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


#: the CPU plugin's Exp is right on [-87, 88]: beyond, it overflows from 88.38 on (exp(88.5)
#: is inf, not 2.7e38) and flushes to 0 below -87.34 (the subnormal results)
_EXP_LOW, _EXP_HIGH = -87.0, 88.0


def exp(x: ov.Output) -> ov.Output:
    """``exp(x)`` as IEEE arithmetic gives it: ``exp(a) * exp(x - a)`` with ``a`` = x
    clamped to [-87, 88] (so ``x - a`` is 0 and the product exactly the native ``exp(x)``
    inside that range; outside, the two factors reach the overflow and the subnormal
    results the native Exp misses), then ``Maximum(y, x)``: the CPU plugin's Exp makes NaN
    +inf, its Maximum returns the second operand when either is NaN, and ``exp(x) > x``
    for every other x. All of it fuses into one element-wise kernel (measured: about one
    more Exp's time)."""
    dtype = x.get_element_type().to_dtype()
    low = ops.constant(np.array(_EXP_LOW, dtype))
    high = ops.constant(np.array(_EXP_HIGH, dtype))
    # constants first: Maximum/Minimum pass a NaN x through (see max_min)
    a = ops.minimum(high, ops.maximum(low, x))
    y = ops.multiply(ops.exp(a), ops.exp(ops.subtract(x, a)))
    return ops.maximum(y, x).output(0)


#: below this |x|, erf is its Taylor series (the CPU plugin's Erf has an absolute error
#: around 1e-7 near 0: erf(1e-10) is 0, erf(1e-5) 1.7% low, subnormals flush to 0)
_ERF_SERIES_BELOW = 0.5
#: 2 / sqrt(pi) * (-1)^n / (n! (2n + 1)), n = 0..8: the series in x^2 to x^17 (relative
#: error below 2e-10 for |x| < 0.5)
_ERF_SERIES = [2 / math.sqrt(math.pi) * (-1) ** n / (math.factorial(n) * (2 * n + 1))
               for n in range(9)]


def erf(x: ov.Output) -> ov.Output:
    """Native Erf, and its Taylor series below |x| = 0.5 (in float32, whose coefficients
    float16 could not hold)."""
    source = x.get_element_type()
    x32 = x if source == ov.Type.f32 else ops.convert(x, ov.Type.f32).output(0)
    square = ops.multiply(x32, x32).output(0)
    acc = ops.constant(np.float32(_ERF_SERIES[-1])).output(0)
    for c in reversed(_ERF_SERIES[:-1]):
        acc = ops.add(ops.multiply(acc, square), ops.constant(np.float32(c))).output(0)
    series = ops.multiply(x32, acc)
    small = ops.less(ops.abs(x32), ops.constant(np.float32(_ERF_SERIES_BELOW)))
    y = ops.select(small, series, ops.erf(x32)).output(0)
    return y if source == ov.Type.f32 else ops.convert(y, source).output(0)


_UNARY = {
    "abs": ops.abs,
    "ceil": ops.ceiling,
    "cos": ops.cos,
    "erf": erf,
    "exp": exp,
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
    y = _UNARY[node.op](x)
    return y.output(0) if isinstance(y, ov.Node) else y
