"""FULLY_CONNECTED and BATCH_MATMUL through the WebNN delegate, checked against TFLite's
builtin kernels (providers/tflite/ops/dense.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from webnn_providers.testing.tflite_writer import ModelWriter, Quant
from webnn_providers.tflite.model import FLOAT32, ModelInfo, OpInfo, TensorInfo
from webnn_providers.tflite.translator import check_op

import webnn_core as webnn
from tests.providers.tflite.helpers import check_delegated, not_on_tflite_runtime, refused

RNG = np.random.default_rng(3)
ACTIVATIONS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]
# Dot products of up to 24 terms of magnitude <= 1: the summation order differs between
# TFLite and OpenVINO, so allow ~24 * eps(float32) absolute error (rounded up).
ATOL = 1e-5
QX = {"int8": Quant(0.02, 3), "uint8": Quant(0.02, 125)}


def floats(shape: Sequence[int], low: float = -1.0, high: float = 1.0) -> np.ndarray:
    return RNG.uniform(low, high, shape).astype(np.float32)


def ints(shape: Sequence[int], dtype: str) -> np.ndarray:
    info = np.iinfo(dtype)
    return RNG.integers(info.min, info.max + 1, shape).astype(dtype)


def out_quant(dtype: str, bound: float) -> Quant:
    """Output quantization covering ``[-bound, bound]``."""
    return Quant(2 * bound / 255.0, 0 if dtype == "int8" else 128)


def fc_model(x_shape: Sequence[int], w: np.ndarray, out_shape: Sequence[int],
             bias: np.ndarray | None, dtype: str = "float32", qx: Quant | None = None,
             qw: Quant | None = None, qb: Quant | None = None, qo: Quant | None = None,
             weights_input: bool = False, **options: Any) -> bytes:
    m = ModelWriter()
    x = m.input("x", x_shape, dtype, quantization=qx)
    wt = m.input("w", w.shape, w.dtype, quantization=qw) if weights_input else \
        m.constant("w", w, quantization=qw)
    b = -1 if bias is None else m.constant("b", bias, quantization=qb)
    y = m.tensor("y", out_shape, dtype, quantization=qo)
    m.op("FULLY_CONNECTED", [x, wt, b], [y], **options)
    m.output(y)
    return m.finish()


def quantized_fc(x_shape: Sequence[int], units: int, out_shape: Sequence[int], dtype: str,
                 with_bias: bool = True, **options: Any) -> bytes:
    """int8: symmetric per-channel weights; uint8: per-tensor weights with a zero point."""
    depth = x_shape[-1]
    w = floats([units, depth])
    if dtype == "int8":
        scales = np.abs(w).max(axis=1) / 127.0 + 1e-3
        wq = np.round(w / scales[:, None]).astype(np.int8)
        qw = Quant(scales.tolist(), 0, 0)
    else:
        scales = np.full(units, np.abs(w).max() / 127.0 + 1e-3)
        wq = np.clip(np.round(w / scales[0]) + 128, 0, 255).astype(np.uint8)
        qw = Quant(float(scales[0]), 128)
    qx = QX[dtype]
    bias_scales = qx.scale * scales
    bq = np.round(floats([units], -0.5, 0.5) / bias_scales).astype(np.int32)
    return fc_model(x_shape, wq, out_shape, bq if with_bias else None, dtype, qx=qx, qw=qw,
                    qb=Quant(bias_scales.tolist(), 0, 0), qo=out_quant(dtype, 1.5 * depth ** 0.5),
                    **options)


# --- FULLY_CONNECTED --------------------------------------------------------------------------

FC_SHAPES = [  # (input, units, keep_num_dims, output)
    ([3, 16], 5, False, [3, 5]),
    ([1, 16], 7, True, [1, 7]),
    ([2, 3, 8], 4, False, [6, 4]),
    ([2, 3, 8], 4, True, [2, 3, 4]),
    ([2, 2, 2, 6], 3, False, [8, 3]),
    ([4, 2, 3], 5, False, [2, 5]),   # rows of 12 across the input's dimensions
]


@pytest.mark.parametrize("x_shape,units,keep,out_shape", FC_SHAPES)
@pytest.mark.parametrize("with_bias", [True, False])
def test_fully_connected_float(x_shape: list[int], units: int, keep: bool,
                               out_shape: list[int], with_bias: bool) -> None:
    if keep:
        depth = x_shape[-1]
    else:
        depth = int(np.prod(x_shape)) // int(np.prod(out_shape[:-1]))
    model = fc_model(x_shape, floats([units, depth]), out_shape,
                     floats([units]) if with_bias else None, keep_num_dims=keep)
    check_delegated(model, [floats(x_shape)], atol=ATOL)


@pytest.mark.parametrize("act", ACTIVATIONS[1:])
def test_fully_connected_float_activations(act: str) -> None:
    model = fc_model([4, 10], floats([6, 10]), [4, 6], floats([6]),
                     fused_activation_function=act)
    check_delegated(model, [floats([4, 10], -2, 2)], atol=ATOL)


def test_fully_connected_float_non_constant_weights() -> None:
    w = floats([3, 8])
    model = fc_model([2, 8], w, [2, 3], floats([3]), weights_input=True)
    check_delegated(model, [floats([2, 8]), w], atol=ATOL)


@pytest.mark.parametrize("dtype", ["int8", "uint8"])
@pytest.mark.parametrize("x_shape,units,keep,out_shape,act", [
    ([3, 16], 5, False, [3, 5], "NONE"), ([2, 3, 8], 4, True, [2, 3, 4], "RELU"),
    ([2, 2, 12], 6, False, [4, 6], "RELU6"), ([1, 24], 3, False, [1, 3], "RELU_N1_TO_1")])
def test_fully_connected_quantized(dtype: str, x_shape: list[int], units: int, keep: bool,
                                   out_shape: list[int], act: str) -> None:
    model = quantized_fc(x_shape, units, out_shape, dtype, keep_num_dims=keep,
                         fused_activation_function=act)
    check_delegated(model, [ints(x_shape, dtype)])


@pytest.mark.parametrize("dtype", ["int8", "uint8"])
def test_fully_connected_quantized_no_bias(dtype: str) -> None:
    model = quantized_fc([2, 12], 4, [2, 4], dtype, with_bias=False)
    check_delegated(model, [ints([2, 12], dtype)])


def test_refuses_hybrid_fully_connected() -> None:
    wq = RNG.integers(-127, 128, (4, 8)).astype(np.int8)
    model = fc_model([2, 8], wq, [2, 4], floats([4]), qw=Quant(0.01, 0))
    report = refused(model)
    assert report.num_supported == 0
    assert "hybrid" in report.summary()


def test_refuses_shuffled_weights() -> None:
    """A valid SHUFFLED4x16INT8 model needs uint8 data, an int16 output and a workspace
    output; the translator's refusal is checked on its own."""
    tensors = {
        0: TensorInfo(0, "x", FLOAT32, (1, 16)),
        1: TensorInfo(1, "w", FLOAT32, (4, 16), constant=floats([4, 16])),
        2: TensorInfo(2, "y", FLOAT32, (1, 4)),
    }
    op = OpInfo(0, "FULLY_CONNECTED", 1, (0, 1, -1), (2,),
                options={"activation": "NONE", "weights_format": "SHUFFLED4x16INT8",
                         "keep_num_dims": False, "asymmetric_quantize_inputs": False})
    verdict = check_op(webnn.ml.create_context(), ModelInfo([op], tensors), 0)
    assert not verdict.supported
    assert "weights_format" in verdict.reason


