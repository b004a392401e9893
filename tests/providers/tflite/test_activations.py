"""Activation functions through the WebNN delegate, checked against TFLite's builtin kernels
(providers/tflite/ops/activations.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from webnn_providers.testing.tflite_writer import ModelWriter, Quant

from tests.providers.tflite.helpers import check_delegated

RNG = np.random.default_rng(11)

#: TFLite's fixed output quantizations (activations.cc Prepare)
FIXED_OUT = {
    ("LOGISTIC", "int8"): Quant(1 / 256, -128), ("LOGISTIC", "uint8"): Quant(1 / 256, 0),
    ("SOFTMAX", "int8"): Quant(1 / 256, -128), ("SOFTMAX", "uint8"): Quant(1 / 256, 0),
    ("TANH", "int8"): Quant(1 / 128, 0), ("TANH", "uint8"): Quant(1 / 128, 128),
    ("LOG_SOFTMAX", "int8"): Quant(16 / 256, 127), ("LOG_SOFTMAX", "uint8"): Quant(16 / 256, 255),
}


def unary_model(op: str, shape: Sequence[int], dtype: str = "float32",
                qi: Quant | None = None, qo: Quant | None = None, **options: Any) -> bytes:
    m = ModelWriter()
    x = m.input("x", shape, dtype, quantization=qi)
    y = m.tensor("y", shape, dtype, quantization=qo)
    m.op(op, [x], [y], **options)
    m.output(y)
    return m.finish()


def floats(shape: Sequence[int], low: float = -5.0, high: float = 5.0) -> np.ndarray:
    return RNG.uniform(low, high, shape).astype(np.float32)


def ints(shape: Sequence[int], dtype: str) -> np.ndarray:
    info = np.iinfo(dtype)
    return RNG.integers(info.min, info.max + 1, shape).astype(dtype)


SIMPLE = ["LOGISTIC", "TANH", "RELU", "RELU6", "RELU_N1_TO_1", "RELU_0_TO_1", "HARD_SWISH",
          "ELU"]


@pytest.mark.parametrize("op", SIMPLE)
def test_simple_float(op: str) -> None:
    check_delegated(unary_model(op, [2, 3, 5]), [floats([2, 3, 5], -8, 8)])


@pytest.mark.parametrize("op", SIMPLE)
@pytest.mark.parametrize("dtype", ["int8", "uint8"])
def test_simple_quantized(op: str, dtype: str) -> None:
    if op == "ELU" and dtype == "uint8":
        pytest.skip("TFLite's ELU kernel takes float32 and int8 only")
    zp = 0 if dtype == "int8" else 128
    qi = Quant(0.06, zp + 4)
    qo = FIXED_OUT.get((op, dtype), Quant(0.05, zp - 10))
    check_delegated(unary_model(op, [2, 4, 6], dtype, qi, qo), [ints([2, 4, 6], dtype)])


@pytest.mark.parametrize("beta", [1.0, 0.5, 2.0])
@pytest.mark.parametrize("shape", [[7], [2, 5], [1, 2, 3, 6]], ids=str)
def test_softmax_float(beta: float, shape: list[int]) -> None:
    check_delegated(unary_model("SOFTMAX", shape, beta=beta), [floats(shape)])


@pytest.mark.parametrize("dtype", ["int8", "uint8"])
@pytest.mark.parametrize("beta", [1.0, 0.7])
def test_softmax_quantized(dtype: str, beta: float) -> None:
    zp = 0 if dtype == "int8" else 128
    model = unary_model("SOFTMAX", [2, 10], dtype, Quant(0.1, zp - 3),
                        FIXED_OUT[("SOFTMAX", dtype)], beta=beta)
    check_delegated(model, [ints([2, 10], dtype)])


@pytest.mark.parametrize("shape", [[6], [3, 4], [1, 2, 2, 5]], ids=str)
def test_log_softmax_float(shape: list[int]) -> None:
    check_delegated(unary_model("LOG_SOFTMAX", shape), [floats(shape, -10, 10)])


@pytest.mark.parametrize("dtype", ["int8", "uint8"])
def test_log_softmax_quantized(dtype: str) -> None:
    zp = 0 if dtype == "int8" else 128
    model = unary_model("LOG_SOFTMAX", [2, 8], dtype, Quant(0.05, zp),
                        FIXED_OUT[("LOG_SOFTMAX", dtype)])
    check_delegated(model, [ints([2, 8], dtype)])


@pytest.mark.parametrize("alpha", [0.2, 0.01, 1.5, -0.3])
def test_leaky_relu_float(alpha: float) -> None:
    check_delegated(unary_model("LEAKY_RELU", [2, 3, 4], alpha=alpha), [floats([2, 3, 4])])


@pytest.mark.parametrize("dtype", ["int8", "uint8"])
def test_leaky_relu_quantized(dtype: str) -> None:
    zp = 0 if dtype == "int8" else 128
    model = unary_model("LEAKY_RELU", [3, 8], dtype, Quant(0.05, zp + 2), Quant(0.04, zp - 5),
                        alpha=0.25)
    check_delegated(model, [ints([3, 8], dtype)])


def prelu_model(x_shape: Sequence[int], alpha: np.ndarray | Sequence[int], out: Sequence[int],
                dtype: str = "float32", qi: Quant | None = None, qa: Quant | None = None,
                qo: Quant | None = None) -> bytes:
    m = ModelWriter()
    x = m.input("x", x_shape, dtype, quantization=qi)
    if isinstance(alpha, np.ndarray):
        a = m.constant("alpha", alpha, quantization=qa)
    else:
        a = m.input("alpha", alpha, dtype, quantization=qa)
    y = m.tensor("y", out, dtype, quantization=qo)
    m.op("PRELU", [x, a], [y])
    m.output(y)
    return m.finish()


@pytest.mark.parametrize("alpha_shape", [[3], [1, 1, 3], [4, 1], [2, 4, 3], []], ids=str)
def test_prelu_float_broadcast(alpha_shape: list[int]) -> None:
    alpha = RNG.uniform(-0.5, 0.5, alpha_shape).astype(np.float32)
    check_delegated(prelu_model([2, 4, 3], alpha, [2, 4, 3]), [floats([2, 4, 3])])


def test_prelu_alpha_input() -> None:
    check_delegated(prelu_model([2, 4, 3], [3], [2, 4, 3]),
                    [floats([2, 4, 3]), floats([3], -1, 1)])


@pytest.mark.parametrize("dtype", ["int8", "uint8"])
def test_prelu_quantized(dtype: str) -> None:
    zp = 0 if dtype == "int8" else 128
    alpha = (RNG.integers(-100, 100, [1, 1, 3]) + zp).astype(dtype)
    model = prelu_model([1, 4, 4, 3], alpha, [1, 4, 4, 3], dtype, Quant(0.05, zp + 3),
                        Quant(0.004, zp), Quant(0.05, zp - 20))
    check_delegated(model, [ints([1, 4, 4, 3], dtype)])


@pytest.mark.parametrize("approximate", [False, True])
def test_gelu_float(approximate: bool) -> None:
    check_delegated(unary_model("GELU", [3, 16], approximate=approximate),
                    [floats([3, 16], -6, 6)])


@pytest.mark.parametrize("dtype", ["int8", "uint8"])
@pytest.mark.parametrize("approximate", [False, True])
def test_gelu_quantized(dtype: str, approximate: bool) -> None:
    zp = 0 if dtype == "int8" else 128
    model = unary_model("GELU", [2, 16], dtype, Quant(0.03, zp), Quant(0.02, zp - 10),
                        approximate=approximate)
    check_delegated(model, [ints([2, 16], dtype)])
