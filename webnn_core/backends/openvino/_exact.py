"""Exact integer comparisons on OpenVINO's CPU plugin.

The CPU plugin compares (and takes max/min of) int32 tensors through float32, so values
that differ beyond 2**24 can compare equal; 64-bit and uint32 tensors are narrowed to int32
first (see the package docstring). Splitting each value into its high and low 16 bits gives
halves that float32 holds exactly, and comparing the halves lexicographically is exact.
"""

from __future__ import annotations

import numpy as np
import openvino as ov
import openvino.opset16 as ops

#: data types the CPU plugin narrows to int32: the range it holds exactly. The backend runs
#: graphs whose inputs or constants leave it on the reference, so emitters may rely on it.
NARROWED_RANGE = {"int64": (-(2**31), 2**31 - 1), "uint64": (0, 2**31 - 1),
                  "uint32": (0, 2**31 - 1)}

#: element types the CPU plugin compares through float32 or narrows to int32
WIDE_INTEGERS = {ov.Type.i32, ov.Type.i64, ov.Type.u32, ov.Type.u64}


def is_wide_integer(x: ov.Output) -> bool:
    return x.get_element_type() in WIDE_INTEGERS


def _const(x: ov.Output, value: int) -> ov.Output:
    return ops.constant(np.array(value, dtype=x.get_element_type().to_dtype())).output(0)


def split16(x: ov.Output) -> tuple[ov.Output, ov.Output]:
    """``(x >> 16, x & 0xFFFF)`` of an integer tensor: both exact in float32."""
    high = ops.bitwise_right_shift(x, _const(x, 16)).output(0)
    low = ops.bitwise_and(x, _const(x, 0xFFFF)).output(0)
    return high, low


_NATIVE = {
    "equal": ops.equal,
    "not_equal": ops.not_equal,
    "greater": ops.greater,
    "greater_or_equal": ops.greater_equal,
    "lesser": ops.less,
    "lesser_or_equal": ops.less_equal,
}

#: float comparisons as the CPU plugin computes them right: its Greater / GreaterEqual
#: answer true whenever an operand is NaN (measured on openvino 2026.4: greater(NaN, 1),
#: greater(1, NaN) and greater(NaN, NaN) are all true), while Less / LessEqual / Equal /
#: NotEqual follow IEEE 754 (NaN compares false except not_equal). ``a > b`` is ``b < a``.
_FLOAT = {
    "equal": ops.equal,
    "not_equal": ops.not_equal,
    "greater": lambda a, b: ops.less(b, a),
    "greater_or_equal": lambda a, b: ops.less_equal(b, a),
    "lesser": ops.less,
    "lesser_or_equal": ops.less_equal,
}


def compare(op: str, a: ov.Output, b: ov.Output) -> ov.Output:
    """Boolean ``a <op> b`` (op: a WebNN comparison name): IEEE 754 for floats (a NaN
    operand compares false, except for not_equal), exact for wide integers."""
    if a.get_element_type().is_real():
        return _FLOAT[op](a, b).output(0)
    if not is_wide_integer(a):
        return _NATIVE[op](a, b).output(0)
    a_high, a_low = split16(a)
    b_high, b_low = split16(b)
    if op in ("equal", "not_equal"):
        same = ops.logical_and(ops.equal(a_high, b_high), ops.equal(a_low, b_low)).output(0)
        return same if op == "equal" else ops.logical_not(same).output(0)
    strict = {"greater": ops.greater, "greater_or_equal": ops.greater,
              "lesser": ops.less, "lesser_or_equal": ops.less}[op]
    return ops.logical_or(
        strict(a_high, b_high),
        ops.logical_and(ops.equal(a_high, b_high), _NATIVE[op](a_low, b_low)),
    ).output(0)


def _f32(value: float) -> ov.Output:
    return ops.constant(np.float32(value)).output(0)


def constant_data(value: ov.Output) -> np.ndarray | None:
    """The data of ``value`` when it is the output of a Constant node, else None."""
    node = value.get_node()
    return np.asarray(node.get_data()) if node.get_type_name() == "Constant" else None


def nan_free_constant(value: ov.Output) -> bool:
    """Whether ``value`` is a constant holding no NaN."""
    data = constant_data(value)
    return data is not None and not (data.dtype.kind == "f" and np.isnan(data).any())


def _split(x: ov.Output) -> tuple[ov.Output, ov.Output]:
    """Veltkamp split of float32 ``x`` into a high and low half of 12 bits each."""
    t = ops.multiply(x, _f32(4097.0))
    high = ops.subtract(t, ops.subtract(t, x))
    return high.output(0), ops.subtract(x, high).output(0)


#: float32's smallest normal value; the CPU plugin's Divide takes a smaller divisor for 0
_MIN_NORMAL = 2.0**-126
#: below this dividend magnitude the error-free product of the correction underflows
_TINY_DIVIDEND = 2.0**-100


def _corrected_divide(a: ov.Output, b: ov.Output) -> ov.Output:
    q0 = ops.divide(a, b).output(0)
    q_high, q_low = _split(q0)
    b_high, b_low = _split(b)
    p = ops.multiply(q0, b)
    e = ops.add(ops.add(ops.add(ops.subtract(ops.multiply(q_high, b_high), p),
                                ops.multiply(q_high, b_low)),
                        ops.multiply(q_low, b_high)),
                ops.multiply(q_low, b_low))
    residual = ops.subtract(ops.subtract(a, p), e)
    q = ops.add(q0, ops.divide(residual, b))
    keep = ops.logical_or(ops.is_nan(q), ops.less(ops.abs(a), _f32(_TINY_DIVIDEND)))
    return ops.select(keep, q0, q).output(0)


def divide(a: ov.Output, b: ov.Output) -> ov.Output:
    """``a / b`` correctly rounded for float32 (as IEEE division and the reference are).

    The CPU plugin's float32 Divide is off by one ULP for about a quarter of all quotients,
    which flips round-half-even results (quantization). The quotient ``q0`` is corrected
    with the exact residual ``a - q0 * b`` (Dekker's error-free product):
    ``q = q0 + (a - q0 * b) / b``. ``q0`` is kept where the splitting overflows (operands
    or quotient beyond ~8e34, infinities: the correction is NaN) and where the dividend is
    below 2**-100 (the product underflows; this also keeps the sign of a zero quotient,
    which ``-0 + 0`` would lose).

    The CPU plugin's Divide also reads a subnormal divisor as zero (``0 / 1e-45`` is NaN,
    ``1e-45 / 1e-45`` inf): a divisor that may be subnormal (any non-constant one, or a
    constant holding a subnormal) is scaled by 2**24 and the quotient scaled back, which
    is exact. Other types divide natively.
    """
    if a.get_element_type() != ov.Type.f32:
        return ops.divide(a, b).output(0)
    data = constant_data(b)
    if data is not None:
        magnitude = np.abs(data)
        if not ((magnitude > 0) & (magnitude < _MIN_NORMAL)).any():
            return _corrected_divide(a, b)
    subnormal = ops.less(ops.abs(b), _f32(_MIN_NORMAL)).output(0)
    scale = _f32(2.0**24)
    scaled = ops.select(subnormal, ops.multiply(b, scale), b).output(0)
    q = _corrected_divide(a, scaled)
    return ops.select(subnormal, ops.multiply(q, scale), q).output(0)