# --- BATCH_MATMUL -----------------------------------------------------------------------------

def bmm_model(a: Sequence[int], b: Sequence[int] | np.ndarray, out: Sequence[int],
              dtype: str = "float32", qa: Quant | None = None, qb: Quant | None = None,
              qo: Quant | None = None, **options: Any) -> bytes:
    m = ModelWriter()
    x = m.input("a", a, dtype, quantization=qa)
    y = m.constant("b", b, quantization=qb) if isinstance(b, np.ndarray) else \
        m.input("b", b, dtype, quantization=qb)
    z = m.tensor("z", out, dtype, quantization=qo)
    m.op("BATCH_MATMUL", [x, y], [z], **options)
    m.output(z)
    return m.finish()


BMM_CASES = [  # (a, b, adj_x, adj_y, out)
    ([3, 4], [4, 5], False, False, [3, 5]),
    ([2, 3, 4], [2, 4, 5], False, False, [2, 3, 5]),
    ([2, 4, 3], [2, 4, 5], True, False, [2, 3, 5]),
    ([2, 3, 4], [2, 5, 4], False, True, [2, 3, 5]),
    pytest.param([2, 4, 3], [1, 5, 4], True, True, [2, 3, 5], marks=not_on_tflite_runtime(
        "its kernel gets both adjoints with a broadcast batch wrong (newer TFLite agrees with "
        "WebNN)")),
    ([2, 1, 3, 4], [3, 4, 6], False, False, [2, 3, 3, 6]),
    ([3, 4], [2, 2, 4, 5], False, False, [2, 2, 3, 5]),
]


@pytest.mark.parametrize("a,b,adj_x,adj_y,out", BMM_CASES)
def test_batch_matmul_float(a: list[int], b: list[int], adj_x: bool, adj_y: bool,
                            out: list[int]) -> None:
    model = bmm_model(a, b, out, adj_x=adj_x, adj_y=adj_y)
    check_delegated(model, [floats(a), floats(b)], atol=ATOL)


def test_batch_matmul_float_constant_rhs() -> None:
    model = bmm_model([2, 3, 4], floats([5, 4]), [2, 3, 5], adj_y=True)
    check_delegated(model, [floats([2, 3, 4])], atol=ATOL)


@pytest.mark.parametrize("a,b,adj_x,adj_y,out", BMM_CASES[1:5])
def test_batch_matmul_int8(a: list[int], b: list[int], adj_x: bool, adj_y: bool,
                           out: list[int]) -> None:
    model = bmm_model(a, b, out, "int8", qa=Quant(0.02, 2), qb=Quant(0.03, 0),
                      qo=out_quant("int8", 3.0), adj_x=adj_x, adj_y=adj_y)
    check_delegated(model, [ints(a, "int8"), ints(b, "int8")])


def test_batch_matmul_int8_constant_rhs() -> None:
    bq = RNG.integers(-127, 128, (4, 6)).astype(np.int8)
    model = bmm_model([2, 3, 4], bq, [2, 3, 6], "int8", qa=Quant(0.02, -4),
                      qb=Quant(0.03, 0), qo=out_quant("int8", 3.0))
    check_delegated(model, [ints([2, 3, 4], "int8")])


def test_refuses_hybrid_batch_matmul() -> None:
    bq = RNG.integers(-127, 128, (4, 6)).astype(np.int8)
    model = bmm_model([2, 3, 4], bq, [2, 3, 6], qb=Quant(0.03, 0))
    report = refused(model)
    assert report.num_supported == 0
    assert "hybrid" in report.summary()
