"""Convolutions: CONV_2D (incl. grouped), DEPTHWISE_CONV_2D, TRANSPOSE_CONV.

TFLite keeps activations in NHWC and filters in OHWI (depthwise: ``[1, H, W, C * M]``);
they map onto WebNN's ``conv2d`` / ``conv_transpose2d`` (webnn-spec §api-mlgraphbuilder-conv2d,
§api-mlgraphbuilder-convtranspose2d) with ``input_layout="nhwc"`` and the matching filter
layout, bias included, so no activation is ever transposed.

Padding is TFLite's ``ComputePaddingHeightWidth`` (``kernels/padding.h``): for SAME the output
is ``ceil(in / stride)``, for VALID ``(in - effective_k + stride) // stride``, and the
total padding ``max((out - 1) * stride + effective_k - in, 0)`` is split with the smaller
half first (``before = total // 2``).

Quantized (int8 with per-channel weights, uint8 per tensor) convolutions compute in real
values: the weights stay int8/uint8 constants behind ``dequantize_linear`` and the int32 bias
becomes ``bias_q * input_scale * filter_scale[c]``, which is what TFLite's integer kernels
add to their accumulators (``PopulateConvolutionQuantizationParams``).
"""

from __future__ import annotations

from ctypes import c_int

import numpy as np

import webnn_core as webnn

from ..model import FLOAT32, INT8, INT16, INT32, UINT8, TensorInfo
from ..translator import ACTIVATION, PADDING, OpView, Params, translator


class ConvParams(Params):
    """``TfLiteConvParams`` (later members, e.g. ``quantized_bias_type``, are not read)."""

    _fields_ = [("padding", c_int), ("stride_width", c_int), ("stride_height", c_int),
                ("activation", c_int), ("dilation_width_factor", c_int),
                ("dilation_height_factor", c_int)]
    _enums_ = {"padding": PADDING, "activation": ACTIVATION}


class DepthwiseConvParams(Params):
    """``TfLiteDepthwiseConvParams``."""

    _fields_ = [("padding", c_int), ("stride_width", c_int), ("stride_height", c_int),
                ("depth_multiplier", c_int), ("activation", c_int),
                ("dilation_width_factor", c_int), ("dilation_height_factor", c_int)]
    _enums_ = {"padding": PADDING, "activation": ACTIVATION}


class TransposeConvParams(Params):
    """``TfLiteTransposeConvParams``."""

    _fields_ = [("padding", c_int), ("stride_width", c_int), ("stride_height", c_int),
                ("activation", c_int)]
    _enums_ = {"padding": PADDING, "activation": ACTIVATION}


# padding ------------------------------------------------------------------------------------

