"""ONNX quantization ops: QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear; QLinearConv
and QLinearMatMul are refused.

ONNX's scale/zero point are per tensor (a scalar or one-element 1-D tensor), per axis (1-D,
``axis``, -13+) or, since opset 21, per block (``block_size``: same rank as the input, the
``axis`` dimension ``ceil(D / block_size)``). WebNN wants them at the input's rank and
"blockwise broadcasts" them (each input dimension a multiple of the parameter's): per-tensor
and per-axis parameters are reshaped to that rank, and blocks are exact when
``block_size`` divides D (a partial last block has no WebNN equivalent).
"""

from __future__ import annotations

import math

import numpy as np
import onnx

import webnn_core as webnn

from ..translator import NodeView, translator
from .shape import norm_axis, reshape

Operand = webnn.MLOperand
#: ONNX ``output_dtype`` values QuantizeLinear-21 may name that WebNN has
_OUTPUT_TYPES = {onnx.TensorProto.UINT8: "uint8", onnx.TensorProto.INT8: "int8"}


def _param_shape(n: NodeView, param: tuple[int, ...], x: tuple[int, ...]) -> list[int]:
    """The WebNN (blockwise broadcastable) shape of a scale or zero point of ONNX shape
    ``param`` for input shape ``x``."""
    rank = len(x)
    size = math.prod(param)
    block_size = int(n.attr("block_size", 0))
    if block_size == 0 and size == 1:
        return [1] * rank
    axis = norm_axis(n, n.attr("axis", 1), rank)
    if block_size == 0:
        if len(param) != 1 or param[0] != x[axis]:
            raise n.unsupported(f"per-axis scale shape {list(param)} must be [{x[axis]}] "
                                f"(input shape {list(x)}, axis {axis})", "shape")
        return [x[axis] if d == axis else 1 for d in range(rank)]
    expected = [-(-x[d] // block_size) if d == axis else x[d] for d in range(rank)]
    if list(param) != expected:
        raise n.unsupported(f"blocked scale shape {list(param)} must be {expected}", "shape")
    if x[axis] % block_size:
        raise n.unsupported(f"block_size {block_size} does not divide the input size "
                            f"{x[axis]} (a partial last block has no WebNN equivalent)",
                            "shape")
    return expected


def _scale_and_zero_point(n: NodeView, x: Operand,
                          zero_point_type: str) -> tuple[Operand, Operand]:
    """Scale (input 1) and zero point (input 2, zeros of ``zero_point_type`` when absent)
    at the input's rank."""
    scale = n.input(1)
    shape = _param_shape(n, tuple(scale.shape), tuple(x.shape))
    scale = reshape(n, scale, shape)
    if n.has_input(2):
        zero_point = reshape(n, n.input(2), shape)
    else:
        dtype = webnn.MLOperandDescriptor(zero_point_type, ()).numpy_dtype
        zero_point = n.constant(np.zeros(shape, dtype))
    return scale, zero_point


@translator("QuantizeLinear", since=10)
def quantize_linear(n: NodeView) -> list:
    """QuantizeLinear-10 (per tensor), -13 (``axis``), -19 (``saturate``, float8 only),
    -21 (``block_size``, ``output_dtype``): ``saturate(roundEven(x / scale) + zero_point)``
    to uint8 (default) or int8; WebNN's quantizeLinear is the same formula."""
    x = n.input(0)
    if n.has_input(2):
        zero_point_type = n.data_type(2)
    else:
        output_dtype = int(n.attr("output_dtype", 0)) or onnx.TensorProto.UINT8
        if output_dtype not in _OUTPUT_TYPES:
            raise n.unsupported(f"output_dtype {output_dtype} has no WebNN data type", "dtype")
        zero_point_type = _OUTPUT_TYPES[output_dtype]
    scale, zero_point = _scale_and_zero_point(n, x, zero_point_type)
    return [n.b.quantize_linear(x, scale, zero_point)]


@translator("DequantizeLinear", since=10)
def dequantize_linear(n: NodeView) -> list:
    """DequantizeLinear-10 (per tensor), -13 (``axis``), -19, -21 (``block_size``):
    ``(x - zero_point) * scale`` (a zero point of 0 when absent); WebNN's
    dequantizeLinear is the same formula."""
    x = n.input(0)
    scale, zero_point = _scale_and_zero_point(n, x, x.data_type)
    return [n.b.dequantize_linear(x, scale, zero_point)]


@translator("DynamicQuantizeLinear", since=11)
def dynamic_quantize_linear(n: NodeView) -> list:
    """DynamicQuantizeLinear-11: uint8 quantization with the range [min(x, 0), max(x, 0)]
    mapped onto [0, 255]: ``scale = (max - min) / 255``, ``zero_point =
    saturate(roundEven(0 - min / scale))``, ``y = saturate(roundEven(x / scale) +
    zero_point)``. Like ONNX Runtime, a zero range (x all 0) takes scale 1 instead of
    dividing by 0."""
    x = n.input(0)
    b = n.b
    if x.data_type != "float32":
        raise n.unsupported(f"input type {x.data_type} (ONNX allows float32 only)", "dtype")
    zero = b.constant("float32", 0.0)
    low = b.min(b.reduce_min(x), zero)
    high = b.max(b.reduce_max(x), zero)
    scale = b.where(b.equal(high, low), b.constant("float32", 1.0),
                    b.div(b.sub(high, low), b.constant("float32", 255.0)))
    zero_point = b.cast(b.clamp(b.round_even(b.sub(zero, b.div(low, scale))),
                                min_value=0.0, max_value=255.0), "uint8")
    rank_one = [1] * len(x.shape)
    y = b.quantize_linear(x, b.reshape(scale, rank_one), b.reshape(zero_point, rank_one))
    return [y, scale, zero_point]


@translator("QLinearConv", "QLinearMatMul", since=10)
def qlinear(n: NodeView) -> list:
    """QLinearConv/QLinearMatMul accumulate integer products exactly (int32) and requantize
    once; WebNN's conv2d/matmul are float-only, and a dequantize -> float op -> quantize
    chain rounds differently (each dequantized value and the float sums are rounded), so
    the quantized outputs could differ by one step: refused."""
    raise n.unsupported("WebNN has no integer conv/matmul; a float decomposition is not "
                        "exact (see the translator's docstring)")
