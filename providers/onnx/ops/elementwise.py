"""ONNX element-wise ops: arithmetic, comparison, logical and unary math, and integer Mod.

ONNX's multidirectional broadcasting is WebNN's bidirectional broadcasting, so binary ops
map one to one; variadic Max/Min/Sum/Mean fold pairwise. Integer Mod is an exact
decomposition; float Mod (C ``fmod``) cannot be computed exactly with WebNN's float ops and
is refused. The inverse trigonometric and hyperbolic functions are in trigonometric.py.
"""

from __future__ import annotations

from ..translator import NodeView, translator

_BINARY = {"Add": "add", "Sub": "sub", "Mul": "mul", "Div": "div", "Pow": "pow"}


@translator(*_BINARY)
def binary(n: NodeView) -> list:
    a, b = n.input(0), n.input(1)
    if n.node.op_type == "Pow" and b.data_type != a.data_type:
        b = n.b.cast(b, a.data_type)  # ONNX Pow may raise to an exponent of another type
    return [getattr(n.b, _BINARY[n.node.op_type])(a, b)]


_VARIADIC = {"Max": "max", "Min": "min", "Sum": "add", "Mean": "add"}


@translator(*_VARIADIC)
def variadic(n: NodeView) -> list:
    operands = [n.input(i) for i in range(n.num_inputs) if n.has_input(i)]
    if not operands:
        raise n.unsupported("needs at least one input")
    method = getattr(n.b, _VARIADIC[n.node.op_type])
    result = operands[0]
    for operand in operands[1:]:
        result = method(result, operand)
    if n.node.op_type == "Mean" and len(operands) > 1:
        result = n.b.div(result, n.constant(len(operands), result.data_type))
    elif len(operands) == 1:
        result = n.b.identity(result)
    return [result]


_COMPARE = {"Equal": "equal", "Greater": "greater", "GreaterOrEqual": "greater_or_equal",
            "Less": "lesser", "LessOrEqual": "lesser_or_equal"}


@translator(*_COMPARE)
def compare(n: NodeView) -> list:
    return [getattr(n.b, _COMPARE[n.node.op_type])(n.input(0), n.input(1))]


_LOGICAL = {"And": "logical_and", "Or": "logical_or", "Xor": "logical_xor"}


@translator(*_LOGICAL)
def logical(n: NodeView) -> list:
    return [getattr(n.b, _LOGICAL[n.node.op_type])(n.input(0), n.input(1))]


@translator("Not")
def logical_not(n: NodeView) -> list:
    return [n.b.logical_not(n.input(0))]


_UNARY = {"Abs": "abs", "Ceil": "ceil", "Cos": "cos", "Erf": "erf", "Exp": "exp",
          "Floor": "floor", "Log": "log", "Neg": "neg", "Reciprocal": "reciprocal",
          "Round": "round_even", "Sin": "sin", "Sign": "sign", "Sqrt": "sqrt", "Tan": "tan",
          "Identity": "identity", "IsNaN": "is_nan"}


@translator(*_UNARY)
def unary(n: NodeView) -> list:
    return [getattr(n.b, _UNARY[n.node.op_type])(n.input(0))]


@translator("IsInf")
def is_inf(n: NodeView) -> list:
    x = n.input(0)
    pos, neg = n.attr("detect_positive", 1), n.attr("detect_negative", 1)
    if pos and neg:
        return [n.b.is_infinite(x)]
    inf = n.b.is_infinite(x)
    zero = n.constant(0, x.data_type)
    side = n.b.greater(x, zero) if pos else n.b.lesser(x, zero)
    if not pos and not neg:
        return [n.b.logical_and(inf, n.b.logical_not(inf))]
    return [n.b.logical_and(inf, side)]


_FLOATS = ("float32", "float16")
_SIGNED = ("int8", "int32", "int64")


# -- Mod ----------------------------------------------------------------------------------
@translator("Mod", since=10)
def mod(n: NodeView) -> list:
    """ONNX Mod (10, 13: types only) on integers: the truncated remainder
    ``t = a - b * (a / b)`` (WebNN's integer division truncates toward zero) is C's ``%``
    (``fmod`` = 1); ``fmod`` = 0 takes the divisor's sign, ``t + b`` where ``t`` is nonzero
    and its sign differs from ``b``'s. A divisor of -1 gives 0 directly (``MIN / -1``
    overflows). Float Mod (C ``fmod``, or the floored modulo with ``fmod`` = 0) is refused:
    ``a - b * trunc(a / b)`` rounds in float arithmetic and is not the exact remainder."""
    a, b = n.input(0), n.input(1)
    fmod = int(n.attr("fmod", 0))
    if a.data_type in _FLOATS:
        kind = "C fmod" if fmod else "floored modulo"
        raise n.unsupported(f"float Mod ({kind}) has no exact WebNN decomposition", "dtype")
    if b.data_type != a.data_type:
        raise n.unsupported(f"divisor type {b.data_type} differs from {a.data_type}", "dtype")
    t = n.b.sub(a, n.b.mul(b, n.b.div(a, b)))
    if a.data_type not in _SIGNED:
        return [t]
    zero = n.constant(0, a.data_type)
    t = n.b.where(n.b.equal(b, n.constant(-1, a.data_type)), zero, t)
    if fmod:
        return [t]
    differs = n.b.logical_and(n.b.not_equal(t, zero),
                              n.b.not_equal(n.b.lesser(t, zero), n.b.lesser(b, zero)))
    return [n.b.where(differs, n.b.add(t, b), t)]