def tflite_padding(v: OpView, padding: str, size: int, kernel: int, stride: int,
                   dilation: int = 1) -> tuple[int, int]:
    """(before, after) padding of one spatial dimension, as TFLite computes it for SAME and
    VALID (``ComputePaddingHeightWidth``; VALID always gives 0)."""
    if stride <= 0 or dilation <= 0:
        raise v.unsupported(f"stride {stride} / dilation {dilation} must be positive")
    effective = (kernel - 1) * dilation + 1
    if padding == "SAME":
        out = (size + stride - 1) // stride
    elif padding == "VALID":
        out = (size + stride - effective) // stride
    else:
        raise v.unsupported(f"padding {padding}")
    total = max((out - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def padding_hw(v: OpView, size_hw: tuple[int, int], kernel_hw: tuple[int, int],
               strides: tuple[int, int], dilations: tuple[int, int] = (1, 1)) -> list[int]:
    """WebNN's ``[top, bottom, left, right]`` for the op's ``padding`` option."""
    padding = v.option("padding")
    top, bottom = tflite_padding(v, padding, size_hw[0], kernel_hw[0], strides[0], dilations[0])
    left, right = tflite_padding(v, padding, size_hw[1], kernel_hw[1], strides[1], dilations[1])
    return [top, bottom, left, right]


def strides_of(v: OpView) -> tuple[int, int]:
    return v.option("stride_height"), v.option("stride_width")


def dilations_of(v: OpView) -> tuple[int, int]:
    return v.option("dilation_height_factor", 1), v.option("dilation_width_factor", 1)


# types, weights and bias ----------------------------------------------------------------------

def check_weighted_types(v: OpView, x: int, w: int, bias: int | None) -> None:
    """TFLite's type rules for an op with weights, restricted to what is translated exactly:
    all-float32, or int8/uint8 activations with weights of the same type and an int32 bias,
    or a hybrid CONV_2D (:func:`check_hybrid`). Other hybrid ops (float input, integer
    weights: TFLite quantizes the input on the fly) and 16x8 quantization (int16
    activations) are refused."""
    xi, wi, out = v.tensor(x), v.tensor(w), v.out_tensor()
    if INT16 in (xi.type, out.type):
        raise v.unsupported("int16 activations (16x8 quantization) are not supported", "dtype")
    bi = v.tensor(bias) if bias is not None and v.has_input(bias) else None
    if xi.type == FLOAT32:
        if wi.type != FLOAT32 and v.op.op == "CONV_2D":
            check_hybrid(v, w, bi)
            return
        if wi.type != FLOAT32:
            raise v.unsupported(f"hybrid op: float32 input with {wi.type_name} weights (TFLite "
                                "quantizes the input at run time)", "quantization")
        if out.type != FLOAT32 or (bi is not None and bi.type != FLOAT32):
            raise v.unsupported("float32 input needs float32 weights, bias and output", "dtype")
        return
    if xi.type not in (INT8, UINT8):
        raise v.unsupported(f"{xi.type_name} input", "dtype")
    if wi.type != xi.type or out.type != xi.type:
        raise v.unsupported(f"{xi.type_name} input needs {xi.type_name} weights and output, "
                            f"got {wi.type_name} and {out.type_name}", "dtype")
    if not (xi.is_quantized and wi.is_quantized and out.is_quantized):
        raise v.unsupported("integer input, weights and output must be quantized",
                            "quantization")
    if bi is not None and bi.type != INT32:
        raise v.unsupported(f"quantized op with a {bi.type_name} bias (int32 expected)", "dtype")


def check_hybrid(v: OpView, w: int, bias: TensorInfo | None) -> None:
    """A hybrid CONV_2D (float32 input and output, int8 weights, conv.cc ``EvalHybrid`` /
    ``EvalHybridPerChannel``) is translated as the float convolution with the weights
    dequantized (``dequantize_linear`` on the int8 constant). TFLite's kernel instead
    quantizes the input per batch on the fly (symmetric to int8 with ``max|x| / 127`` for one
    weight scale, asymmetric with ``(max - min) / 255`` for per-channel scales), accumulates
    in int32 and rescales: it departs from the float convolution by at most
    ``sum|w_real| * e`` per output, with ``e`` half an input step (symmetric) or one step
    (asymmetric, the nudged zero point can clamp an extreme value). The kernels ignore the
    weights' zero point and the dilation (they assume symmetric weights and run dilation 1),
    so those cases are refused."""
    wi = v.tensor(w)
    out = v.out_tensor()
    if wi.type != INT8 or not wi.is_quantized or v.const(w) is None:
        raise v.unsupported(f"hybrid op: float32 input with {wi.type_name} weights (only "
                            "constant, quantized int8 weights are dequantized)", "quantization")
    if np.any(wi.quantization.zero_point != 0):
        raise v.unsupported("hybrid op: weights with a non-zero zero point (TFLite's hybrid "
                            "kernels ignore it)", "quantization")
    if dilations_of(v) != (1, 1):
        raise v.unsupported(f"hybrid op with dilations {list(dilations_of(v))} (TFLite's hybrid "
                            "kernels run dilation 1 whatever the option)")
    if out.type != FLOAT32 or (bias is not None and bias.type != FLOAT32):
        raise v.unsupported("hybrid op: float32 input needs float32 bias and output", "dtype")


def bias_operand(v: OpView, b: int, x: int, w: int, channels: int) -> webnn.MLOperand | None:
    """Input ``b`` as a float ``[channels]`` bias, or None when it is omitted. A quantized
    (int32) constant bias is ``bias_q * input_scale * weight_scale[c]`` computed in numpy: the
    accumulator scale TFLite's integer kernels assume for it."""
    if not v.has_input(b):
        return None
    info = v.tensor(b)
    if info.shape != (channels,):
        raise v.unsupported(f"bias shape {list(info.shape)} must be [{channels}]", "shape")
    if not info.is_quantized and info.type != INT32:
        return v.input(b)
    data = v.const(b)
    if data is None:
        if not info.is_quantized:
            raise v.unsupported("non-constant int32 bias without quantization", "quantization")
        return v.float_input(b)
    x_scale = float(v.tensor(x).quantization.scale[0])
    w_scale = v.tensor(w).quantization.scale.astype(np.float64)
    if w_scale.size not in (1, channels):
        raise v.unsupported(f"{w_scale.size} weight scales for {channels} output channels",
                            "quantization")
    real = data.astype(np.float64) * (x_scale * w_scale)
    return v.constant(real.astype(np.float32))


def check_per_channel_axis(v: OpView, w: int, axis: int) -> None:
    """Per-channel weight scales must run along the output channels (``axis``)."""
    q = v.tensor(w).quantization
    if q is not None and q.per_channel and q.axis != axis:
        raise v.unsupported(f"per-channel weight quantization along axis {q.axis}, not the "
                            f"output channels (axis {axis})", "quantization")


def activation_input(v: OpView, i: int) -> webnn.MLOperand:
    """Input ``i`` as real values, which must be a rank-4 NHWC tensor."""
    x = v.float_input(i)
    if x.rank != 4:
        raise v.unsupported(f"input rank {x.rank} (4 expected)", "shape")
    return x


# translators --------------------------------------------------------------------------------

@translator("CONV_2D", params=ConvParams)
def conv_2d(v: OpView) -> list:
    """CONV_2D: ``[N, H, W, C]`` * OHWI ``[O, kh, kw, C / groups]``; grouped when the filter
    has fewer input channels than the input (TFLite's ``groups = C / filter_C``)."""
    check_weighted_types(v, 0, 1, 2)
    check_per_channel_axis(v, 1, 0)
    x, w = activation_input(v, 0), v.float_input(1)
    if w.rank != 4:
        raise v.unsupported(f"filter rank {w.rank} (4 expected)", "shape")
    _, height, width, channels = x.shape
    out_c, kh, kw, filter_c = w.shape
    if channels % filter_c or out_c % (channels // filter_c):
        raise v.unsupported(f"input channels {channels} and filter [{out_c}, {kh}, {kw}, "
                            f"{filter_c}] do not form groups", "shape")
    strides, dilations = strides_of(v), dilations_of(v)
    y = v.b.conv2d(x, w, padding=padding_hw(v, (height, width), (kh, kw), strides, dilations),
                   strides=list(strides), dilations=list(dilations),
                   groups=channels // filter_c, input_layout="nhwc", filter_layout="ohwi",
                   bias=bias_operand(v, 2, 0, 1, out_c))
    return [v.finish(y)]


@translator("DEPTHWISE_CONV_2D", params=DepthwiseConvParams)
def depthwise_conv_2d(v: OpView) -> list:
    """DEPTHWISE_CONV_2D: filter ``[1, kh, kw, C * M]`` (output channel ``c * M + m`` reads
    input channel ``c``) is WebNN's "ihwo" filter with ``groups = C``."""
    check_weighted_types(v, 0, 1, 2)
    check_per_channel_axis(v, 1, 3)
    x, w = activation_input(v, 0), v.float_input(1)
    if w.rank != 4 or w.shape[0] != 1:
        raise v.unsupported(f"depthwise filter shape {list(w.shape)} ([1, kh, kw, C * M] "
                            "expected)", "shape")
    _, height, width, channels = x.shape
    _, kh, kw, out_c = w.shape
    if out_c % channels:
        raise v.unsupported(f"filter channels {out_c} are not a multiple of the input "
                            f"channels {channels}", "shape")
    multiplier = v.option("depth_multiplier", 0)
    if multiplier not in (0, out_c // channels):
        raise v.unsupported(f"depth_multiplier {multiplier} disagrees with the shapes "
                            f"({out_c} / {channels})")
    strides, dilations = strides_of(v), dilations_of(v)
    y = v.b.conv2d(x, w, padding=padding_hw(v, (height, width), (kh, kw), strides, dilations),
                   strides=list(strides), dilations=list(dilations), groups=channels,
                   input_layout="nhwc", filter_layout="ihwo",
                   bias=bias_operand(v, 2, 0, 1, out_c))
    return [v.finish(y)]


def _transpose_end_padding(v: OpView, size: int, out: int, kernel: int, stride: int,
                           begin: int) -> int:
    """End padding making WebNN's transposed convolution produce ``out`` elements (with
    ``output_sizes``, which may add up to ``stride - 1`` elements past the full result)."""
    full = (size - 1) * stride + kernel - begin
    end = max(full - out, 0)
    if not full - end <= out < full - end + stride:
        raise v.unsupported(f"output size {out} is beyond the transposed convolution's "
                            f"{full} elements", "shape")
    return end


@translator("TRANSPOSE_CONV", params=TransposeConvParams)
def transpose_conv(v: OpView) -> list:
    """TRANSPOSE_CONV(output_shape, weights OHWI, input, bias?): each input element
    ``(y, x)`` scatters its window to ``(y * stride - pad_top + ky, ...)``, where the padding
    is that of a forward convolution from the output size (``transpose_conv.cc``); positions
    outside ``output_shape`` are dropped."""
    check_weighted_types(v, 2, 1, 3)
    check_per_channel_axis(v, 1, 0)
    shape = v.require_const(0, "output_shape")
    x, w = activation_input(v, 2), v.float_input(1)
    if w.rank != 4:
        raise v.unsupported(f"filter rank {w.rank} (4 expected)", "shape")
    n, height, width, channels = x.shape
    out_c, kh, kw, filter_c = w.shape
    out_shape = tuple(int(d) for d in np.asarray(shape).reshape(-1))
    if len(out_shape) != 4 or out_shape[0] != n or out_shape[3] != out_c:
        raise v.unsupported(f"output_shape {list(out_shape)} does not fit input "
                            f"{list(x.shape)} and filter {list(w.shape)}", "shape")
    if filter_c != channels:
        raise v.unsupported(f"filter input channels {filter_c} != input channels {channels}",
                            "shape")
    strides = strides_of(v)
    out_h, out_w = out_shape[1:3]
    top, _, left, _ = padding_hw(v, (out_h, out_w), (kh, kw), strides)
    bottom = _transpose_end_padding(v, height, out_h, kh, strides[0], top)
    right = _transpose_end_padding(v, width, out_w, kw, strides[1], left)
    y = v.b.conv_transpose2d(x, w, padding=[top, bottom, left, right], strides=list(strides),
                             output_sizes=[out_h, out_w], input_layout="nhwc",
                             filter_layout="ohwi", bias=bias_operand(v, 3, 2, 1, out_c))
    return [v.finish(y)]
