"""OpenVINO emitters: activations (webnn-spec §api-mlgraphbuilder-relu-method ...
§api-mlgraphbuilder-softmax-method).

Facts about the CPU plugin that shape these emitters (all checked against the reference):

- int64 / uint64 tensors run as int32 (even a plain reshape truncates values beyond the
  int32 range), and uint32 runs as int32: relu, clamp and prelu are registered without
  those types, so ``op_support_limits()`` reports it and the builder rejects them.
- int32 comparisons (and Relu / Clamp / fused Maximum-Minimum chains) run in float32,
  wrong for magnitudes above 2**24; Select, bitwise ops and single Multiply/Add are
  exact. Integer relu/clamp/prelu are therefore built from exact comparisons + Select.
- int8 Multiply saturates where the reference (numpy, as the spec's ``mul``) wraps, so
  int8 prelu computes in int32 and converts back (Convert wraps).
- SoftPlus loses all relative accuracy for x < 0 (softplus(-20) = -1.9e-6): it is built
  as ``max(x, 0) + log1p(exp(-|x|))`` with an accurate log1p.
- NaN (the spec is silent; the rule is the README's "NaN and special values"): relu,
  clamp and hard_sigmoid keep the native Relu / Clamp, which OpenVINO fuses into a
  preceding convolution, and their IEEE 754 maxNum/minNum semantics: relu(NaN) = 0,
  clamp(NaN) = minValue (-inf when only maxValue is given; clamp without bounds is the
  identity), hard_sigmoid(NaN) = 0. softmax is the native SoftMax with NaN read as +inf:
  a row holding NaN or +inf is NaN there and 0 elsewhere (see :func:`softmax`).
  Everything else propagates NaN (elu selects ``x`` where ``x`` is not <= 0). prelu /
  leaky_relu are the native PRelu: ``x`` where ``x >= 0`` or NaN, ``slope * x`` below 0.
"""

from __future__ import annotations

import math

import numpy as np
import openvino as ov
import openvino.opset16 as ops

from ...graph import Node
from ._exact import NARROWED_RANGE, compare
from ._registry import NeedsReference, registry
from .elementwise import exp

_FLOATS = ("float32", "float16")
#: integer types relu / prelu run exactly on the CPU plugin
_SIGNED_INTS = ("int32", "int8")


def _const(x: ov.Output, value: float | int | np.ndarray) -> ov.Output:
    """A constant of ``x``'s element type."""
    return ops.constant(np.array(value, dtype=x.get_element_type().to_dtype())).output(0)


def _is_float(x: ov.Output) -> bool:
    return x.get_element_type().is_real()


# -- exact integer comparisons ---------------------------------------------------------
def _int_less(x: ov.Output, c: int) -> ov.Output:
    """Exact boolean ``x < c`` for an integer tensor and a constant in its range."""
    return compare("lesser", x, _const(x, c))


def _int_greater(x: ov.Output, c: int) -> ov.Output:
    """Exact boolean ``x > c`` for an integer tensor and a constant in its range."""
    return compare("greater", x, _const(x, c))


def _poly(x: ov.Output, coefficients: list[float]) -> ov.Output:
    """``sum(c[i] * x**i)`` by Horner's rule."""
    acc = _const(x, coefficients[-1])
    for c in reversed(coefficients[:-1]):
        acc = ops.add(ops.multiply(acc, x), _const(x, c)).output(0)
    return acc


def _log1p_unit(u: ov.Output) -> ov.Output:
    """``log(1 + u)`` for ``0 <= u <= 1``, as ``2 * atanh(s)`` with ``s = u / (2 + u)``
    (``s <= 1/3``; odd series to s^15, relative error < 2e-9). No Log: the CPU plugin's
    log near 1 has absolute errors around 1e-7 and folds ``(1 + u) - 1`` to ``u``."""
    s = ops.divide(u, ops.add(u, _const(u, 2))).output(0)
    series = _poly(ops.multiply(s, s).output(0), [1.0 / (2 * k + 1) for k in range(8)])
    return ops.multiply(ops.multiply(s, _const(u, 2)), series).output(0)


