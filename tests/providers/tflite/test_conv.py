"""CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV through the WebNN delegate, checked against
TFLite's builtin kernels (providers/tflite/ops/conv.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from webnn_providers.testing.tflite_writer import ModelWriter, Quant
from webnn_providers.tflite.model import FLOAT32, INT32, ModelInfo, OpInfo, TensorInfo
from webnn_providers.tflite.translator import check_op

import webnn_core as webnn
from tests.providers.tflite.helpers import check_delegated, refused

RNG = np.random.default_rng(11)
ACTIVATIONS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]
# A float32 convolution sums at most ~60 products of magnitude <= 1 here: the summation
# order differs between TFLite and OpenVINO, so allow ~60 * eps(float32) absolute error.
ATOL = 1e-5
#: input quantization of the quantized tests
QX = {"int8": Quant(0.02, -5), "uint8": Quant(0.02, 120)}


def out_size(padding: str, size: int, kernel: int, stride: int, dilation: int = 1) -> int:
    effective = (kernel - 1) * dilation + 1
    return -(-size // stride) if padding == "SAME" else (size - effective + stride) // stride


def floats(shape: Sequence[int], low: float = -1.0, high: float = 1.0) -> np.ndarray:
    return RNG.uniform(low, high, shape).astype(np.float32)


def ints(shape: Sequence[int], dtype: str) -> np.ndarray:
    info = np.iinfo(dtype)
    return RNG.integers(info.min, info.max + 1, shape).astype(dtype)


def quantized_weights(w: np.ndarray, dtype: str, axis: int
                      ) -> tuple[np.ndarray, Quant, np.ndarray]:
    """int8: symmetric per-channel along ``axis``; uint8: per tensor with a zero point.
    Returns (integers, quantization, scales per output channel)."""
    channels = w.shape[axis]
    if dtype == "int8":
        other = tuple(d for d in range(w.ndim) if d != axis)
        scale = np.abs(w).max(axis=other) / 127.0 + 1e-3
        shape = [1] * w.ndim
        shape[axis] = channels
        q = np.clip(np.round(w / scale.reshape(shape)), -127, 127).astype(np.int8)
        return q, Quant(scale.tolist(), 0, axis), scale
    scale = float(np.abs(w).max() / 127.0 + 1e-3)
    q = np.clip(np.round(w / scale) + 128, 0, 255).astype(np.uint8)
    return q, Quant(scale, 128), np.full(channels, scale)


def quantized_bias(channels: int, x_scale: float, w_scales: np.ndarray) -> tuple[np.ndarray,
                                                                                  Quant]:
    scales = x_scale * w_scales
    q = np.round(floats([channels], -0.5, 0.5) / scales).astype(np.int32)
    return q, Quant(scales.tolist(), 0, 0)


def out_quant(dtype: str, bound: float) -> Quant:
    """Output quantization covering ``[-bound, bound]`` (the tests pick ``bound`` near 2.5
    standard deviations of the sums, so few outputs saturate)."""
    scale = 2 * bound / 255.0
    return Quant(scale, 0 if dtype == "int8" else 128)


# --- model builders ---------------------------------------------------------------------------

def conv_model(op: str, x_shape: Sequence[int], w: np.ndarray, out_shape: Sequence[int],
               bias: np.ndarray | None, dtype: str = "float32", qx: Quant | None = None,
               qw: Quant | None = None, qb: Quant | None = None, qo: Quant | None = None,
               weights_input: bool = False, **options: Any) -> bytes:
    m = ModelWriter()
    x = m.input("x", x_shape, dtype, quantization=qx)
    wt = m.input("w", w.shape, w.dtype, quantization=qw) if weights_input else \
        m.constant("w", w, quantization=qw)
    inputs = [x, wt]  # TRANSPOSE_CONV only: the builtin CONV_2D kernel requires a bias
    if bias is not None:
        inputs.append(m.constant("b", bias, quantization=qb))
    y = m.tensor("y", out_shape, dtype, quantization=qo)
    m.op(op, inputs, [y], **options)
    m.output(y)
    return m.finish()


def transpose_conv_model(x_shape: Sequence[int], w: np.ndarray, out_shape: Sequence[int],
                         bias: np.ndarray | None, dtype: str = "float32",
                         qx: Quant | None = None, qw: Quant | None = None,
                         qb: Quant | None = None, qo: Quant | None = None,
                         shape_input: bool = False, **options: Any) -> bytes:
    m = ModelWriter()
    x = m.input("x", x_shape, dtype, quantization=qx)
    if shape_input:
        shape = m.input("shape", [4], "int32")
    else:
        shape = m.constant("shape", np.array(out_shape, np.int32))
    wt = m.constant("w", w, quantization=qw)
    inputs = [shape, wt, x]
    if bias is not None:
        inputs.append(m.constant("b", bias, quantization=qb))
    y = m.tensor("y", out_shape, dtype, quantization=qo)
    m.op("TRANSPOSE_CONV", inputs, [y], **options)
    m.output(y)
    return m.finish()


def conv_options(padding: str, strides: Sequence[int], dilations: Sequence[int] = (1, 1),
                 act: str = "NONE") -> dict[str, Any]:
    return dict(padding=padding, stride_h=strides[0], stride_w=strides[1],
                dilation_h_factor=dilations[0], dilation_w_factor=dilations[1],
                fused_activation_function=act)


# --- CONV_2D ----------------------------------------------------------------------------------

@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("strides,dilations", [((1, 1), (1, 1)), ((2, 2), (1, 1)),
                                               ((2, 1), (1, 1)), ((1, 1), (2, 3)),
                                               ((3, 2), (2, 1))])
def test_conv2d_float(padding: str, strides: tuple[int, int],
                      dilations: tuple[int, int]) -> None:
    x_shape, (kh, kw) = [2, 9, 11, 3], (3, 2)
    w = floats([4, kh, kw, 3])
    oh = out_size(padding, 9, kh, strides[0], dilations[0])
    ow = out_size(padding, 11, kw, strides[1], dilations[1])
    model = conv_model("CONV_2D", x_shape, w, [2, oh, ow, 4], floats([4]),
                       **conv_options(padding, strides, dilations))
    check_delegated(model, [floats(x_shape)], atol=ATOL)


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_conv2d_float_activations(act: str) -> None:
    x_shape = [1, 6, 7, 5]
    w = floats([3, 3, 3, 5])
    model = conv_model("CONV_2D", x_shape, w, [1, 6, 7, 3], floats([3]),
                       **conv_options("SAME", (1, 1), act=act))
    check_delegated(model, [floats(x_shape, -2, 2)], atol=ATOL)


def test_conv2d_float_pointwise() -> None:
    x_shape = [1, 5, 5, 8]
    model = conv_model("CONV_2D", x_shape, floats([6, 1, 1, 8]), [1, 5, 5, 6], floats([6]),
                       **conv_options("VALID", (1, 1)))
    check_delegated(model, [floats(x_shape)], atol=ATOL)


def test_conv2d_float_non_constant_weights() -> None:
    x_shape = [1, 5, 6, 2]
    w = floats([3, 2, 2, 2])
    model = conv_model("CONV_2D", x_shape, w, [1, 3, 3, 3], floats([3]), weights_input=True,
                       **conv_options("SAME", (2, 2)))
    check_delegated(model, [floats(x_shape), w], atol=ATOL)


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_conv2d_grouped(padding: str) -> None:
    """Filter in-channels 2 < input channels 6: three groups of two output channels."""
    x_shape = [1, 7, 6, 6]
    w = floats([6, 3, 3, 2])
    oh, ow = out_size(padding, 7, 3, 2), out_size(padding, 6, 3, 1)
    model = conv_model("CONV_2D", x_shape, w, [1, oh, ow, 6], floats([6]),
                       **conv_options(padding, (2, 1), act="RELU"))
    check_delegated(model, [floats(x_shape)], atol=ATOL)


@pytest.mark.parametrize("dtype", ["int8", "uint8"])
@pytest.mark.parametrize("padding,strides,dilations,act", [
    ("SAME", (1, 1), (1, 1), "NONE"), ("VALID", (2, 2), (1, 1), "RELU"),
    ("SAME", (2, 1), (1, 2), "RELU6"), ("SAME", (1, 1), (1, 1), "RELU_N1_TO_1")])
def test_conv2d_quantized(dtype: str, padding: str, strides: tuple[int, int],
                          dilations: tuple[int, int], act: str) -> None:
    x_shape, channels, (kh, kw) = [1, 8, 9, 4], 5, (3, 3)
    wq, qw, w_scales = quantized_weights(floats([channels, kh, kw, 4]), dtype, 0)
    qx = QX[dtype]
    bq, qb = quantized_bias(channels, qx.scale, w_scales)
    oh = out_size(padding, 8, kh, strides[0], dilations[0])
    ow = out_size(padding, 9, kw, strides[1], dilations[1])
    model = conv_model("CONV_2D", x_shape, wq, [1, oh, ow, channels], bq, dtype, qx=qx, qw=qw,
                       qb=qb, qo=out_quant(dtype, 12.0),
                       **conv_options(padding, strides, dilations, act))
    check_delegated(model, [ints(x_shape, dtype)])


def test_conv2d_quantized_grouped() -> None:
    x_shape = [1, 6, 6, 4]
    wq, qw, w_scales = quantized_weights(floats([4, 3, 3, 2]), "int8", 0)
    bq, qb = quantized_bias(4, QX["int8"].scale, w_scales)
    model = conv_model("CONV_2D", x_shape, wq, [1, 6, 6, 4], bq, "int8", qx=QX["int8"],
                       qw=qw, qb=qb, qo=out_quant("int8", 8.0), **conv_options("SAME", (1, 1)))
    check_delegated(model, [ints(x_shape, "int8")])


# --- DEPTHWISE_CONV_2D ------------------------------------------------------------------------

@pytest.mark.parametrize("multiplier", [1, 2])
@pytest.mark.parametrize("padding,strides,dilations", [
    ("SAME", (1, 1), (1, 1)), ("VALID", (1, 1), (1, 1)), ("SAME", (2, 2), (1, 1)),
    ("VALID", (2, 1), (1, 1)), ("SAME", (1, 1), (2, 2)), ("VALID", (1, 2), (3, 1))])
def test_depthwise_float(multiplier: int, padding: str, strides: tuple[int, int],
                         dilations: tuple[int, int]) -> None:
    x_shape, (kh, kw) = [2, 9, 8, 3], (3, 3)
    out_c = 3 * multiplier
    w = floats([1, kh, kw, out_c])
    oh = out_size(padding, 9, kh, strides[0], dilations[0])
    ow = out_size(padding, 8, kw, strides[1], dilations[1])
    model = conv_model("DEPTHWISE_CONV_2D", x_shape, w, [2, oh, ow, out_c], floats([out_c]),
                       depth_multiplier=multiplier, **conv_options(padding, strides, dilations))
    check_delegated(model, [floats(x_shape)], atol=ATOL)


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_depthwise_float_activations(act: str) -> None:
    x_shape = [1, 7, 7, 4]
    model = conv_model("DEPTHWISE_CONV_2D", x_shape, floats([1, 3, 3, 4]), [1, 4, 4, 4],
                       floats([4]), depth_multiplier=1,
                       **conv_options("SAME", (2, 2), act=act))
    check_delegated(model, [floats(x_shape, -2, 2)], atol=ATOL)


def test_depthwise_float_one_channel_input() -> None:
    x_shape = [1, 6, 5, 1]
    model = conv_model("DEPTHWISE_CONV_2D", x_shape, floats([1, 2, 2, 3]), [1, 5, 4, 3],
                       floats([3]),
                       depth_multiplier=3, **conv_options("VALID", (1, 1)))
    check_delegated(model, [floats(x_shape)], atol=ATOL)


@pytest.mark.parametrize("dtype", ["int8", "uint8"])
@pytest.mark.parametrize("multiplier,padding,strides,act", [
    (1, "SAME", (1, 1), "RELU6"), (2, "VALID", (2, 2), "NONE"), (1, "SAME", (2, 1), "RELU")])
def test_depthwise_quantized(dtype: str, multiplier: int, padding: str,
                             strides: tuple[int, int], act: str) -> None:
    x_shape = [1, 9, 8, 4]
    out_c = 4 * multiplier
    wq, qw, w_scales = quantized_weights(floats([1, 3, 3, out_c]), dtype, 3)
    qx = QX[dtype]
    bq, qb = quantized_bias(out_c, qx.scale, w_scales)
    oh, ow = out_size(padding, 9, 3, strides[0]), out_size(padding, 8, 3, strides[1])
    model = conv_model("DEPTHWISE_CONV_2D", x_shape, wq, [1, oh, ow, out_c], bq, dtype,
                       qx=qx, qw=qw, qb=qb, qo=out_quant(dtype, 7.0),
                       depth_multiplier=multiplier, **conv_options(padding, strides, act=act))
    check_delegated(model, [ints(x_shape, dtype)])


# --- TRANSPOSE_CONV ---------------------------------------------------------------------------

TRANSPOSE_CASES = [  # (padding, strides, kernel, input hw, output hw)
    ("SAME", (1, 1), (3, 3), (5, 6), (5, 6)),
    ("SAME", (2, 2), (3, 3), (4, 5), (8, 10)),
    ("SAME", (2, 2), (3, 3), (4, 5), (7, 9)),
    ("SAME", (2, 1), (2, 4), (3, 5), (6, 5)),
    ("VALID", (1, 1), (3, 2), (4, 5), (6, 6)),
    ("VALID", (2, 2), (3, 3), (3, 4), (7, 9)),
    ("VALID", (2, 3), (3, 3), (3, 4), (8, 12)),
    ("VALID", (3, 3), (1, 2), (3, 3), (9, 9)),
]


@pytest.mark.parametrize("padding,strides,kernel,in_hw,out_hw", TRANSPOSE_CASES)
@pytest.mark.parametrize("with_bias", [True, False])
def test_transpose_conv_float(padding: str, strides: tuple[int, int], kernel: tuple[int, int],
                              in_hw: tuple[int, int], out_hw: tuple[int, int],
                              with_bias: bool) -> None:
    x_shape = [2, *in_hw, 3]
    w = floats([4, *kernel, 3])
    model = transpose_conv_model(x_shape, w, [2, *out_hw, 4],
                                 floats([4]) if with_bias else None, padding=padding,
                                 stride_h=strides[0], stride_w=strides[1])
    check_delegated(model, [floats(x_shape)], atol=ATOL)


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_transpose_conv_float_activations(act: str) -> None:
    x_shape = [1, 4, 4, 2]
    model = transpose_conv_model(x_shape, floats([3, 3, 3, 2]), [1, 8, 8, 3], floats([3]),
                                 padding="SAME", stride_h=2, stride_w=2,
                                 fused_activation_function=act)
    check_delegated(model, [floats(x_shape, -2, 2)], atol=ATOL)


@pytest.mark.parametrize("dtype", ["int8", "uint8"])
@pytest.mark.parametrize("padding,strides,kernel,in_hw,out_hw", TRANSPOSE_CASES[1:6:2])
@pytest.mark.parametrize("with_bias", [True, False])
def test_transpose_conv_quantized(dtype: str, padding: str, strides: tuple[int, int],
                                  kernel: tuple[int, int], in_hw: tuple[int, int],
                                  out_hw: tuple[int, int], with_bias: bool) -> None:
    x_shape = [1, *in_hw, 3]
    wq, qw, w_scales = quantized_weights(floats([4, *kernel, 3]), dtype, 0)
    qx = QX[dtype]
    bq, qb = quantized_bias(4, qx.scale, w_scales)
    model = transpose_conv_model(x_shape, wq, [1, *out_hw, 4], bq if with_bias else None,
                                 dtype, qx=qx, qw=qw, qb=qb, qo=out_quant(dtype, 6.0),
                                 padding=padding, stride_h=strides[0], stride_w=strides[1])
    check_delegated(model, [ints(x_shape, dtype)])


# --- refusals ---------------------------------------------------------------------------------

def test_refuses_hybrid_depthwise_conv() -> None:
    """Hybrid CONV_2D is translated (test_hybrid_conv.py); hybrid DEPTHWISE_CONV_2D is not."""
    wq, qw, _ = quantized_weights(floats([1, 3, 3, 2]), "int8", 3)
    model = conv_model("DEPTHWISE_CONV_2D", [1, 5, 5, 2], wq, [1, 5, 5, 2], floats([2]),
                       qw=qw, depth_multiplier=1, **conv_options("SAME", (1, 1)))
    report = refused(model)
    assert report.num_supported == 0
    assert "hybrid" in report.summary()


def test_refuses_int16_activations() -> None:
    wq, qw, w_scales = quantized_weights(floats([3, 3, 3, 2]), "int8", 0)
    bias = np.zeros(3, np.int64)
    model = conv_model("CONV_2D", [1, 5, 5, 2], wq, [1, 5, 5, 3], bias, "int16",
                       qx=Quant(0.01, 0), qw=qw, qb=Quant((0.01 * w_scales).tolist(), 0),
                       qo=Quant(0.02, 0), **conv_options("SAME", (1, 1)))
    report = refused(model)
    assert report.num_supported == 0
    assert "INT16" in report.summary()


@pytest.mark.parametrize("op", ["CONV_2D", "DEPTHWISE_CONV_2D"])
def test_refuses_tanh_activation(op: str) -> None:
    """TFLite's convolution kernels ignore a fused TANH (they only clamp)."""
    extra = {"depth_multiplier": 1} if op == "DEPTHWISE_CONV_2D" else {}
    w = floats([1 if extra else 2, 3, 3, 2])
    model = conv_model(op, [1, 5, 5, 2], w, [1, 5, 5, 2], floats([2]), **extra,
                       **conv_options("SAME", (1, 1), act="TANH"))
    report = refused(model)
    assert report.num_supported == 0
    assert "TANH" in report.summary()


def test_refuses_dynamic_output_shape() -> None:
    """A non-constant output_shape makes the output dynamic: TFLite will not even hand such
    a graph to a static-shape delegate, so the translator is checked on its own."""
    tensors = {
        0: TensorInfo(0, "shape", INT32, (4,)),
        1: TensorInfo(1, "w", FLOAT32, (2, 3, 3, 2), constant=floats([2, 3, 3, 2])),
        2: TensorInfo(2, "x", FLOAT32, (1, 3, 3, 2)),
        3: TensorInfo(3, "y", FLOAT32, (1, 6, 6, 2)),
    }
    op = OpInfo(0, "TRANSPOSE_CONV", 3, (0, 1, 2), (3,),
                options={"padding": "SAME", "stride_width": 2, "stride_height": 2,
                         "activation": "NONE"})
    verdict = check_op(webnn.ml.create_context(), ModelInfo([op], tensors), 0)
    assert not verdict.supported
    assert "output_shape" in verdict.reason
