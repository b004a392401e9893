"""OpenVINO emitters: cast, quantize_linear, dequantize_linear (webnn-spec
§api-mlgraphbuilder-cast, §api-mlgraphbuilder-quantizelinear,
§api-mlgraphbuilder-dequantizelinear).

OpenVINO's ``Convert`` from float to integer types does not saturate (out-of-range values
and NaN become INT_MIN or wrap), and the CPU plugin runs uint32/int64/uint64 tensors as
int32 internally. The float -> integer cast is therefore emulated with float32 clamps and
int32 arithmetic (NaN -> 0, truncation, saturation), matching the reference backend, with
the final ``Convert`` to the target type. Integer -> integer and anything -> float32 map to
a plain ``Convert``; a cast to float16 rounds in float32 arithmetic first
(:func:`round_to_half`), since the CPU plugin computes float16 tensors in float32 and drops
the rounding of a ``Convert`` to f16 that feeds further operations.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import openvino as ov
import openvino.opset16 as ops
from openvino.op import Constant

from ...graph import Node
from ._exact import divide
from ._registry import registry

_INT32_MIN = -(2**31)
#: the largest float32 below 2**31 and below 2**32
_F32_BELOW_2_31 = float(np.nextafter(np.float32(2.0**31), np.float32(0)))
_F32_BELOW_2_32 = float(np.nextafter(np.float32(2.0**32), np.float32(0)))


def _f32(value: float) -> ov.Output:
    return ops.constant(np.float32(value)).output(0)


def _i32(value: int) -> ov.Output:
    return ops.constant(np.int32(value)).output(0)


def _to_i32_saturating(x: ov.Output, lo: float, hi: float) -> ov.Output:
    """float32 ``x`` (no NaN) truncated and saturated to [lo, hi] as int32; ``lo`` and ``hi``
    within the int32 range (``hi`` may be 2**31 - 1, which float32 cannot hold)."""
    hi_f = min(hi, _F32_BELOW_2_31)
    clamped = ops.clamp(x, lo, hi_f)
    result = ops.convert(clamped, ov.Type.i32).output(0)
    if hi_f < hi:
        result = ops.select(ops.greater(x, _f32(hi_f)), _i32(int(hi)), result).output(0)
    return result


def _to_u32_bits_saturating(x: ov.Output) -> ov.Output:
    """float32 ``x`` (no NaN) truncated and saturated to [0, 2**32 - 1], as the int32 with the
    same bits (a final Convert i32 -> u32 reinterprets it)."""
    clamped = ops.clamp(x, 0.0, _F32_BELOW_2_32).output(0)
    big = ops.greater_equal(clamped, _f32(2.0**31))
    # values >= 2**31 are integers: subtract 2**31 exactly, convert, add 2**31 with int32 wrap
    shifted = ops.select(big, ops.subtract(clamped, _f32(2.0**31)), clamped)
    low = ops.convert(shifted, ov.Type.i32)
    bits = ops.add(low, ops.select(big, _i32(_INT32_MIN), _i32(0)))
    return ops.select(ops.greater(x, _f32(_F32_BELOW_2_32)), _i32(-1), bits).output(0)


_INT_RANGES = {
    "i8": (-128.0, 127.0),
    "u8": (0.0, 255.0),
    "i32": (float(_INT32_MIN), 2.0**31 - 1),
    # the CPU plugin keeps 64-bit integers as int32: saturate to what it can hold
    "i64": (float(_INT32_MIN), 2.0**31 - 1),
    "u64": (0.0, 2.0**31 - 1),
}


def float_to_int(x: ov.Output, target: ov.Type) -> ov.Output:
    """Float -> integer cast: NaN -> 0, truncation toward zero, saturation."""
    x = ops.convert(x, ov.Type.f32).output(0)
    x = ops.select(ops.is_nan(x), _f32(0.0), x).output(0)
    name = target.get_type_name()
    if name == "u32":
        bits = _to_u32_bits_saturating(x)
    else:
        lo, hi = _INT_RANGES[name]
        bits = _to_i32_saturating(x, lo, hi)
    return ops.convert(bits, target).output(0)


#: float16's smallest normal value, largest value, and the value from which it rounds to inf
_HALF_MIN_NORMAL = 2.0**-14
_HALF_OVERFLOW = 65520.0
#: Veltkamp's splitter for float32 -> 11 significant bits: 2**(24 - 11) + 1
_HALF_SPLITTER = 2.0**13 + 1


def round_to_half(x: ov.Output) -> ov.Output:
    """float32 ``x`` rounded to the nearest float16 value, ties to even, as float32: the
    spec's ConvertToFloat(x, 16) (subnormals, signed zeros, overflow to +-inf, NaN stays).

    The CPU plugin runs float16 tensors in float32 (INFERENCE_PRECISION_HINT f32) and
    drops a ``Convert`` to f16 between float32 operations, so a cast to float16 followed by
    a cast back to float32 returned the input unrounded. The rounding is therefore computed
    in float32 arithmetic: Veltkamp's split ``c = x * 8193; x - ... = c - (c - x)`` keeps
    the top 11 significant bits rounded to nearest even (float16's precision for normal
    values); below 2**-14 ``round_even(x * 2**24) * 2**-24`` rounds to float16's subnormal
    spacing (both scalings exact; the magic-number ``(x + c) - c`` would be folded to ``x``
    by OpenVINO's constant-chain fusion); from 65520 on the result is +-inf (``x * inf``).
    Checked against numpy's float32 -> float16 conversion on every float16 value, the
    midpoints between them and their neighbours, and a sample of all float32 bit patterns
    (tests/core/ops/test_special_values.py)."""
    f32 = ov.Type.f32
    if x.get_element_type() != f32:
        x = ops.convert(x, f32).output(0)
    magnitude = ops.abs(x)
    c = ops.multiply(x, _f32(_HALF_SPLITTER))
    normal = ops.subtract(c, ops.subtract(c, x))
    subnormal = ops.multiply(ops.round(ops.multiply(x, _f32(2.0**24)), "half_to_even"),
                             _f32(2.0**-24))
    y = ops.select(ops.less(magnitude, _f32(_HALF_MIN_NORMAL)), subnormal, normal)
    overflow = ops.less_equal(_f32(_HALF_OVERFLOW), magnitude)
    return ops.select(overflow, ops.multiply(x, _f32(np.inf)), y).output(0)


def cast_output(x: ov.Output, target: ov.Type) -> ov.Output:
    """The cast operator (see the module docstring)."""
    source = x.get_element_type()
    if source == target:
        return ops.convert(x, target).output(0)
    if source.is_real() and not target.is_real():
        return float_to_int(x, target)
    if target == ov.Type.f16:
        return ops.convert(round_to_half(x), target).output(0)
    return ops.convert(x, target).output(0)


def _ov_type(data_type: str) -> ov.Type:
    return ov.Type(np.dtype(data_type))


@registry.register("cast")
def cast(node: Node, x: ov.Output) -> ov.Output:
    return cast_output(x, _ov_type(node.attrs["data_type"]))


def blockwise_expand(x: ov.Output, from_shape: tuple[int, ...],
                     to_shape: tuple[int, ...]) -> ov.Output:
    """Repeat each element by ``to_shape[axis] // from_shape[axis]`` along every axis: reshape
    to interleaved ``[s0, 1, s1, 1, ...]``, broadcast to ``[s0, r0, s1, r1, ...]``, reshape."""
    if all(have in (1, want) for have, want in zip(from_shape, to_shape, strict=True)):
        return x  # plain broadcasting: element-wise ops broadcast it without a copy
    interleaved: list[int] = []
    expanded: list[int] = []
    for have, want in zip(from_shape, to_shape, strict=True):
        interleaved += [have, 1]
        expanded += [have, want // have]
    y = ops.reshape(x, ops.constant(np.array(interleaved, np.int64)), False)
    y = ops.broadcast(y, ops.constant(np.array(expanded, np.int64)))
    return ops.reshape(y, ops.constant(np.array(to_shape, np.int64)), False).output(0)


#: element types whose every value float32 holds exactly, so that a Constant of them is
#: converted to float32 when emitted (numpy's conversion then equals OpenVINO's Convert)
_EXACT_IN_F32 = frozenset({"i8", "u8", "i16", "u16", "f16", "f32"})


def _as_f32(x: ov.Output) -> ov.Output:
    """``cast(x, "float32")``: ``x`` itself when already float32; a float32 Constant when
    ``x`` is a Constant of a type float32 holds exactly (the conversion is exact either
    way, and the dequantization's zero point then reaches OpenVINO as the constant it is:
    one node instead of two in each of its compile passes); else a Convert."""
    source = x.get_element_type()
    if source == ov.Type.f32:
        return x
    node = x.get_node()
    if node.get_type_name() == "Constant" and source.get_type_name() in _EXACT_IN_F32:
        return Constant(np.array(node.get_data(), dtype=np.float32)).output(0)
    return ops.convert(x, ov.Type.f32).output(0)


def _expanded(node: Node, x: ov.Output, index: int,
              as_type: Callable[[ov.Output], ov.Output]) -> ov.Output:
    """Input ``index`` of ``node`` (scale or zero point) converted by ``as_type`` and
    expanded block-wise to the input's shape."""
    return blockwise_expand(as_type(x), node.inputs[index].shape, node.inputs[0].shape)


def _zero_constant(x: ov.Output) -> bool:
    """``x`` is a Constant holding zeros only."""
    node = x.get_node()
    if node.get_type_name() != "Constant":
        return False
    data = node.get_data()
    return data.size > 0 and not np.any(data)


#: 8-bit input types: ``input - zeroPoint`` is exact in int32 (and float32)
_NARROW = frozenset({"i8", "u8"})


def _as_i32(x: ov.Output) -> ov.Output:
    """``x`` (an 8-bit integer) as int32: a Constant where ``x`` is one."""
    node = x.get_node()
    if node.get_type_name() == "Constant":
        return Constant(np.array(node.get_data(), dtype=np.int32)).output(0)
    return ops.convert(x, ov.Type.i32).output(0)


def _rounded_to_scale_type(result: ov.Output, scale: ov.Output) -> ov.Output:
    if scale.get_element_type() == ov.Type.f32:
        return result
    return ops.convert(result, scale.get_element_type()).output(0)


@registry.register("dequantize_linear")
def dequantize_linear(node: Node, x: ov.Output, scale: ov.Output,
                      zero_point: ov.Output) -> ov.Output:
    """(cast(input) - cast(zeroPoint)) * scale in float32, rounded once to the scale's type
    (webnn-spec §api-mlgraphbuilder-dequantizelinear). For 8-bit inputs the
    difference is taken in int32 (exact, as in float32) and converted: OpenVINO's CPU
    plugin folds a float Subtract and Multiply by constants into one fused multiply-add
    with ``-(zeroPoint * scale)`` rounded first, off by several ULP. Where a quantized
    operator reads the result, :func:`dequantize_low_precision` is emitted instead
    (``_fusion.py``). A zero point that is a Constant of zeros is not subtracted (``v - 0``
    is ``v``, and the zero point broadcasts to the input's shape)."""
    if _zero_constant(zero_point):
        xf = ops.convert(x, ov.Type.f32).output(0)
    elif x.get_element_type().get_type_name() in _NARROW:
        difference = ops.subtract(_as_i32(x), _expanded(node, zero_point, 2, _as_i32))
        xf = ops.convert(difference, ov.Type.f32).output(0)
    else:
        xf = ops.subtract(ops.convert(x, ov.Type.f32),
                          _expanded(node, zero_point, 2, _as_f32)).output(0)
    result = ops.multiply(xf, _expanded(node, scale, 1, _as_f32)).output(0)
    return _rounded_to_scale_type(result, scale)


def dequantize_low_precision(node: Node, x: ov.Output, scale: ov.Output,
                             zero_point: ov.Output) -> ov.Output:
    """dequantize_linear as OpenVINO's dequantization pattern (Convert, Subtract, Multiply
    in float32), which its low-precision transformations (LPT) move through the quantized
    operators reading it and run on integers (a convolution accumulates the integers
    exactly and scales once). Emitted only where such operators read the result
    (``_fusion.py``): on its own the pattern is folded into a fused multiply-add (see
    :func:`dequantize_linear`). A zero point that is a Constant of zeros is not subtracted,
    and no Convert is written where a value already has its target type: these change no
    value, only how many nodes OpenVINO's compile walks."""
    xf = ops.convert(x, ov.Type.f32).output(0)
    if not _zero_constant(zero_point):
        xf = ops.subtract(xf, _expanded(node, zero_point, 2, _as_f32)).output(0)
    result = ops.multiply(xf, _expanded(node, scale, 1, _as_f32)).output(0)
    return _rounded_to_scale_type(result, scale)


#: integer types quantize_linear can emit as a FakeQuantize: (qmin, qmax)
_FAKE_QUANTIZE_RANGES = {"i8": (-128, 127), "u8": (0, 255)}


def _fake_quantize(node: Node, x: ov.Output, scale: ov.Output,
                   zero_point: ov.Output) -> ov.Output | None:
    """quantize_linear with constant per-tensor or per-axis parameters as OpenVINO's
    FakeQuantize (+ Convert), the form its low-precision transformations (LPT) run in int8.

    With ``lo = (qmin - zp) * scale`` and ``hi = (qmax - zp) * scale`` and output range
    ``[qmin, qmax]`` over 2^8 levels, FakeQuantize computes ``roundEven(x / scale + zp -
    qmin) + qmin`` clamped to ``[qmin, qmax]``, evaluated as ``x * (1 / scale) + shift``
    (and, once LPT folds it into a producing convolution, as that kernel's requantization).
    That is the operator's ``saturate(roundEven(x / scale) + zp)`` except at ties: when
    ``zp - qmin`` is odd, an exact half-integer ``x / scale`` rounds to the other neighbour,
    and the reciprocal and the folded shift can move a value within a few ulps of a
    half-integer across it. Either way the result is one quantization step away from the
    exact one, at (near) ties only -- within the conformance tolerance of the operator: the
    WPT tests (webnn/conformance_tests/quantizeLinear.https.any.js,
    ``getQuantizeLinearPrecisionTolerance``) accept 1 ULP of int8/uint8/int4/uint4 outputs,
    i.e. one step. The reference backend stays exact. None when the parameters are not
    finite positive-scale constants of a plain broadcast shape.
    """
    target = zero_point.get_element_type().get_type_name()
    if target not in _FAKE_QUANTIZE_RANGES or x.get_element_type() != ov.Type.f32:
        return None
    s_node, z_node = scale.get_node(), zero_point.get_node()
    if s_node.get_type_name() != "Constant" or z_node.get_type_name() != "Constant":
        return None
    in_shape = node.inputs[0].shape
    for index in (1, 2):
        shape = node.inputs[index].shape
        if not all(have in (1, want) for have, want in zip(shape, in_shape, strict=True)):
            return None
    s = s_node.get_data().astype(np.float64)
    z = z_node.get_data().astype(np.float64)
    if not np.all(np.isfinite(s)) or np.any(s <= 0):
        return None
    qmin, qmax = _FAKE_QUANTIZE_RANGES[target]
    s, z = np.broadcast_arrays(s, z)
    lo = ((qmin - z) * s).astype(np.float32)
    hi = ((qmax - z) * s).astype(np.float32)
    fq = ops.fake_quantize(x, Constant(lo), Constant(hi),
                           Constant(np.array(qmin, np.float32)),
                           Constant(np.array(qmax, np.float32)), qmax - qmin + 1)
    return ops.convert(fq, zero_point.get_element_type()).output(0)


@registry.register("quantize_linear")
def quantize_linear(node: Node, x: ov.Output, scale: ov.Output,
                    zero_point: ov.Output) -> ov.Output:
    fake = _fake_quantize(node, x, scale, zero_point)
    if fake is not None:
        return fake
    # saturating cast(roundEven(input / scale) + cast(zeroPoint)) in float32
    xf = ops.convert(x, ov.Type.f32)
    sf = _expanded(node, scale, 1, _as_f32)
    zf = _expanded(node, zero_point, 2, _as_f32)
    q = ops.add(ops.round(divide(xf, sf), "half_to_even"), zf).output(0)
    return float_to_int(q, zero_point.get_element_type())