# -- options-free activations ------------------------------------------------------------
# int64 relu holds no constant but 0, so the backend's int32-range guard keeps it exact
@registry.register("relu", data_types={"input": _FLOATS + _SIGNED_INTS + ("int64",)})
def relu(node: Node, x: ov.Output) -> ov.Output:
    if _is_float(x):
        return ops.relu(x).output(0)
    zero = _const(x, 0)
    return ops.select(ops.less(x, zero), zero, x).output(0)


_SIMPLE = {
    "sigmoid": ops.sigmoid,
    "tanh": ops.tanh,
    "softsign": ops.softsign,
}


@registry.register(*_SIMPLE)
def simple(node: Node, x: ov.Output) -> ov.Output:
    return _SIMPLE[node.op](x).output(0)


#: coefficients c0..c9 of the exponent polynomial in t = 1 / (1 + z / 2) of the classic
#: Chebyshev-fitted erfc(z) = t * exp(-z^2 + P(t)) (Numerical Recipes "erfcc"; relative
#: error below 1.2e-7 for every z >= 0)
_ERFC_EXPONENT = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806,
                  0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277]
#: below this |x|, gelu uses the native erf (1 + erf(x / sqrt 2) does not cancel yet)
_GELU_ERFC_FROM = 1.0


def _erfc_of_scaled(x: ov.Output) -> ov.Output:
    """``erfc(-x / sqrt 2)`` for ``x <= 0`` with small relative error in the far tail.

    The ``exp(-z^2)`` factor is ``exp(-h^2 / 2) * exp(-(x - h)(x + h) / 2)`` with
    ``h = round(128 x) / 128``: h^2 / 2 is exact in float32 for |x| < 32, so neither the
    rounding of ``x / sqrt 2`` nor of ``z^2`` (~70 at x = -12) enters the exponent."""
    one = _const(x, 1)
    z = ops.multiply(x, _const(x, -1 / math.sqrt(2))).output(0)
    t = ops.divide(one, ops.add(one, ops.multiply(z, _const(x, 0.5)))).output(0)
    h = ops.divide(ops.round(ops.multiply(x, _const(x, 128)), "half_to_even"),
                   _const(x, 128)).output(0)
    big = ops.multiply(ops.multiply(h, h), _const(x, -0.5))
    small = ops.multiply(ops.multiply(ops.subtract(x, h), ops.add(x, h)), _const(x, -0.5))
    low = ops.add(small, _poly(t, _ERFC_EXPONENT))
    return ops.multiply(t, ops.multiply(ops.exp(big), ops.exp(low))).output(0)


#: above this, gelu(x) rounds to x in float32 and float16 (erfc(x / sqrt 2) < 2**-60)
_GELU_IDENTITY_FROM = 8.0
#: below this, gelu(x) rounds to -0 (|x| erfc(-x / sqrt 2) / 2 < 1e-80); the tail is
#: evaluated at this bound there, so that it cannot overflow
_GELU_TAIL_FLOOR = -20.0


@registry.register("gelu")
def gelu(node: Node, x: ov.Output) -> ov.Output:
    """``0.5 x (1 + erf(x / sqrt 2))``; for x < -1 as ``0.5 x erfc(-x / sqrt 2)``: the
    native Gelu (and 1 + erf) cancels to 0 in the negative tail (gelu(-5.5) = -8e-8).
    Above 8 the result is ``x``: OpenVINO fuses the formula into its Gelu, which gives NaN
    for +inf and overflows near the float32 maximum. gelu(-inf) is NaN, as the formula
    (``-inf * 0``) and the reference give."""
    half_x = ops.multiply(x, _const(x, 0.5))
    z = ops.multiply(x, _const(x, 1 / math.sqrt(2))).output(0)
    near = ops.multiply(half_x, ops.add(_const(x, 1), ops.erf(z)))
    floor = _const(x, _GELU_TAIL_FLOOR)
    tail_x = ops.select(ops.less(x, floor), floor, x).output(0)
    tail = ops.multiply(half_x, _erfc_of_scaled(tail_x))
    upper = ops.select(ops.less(_const(x, _GELU_IDENTITY_FROM), x), x, near)
    return ops.select(ops.less(x, _const(x, -_GELU_ERFC_FROM)), tail, upper).output(0)


