"""ONNX inverse trigonometric and hyperbolic functions WebNN has no operator for: Acos,
Asin, Atan (7), Sinh, Cosh, Asinh, Acosh, Atanh (9), as exact decompositions (WebNN has
sin, cos, tan, exp, log, sqrt: WebNN §api-mlgraphbuilder-unary).

They follow the single-precision Cephes algorithms (range reduction to a small interval, a
minimax polynomial there, exp/log/sqrt outside it), which are accurate to a few float32 ulps
over the whole domain, including near 0 where the textbook log/exp identities cancel;
float16 inputs are evaluated in float32.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

import webnn_core as webnn

from ..translator import NodeView, translator

Operand = webnn.MLOperand
_FLOATS = ("float32", "float16")

_PI = math.pi
_PI_2 = math.pi / 2
_LN2 = math.log(2.0)
_FLT_MAX = float(np.finfo(np.float32).max)


class _Math:
    """float32 element-wise helpers over one builder."""

    def __init__(self, n: NodeView) -> None:
        self.n = n
        self.b = n.b

    def c(self, value: float) -> Operand:
        return self.n.constant(value, "float32")

    def poly(self, z: Operand, coefficients: Sequence[float]) -> Operand:
        """Horner: ``((c0 * z + c1) * z + ...) + c_last``."""
        b = self.b
        result = self.c(coefficients[0])
        for c in coefficients[1:]:
            result = b.add(b.mul(result, z), self.c(c))
        return result

    def odd(self, x: Operand, y: Operand) -> Operand:
        """``y`` computed from ``|x|`` given the sign of ``x`` (odd functions)."""
        return self.b.where(self.b.lesser(x, self.c(0.0)), self.b.neg(y), y)

    def series(self, a: Operand, z: Operand, coefficients: Sequence[float]) -> Operand:
        """``poly(z) * z * a + a`` (the odd-series form of the Cephes kernels)."""
        b = self.b
        return b.add(b.mul(b.mul(self.poly(z, coefficients), z), a), a)

    def asin_abs(self, a: Operand) -> Operand:
        """asin of ``a`` in [0, 1] (NaN above): ``a <= 0.5`` directly, else through
        ``pi/2 - 2 asin(sqrt((1 - a) / 2))``."""
        b = self.b
        big = b.greater(a, self.c(0.5))
        z_big = b.mul(self.c(0.5), b.sub(self.c(1.0), a))
        z = b.where(big, z_big, b.mul(a, a))
        t = b.where(big, b.sqrt(z_big), a)
        y = self.series(t, z, _ASIN)
        return b.where(big, b.sub(self.c(_PI_2), b.add(y, y)), y)

    def exp_half_squared(self, a: Operand) -> Operand:
        """``exp(a) / 2`` as ``(exp(a/2) / 2) * exp(a/2)``: overflows only when the
        result does."""
        b = self.b
        half = b.exp(b.mul(a, self.c(0.5)))
        return b.mul(b.mul(half, self.c(0.5)), half)


_ATAN = (8.05374449538e-2, -1.38776856032e-1, 1.99777106478e-1, -3.33329491539e-1)
_ASIN = (4.2163199048e-2, 2.4181311049e-2, 4.5470025998e-2, 7.4953002686e-2,
         1.6666752422e-1)
_SINH = (2.03721912945e-4, 8.33028376239e-3, 1.66667160211e-1)
_ASINH = (2.0122003309e-2, -4.2699340972e-2, 7.4847586088e-2, -1.6666288134e-1)
_ACOSH = (1.7596881071e-3, -7.5272886713e-3, 2.6454905019e-2, -1.1784741703e-1,
          1.4142135263e0)
_ATANH = (1.81740078349e-1, 8.24370301058e-2, 1.46691431730e-1, 1.99782164500e-1,
          3.33337300303e-1)


def _atan(m: _Math, x: Operand) -> Operand:
    """Cephes atanf: ``|x|`` reduced to [0, tan(pi/8)] by ``atan(x) = pi/2 + atan(-1/x)``
    above tan(3pi/8) and ``pi/4 + atan((x-1)/(x+1))`` above tan(pi/8)."""
    b = m.b
    a = b.abs(x)
    far = b.greater(a, m.c(2.414213562373095))
    mid = b.greater(a, m.c(0.4142135623730950))
    one = m.c(1.0)
    # 1/a as (1 / (a * 2^-64)) * 2^-64, exact scalings: the OpenVINO backend's float32
    # division is NaN for divisors above ~8e34 (a = inf is clamped, atan(FLT_MAX) = pi/2)
    scale = m.c(2.0 ** -64)
    inverse = b.mul(b.reciprocal(b.mul(b.min(a, m.c(_FLT_MAX)), scale)), scale)
    t = b.where(far, b.neg(inverse),
                b.where(mid, b.div(b.sub(a, one), b.add(a, one)), a))
    base = b.where(far, m.c(_PI_2), b.where(mid, m.c(_PI / 4), m.c(0.0)))
    y = b.add(base, m.series(t, b.mul(t, t), _ATAN))
    return m.odd(x, y)


def _asin(m: _Math, x: Operand) -> Operand:
    """Cephes asinf (NaN outside [-1, 1] from the square root)."""
    return m.odd(x, m.asin_abs(m.b.abs(x)))


def _acos(m: _Math, x: Operand) -> Operand:
    """Cephes acosf: ``pi - 2 asin(sqrt((1+x)/2))`` below -0.5, ``2 asin(sqrt((1-x)/2))``
    above 0.5, ``pi/2 - asin(x)`` between."""
    b = m.b
    half = m.c(0.5)
    low = b.lesser(x, b.neg(half))
    high = b.greater(x, half)
    s_low = m.asin_abs(b.sqrt(b.mul(half, b.add(m.c(1.0), x))))
    s_high = m.asin_abs(b.sqrt(b.mul(half, b.sub(m.c(1.0), x))))
    middle = b.sub(m.c(_PI_2), _asin(m, x))
    return b.where(low, b.sub(m.c(_PI), b.add(s_low, s_low)),
                   b.where(high, b.add(s_high, s_high), middle))


def _sinh(m: _Math, x: Operand) -> Operand:
    """Cephes sinhf: a polynomial for ``|x| <= 1``, ``(e - 1/e) / 2`` above, ``e / 2``
    (exactly, with the -1/e term below float32 resolution) beyond 10."""
    b = m.b
    a = b.abs(x)
    small = m.series(a, b.mul(a, a), _SINH)
    e = b.exp(a)
    half = m.c(0.5)
    mid = b.sub(b.mul(half, e), b.div(half, e))
    y = b.where(b.lesser_or_equal(a, m.c(1.0)), small,
                b.where(b.greater(a, m.c(10.0)), m.exp_half_squared(a), mid))
    return m.odd(x, y)


def _cosh(m: _Math, x: Operand) -> Operand:
    """Cephes coshf: ``(e + 1/e) / 2``, and ``e / 2`` beyond 10."""
    b = m.b
    a = b.abs(x)
    e = b.exp(a)
    half = m.c(0.5)
    near = b.add(b.mul(half, e), b.div(half, e))
    return b.where(b.greater(a, m.c(10.0)), m.exp_half_squared(a), near)


def _asinh(m: _Math, x: Operand) -> Operand:
    """Cephes asinhf: a polynomial below 0.5, ``log(a + sqrt(a^2 + 1))`` up to 1500,
    ``log(a) + log(2)`` above."""
    b = m.b
    a = b.abs(x)
    small = m.series(a, b.mul(a, a), _ASINH)
    mid = b.log(b.add(a, b.sqrt(b.add(b.mul(a, a), m.c(1.0)))))
    large = b.add(b.log(a), m.c(_LN2))
    y = b.where(b.lesser(a, m.c(0.5)), small,
                b.where(b.greater(a, m.c(1500.0)), large, mid))
    return m.odd(x, y)


def _acosh(m: _Math, x: Operand) -> Operand:
    """Cephes acoshf: ``poly(x - 1) * sqrt(x - 1)`` below 1.5, ``log(x + sqrt((x-1)(x+1)))``
    up to 1500, ``log(x) + log(2)`` above; NaN below 1."""
    b = m.b
    one = m.c(1.0)
    z = b.sub(x, one)
    small = b.mul(m.poly(z, _ACOSH), b.sqrt(z))
    mid = b.log(b.add(x, b.sqrt(b.mul(z, b.add(x, one)))))
    large = b.add(b.log(x), m.c(_LN2))
    y = b.where(b.lesser(z, m.c(0.5)), small,
                b.where(b.greater(x, m.c(1500.0)), large, mid))
    nan = m.c(float("nan"))
    return b.where(b.lesser(x, one), nan, y)


def _atanh(m: _Math, x: Operand) -> Operand:
    """Cephes atanhf: a polynomial below 0.5, ``(log(1 + x) - log(1 - x)) / 2`` above (the
    two logs have opposite signs, so no cancellation; NaN beyond 1, +-inf at +-1)."""
    b = m.b
    a = b.abs(x)
    one = m.c(1.0)
    small = m.series(x, b.mul(x, x), _ATANH)
    big = b.mul(m.c(0.5), b.sub(b.log(b.add(one, x)), b.log(b.sub(one, x))))
    return b.where(b.lesser(a, m.c(0.5)), small, big)


_FUNCTIONS: dict[str, Callable[[_Math, Operand], Operand]] = {
    "Atan": _atan, "Asin": _asin, "Acos": _acos, "Sinh": _sinh, "Cosh": _cosh,
    "Asinh": _asinh, "Acosh": _acosh, "Atanh": _atanh,
}


@translator(*_FUNCTIONS, since=7)
def inverse_hyperbolic(n: NodeView) -> list:
    """ONNX Acos/Asin/Atan (7), Sinh/Cosh/Asinh/Acosh/Atanh (9) (22 adds bfloat16) from
    the Cephes float32 algorithms (see the module docstring); float16 runs in float32."""
    x = n.input(0)
    if x.data_type not in _FLOATS:
        raise n.unsupported(f"input type {x.data_type} (float32/float16 only)", "dtype")
    x32 = x if x.data_type == "float32" else n.b.cast(x, "float32")
    y = _FUNCTIONS[n.node.op_type](_Math(n), x32)
    return [y if x.data_type == "float32" else n.b.cast(y, x.data_type)]