@registry.register("softplus")
def softplus(node: Node, x: ov.Output) -> ov.Output:
    """``max(x, 0) + log1p(exp(-|x|))``: equal to ``ln(1 + exp(x))``, without overflow
    for large x and accurate for negative x (native SoftPlus returns -1.9e-6 at x=-20)."""
    tail = _log1p_unit(exp(ops.negative(ops.abs(x)).output(0)))
    return ops.add(ops.maximum(x, _const(x, 0)), tail).output(0)


@registry.register("hard_swish")
def hard_swish(node: Node, x: ov.Output) -> ov.Output:
    """``(x / 6) * max(0, min(6, x + 3))``: x + 3 is exact near the kink at -3, so the
    result is within 2 roundings. Native HSwish (which OpenVINO also fuses
    ``x * relu6(x + 3) / 6`` into) computes ``x / 6 + 0.5``, cancelling: 127 ULP at -2.99."""
    gate = ops.clamp(ops.add(x, _const(x, 3)), 0.0, 6.0)
    return ops.multiply(ops.divide(x, _const(x, 6)), gate).output(0)


# -- activations with scalar options -------------------------------------------------
#: above this (and <= 0), expm1(x) uses its Taylor polynomial to x^9/9!
_EXPM1_SERIES_MIN = -0.5


def _expm1_nonpositive(x: ov.Output) -> ov.Output:
    """``exp(x) - 1`` for ``x <= 0``, accurate near 0 (where ``exp(x) - 1`` cancels)."""
    terms = [1.0 / math.factorial(k) for k in range(1, 10)]
    series = ops.multiply(x, _poly(x, terms))
    direct = ops.subtract(ops.exp(x), _const(x, 1))
    return ops.select(ops.greater(x, _const(x, _EXPM1_SERIES_MIN)), series, direct).output(0)


@registry.register("elu")
def elu(node: Node, x: ov.Output) -> ov.Output:
    """``alpha * expm1(x)`` where ``x <= 0``, else ``x`` (NaN included): the spec's
    ``max(0, x) + alpha * (exp(min(0, x)) - 1)``. Native Elu loses relative accuracy for
    small negative x (38000 ULP at -5.7e-6)."""
    zero = _const(x, 0)
    # Minimum(x, 0) is 0 for NaN x (the CPU plugin returns the second operand), so
    # expm1 sees no NaN; the select gives NaN back
    negative = _expm1_nonpositive(ops.minimum(x, zero).output(0))
    scaled = ops.multiply(_const(x, node.attrs["alpha"]), negative)
    return ops.select(ops.less_equal(x, zero), scaled, x).output(0)


@registry.register("hard_sigmoid")
def hard_sigmoid(node: Node, x: ov.Output) -> ov.Output:
    # not ops.hard_sigmoid: the CPU plugin's HardSigmoid treats beta = 0 as 0.5
    alpha, beta = _const(x, node.attrs["alpha"]), _const(x, node.attrs["beta"])
    return ops.clamp(ops.add(ops.multiply(x, alpha), beta), 0.0, 1.0).output(0)


@registry.register("leaky_relu")
def leaky_relu(node: Node, x: ov.Output) -> ov.Output:
    return ops.prelu(x, _const(x, [node.attrs["alpha"]])).output(0)


@registry.register("linear")
def linear(node: Node, x: ov.Output) -> ov.Output:
    scaled = ops.multiply(x, _const(x, node.attrs["alpha"]))
    return ops.add(scaled, _const(x, node.attrs["beta"])).output(0)


@registry.register("clamp")
def clamp(node: Node, x: ov.Output) -> ov.Output:
    lo, hi = node.attrs["min_value"], node.attrs["max_value"]
    if _is_float(x):
        if lo == -math.inf and hi == math.inf:
            return ops.identity(x).output(0)
        # Clamp maps NaN to lo (-inf without a lower bound): the README's rule, kept because
        # OpenVINO fuses Clamp into a preceding convolution (Minimum/Maximum it does not)
        return ops.clamp(x, lo, hi).output(0)
    # each comparison reads the previous stage's output: comparing the original input
    # in both stages lets the CPU plugin fuse Less+Select into an eltwise that rounds
    # large int32 values through float32
    # values of narrowed types stay within NARROWED_RANGE on OpenVINO, so bounds beyond it
    # are no-ops and clipping them keeps every emitted constant exact
    dtype = x.get_element_type().to_dtype()
    info = np.iinfo(dtype)
    low, high = NARROWED_RANGE.get(dtype.name, (int(info.min), int(info.max)))
    if lo > high or hi < low:
        raise NeedsReference(f"{node.describe()}: bounds [{lo}, {hi}] outside the "
                             f"{dtype.name} range OpenVINO holds")
    lo, hi = max(lo, low), min(hi, high)
    y = x
    if hi < high:
        y = ops.select(_int_greater(y, hi), _const(x, hi), y).output(0)
    if lo > low:
        y = ops.select(_int_less(y, lo), _const(x, lo), y).output(0)
    return y if y is not x else ops.identity(x).output(0)


# -- prelu, softmax ----------------------------------------------------------------------
@registry.register("prelu", data_types={"input": _FLOATS + _SIGNED_INTS})
def prelu(node: Node, x: ov.Output, slope: ov.Output) -> ov.Output:
    out_shape = list(node.outputs[0].shape)
    if _is_float(x):
        if list(x.get_shape()) != out_shape:
            x = ops.broadcast(x, ops.constant(np.array(out_shape, np.int64))).output(0)
        # give the slope the data's rank so PRelu broadcasts numpy-style, never along
        # its "channel" axis 1 (its rule for a 1-D slope matching dimension 1)
        rank, slope_rank = len(out_shape), len(slope.get_shape())
        if slope_rank < rank:
            slope = ops.reshape(slope, ops.constant(np.array(
                [1] * (rank - slope_rank) + list(slope.get_shape()), np.int64)), False).output(0)
        return ops.prelu(x, slope).output(0)
    out_type = x.get_element_type()
    if out_type != ov.Type.i32:
        x, slope = ops.convert(x, ov.Type.i32).output(0), ops.convert(slope, ov.Type.i32).output(0)
    y = ops.select(ops.less(x, _const(x, 0)), ops.multiply(x, slope), x).output(0)
    return y if out_type == ov.Type.i32 else ops.convert(y, out_type).output(0)


@registry.register("softmax")
def softmax(node: Node, x: ov.Output) -> ov.Output:
    """Native SoftMax of ``x`` with NaN replaced by +inf (the README's NaN rule).

    The CPU plugin's SoftMax evaluates the formula with an Exp that makes NaN +inf, and a
    maximum that may or may not be NaN depending on where the NaN is: ``[NaN, 1, 2, 3]``
    gives ``[NaN, 0, 0, 0]`` along the innermost axis but all NaN along another axis when
    the NaN comes last. With NaN turned into +inf first (``Minimum(x, +inf)``: the plugin's
    Minimum returns its second operand when either is NaN) the maximum is +inf and every
    row holding NaN or +inf gives NaN there and 0 elsewhere, wherever they are. Making
    such rows all NaN (the formula in IEEE arithmetic) costs a reduction: 70% of a
    softmax over [1, 4420, 2] as in UltraFace."""
    dtype = x.get_element_type().to_dtype()
    x = ops.minimum(x, ops.constant(np.array(np.inf, dtype))).output(0)
    return ops.softmax(x, node.attrs["axis"]).output(0)
