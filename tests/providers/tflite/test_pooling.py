"""AVERAGE_POOL_2D, MAX_POOL_2D and L2_POOL_2D through the WebNN delegate, checked against
TFLite's builtin kernels (providers/tflite/ops/pooling.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from webnn_providers.testing.tflite_writer import ModelWriter, Quant

from tests.providers.tflite.helpers import check_delegated, refused

RNG = np.random.default_rng(5)
ACTIVATIONS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]
POOLS = ["AVERAGE_POOL_2D", "MAX_POOL_2D", "L2_POOL_2D"]
Q8 = {"int8": Quant(0.05, -7), "uint8": Quant(0.05, 121)}


def out_size(padding: str, size: int, kernel: int, stride: int) -> int:
    return -(-size // stride) if padding == "SAME" else (size - kernel + stride) // stride


def pool_model(op: str, x_shape: Sequence[int], window: Sequence[int], strides: Sequence[int],
               padding: str, dtype: str = "float32", qx: Quant | None = None,
               qo: Quant | None = None, act: str = "NONE") -> bytes:
    n, h, w, c = x_shape
    out = [n, out_size(padding, h, window[0], strides[0]),
           out_size(padding, w, window[1], strides[1]), c]
    m = ModelWriter()
    x = m.input("x", x_shape, dtype, quantization=qx)
    y = m.tensor("y", out, dtype, quantization=qo if qo is not None else qx)
    m.op(op, [x], [y], padding=padding, stride_h=strides[0], stride_w=strides[1],
         filter_height=window[0], filter_width=window[1], fused_activation_function=act)
    m.output(y)
    return m.finish()


def floats(shape: Sequence[int]) -> np.ndarray:
    return RNG.uniform(-3, 3, shape).astype(np.float32)


def ints(shape: Sequence[int], dtype: str) -> np.ndarray:
    info = np.iinfo(dtype)
    return RNG.integers(info.min, info.max + 1, shape).astype(dtype)


CASES: list[dict[str, Any]] = [  # odd sizes; SAME cases pad unevenly (more at the end)
    dict(window=(2, 2), strides=(2, 2), padding="VALID"),
    dict(window=(2, 2), strides=(2, 2), padding="SAME"),
    dict(window=(3, 3), strides=(1, 1), padding="SAME"),
    dict(window=(3, 3), strides=(2, 2), padding="SAME"),
    dict(window=(3, 2), strides=(2, 1), padding="VALID"),
    dict(window=(4, 3), strides=(3, 2), padding="SAME"),
    dict(window=(7, 9), strides=(1, 1), padding="VALID"),  # global
]


@pytest.mark.parametrize("op", POOLS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['padding']}{c['window']}"
                                                     f"s{c['strides']}")
def test_pool_float(op: str, case: dict[str, Any]) -> None:
    x_shape = [2, 7, 9, 3]
    check_delegated(pool_model(op, x_shape, **case), [floats(x_shape)])


@pytest.mark.parametrize("op", POOLS)
@pytest.mark.parametrize("act", ACTIVATIONS[1:])
def test_pool_float_activations(op: str, act: str) -> None:
    x_shape = [1, 5, 6, 4]
    model = pool_model(op, x_shape, (3, 3), (2, 2), "SAME", act=act)
    check_delegated(model, [floats(x_shape)])


@pytest.mark.parametrize("op", ["AVERAGE_POOL_2D", "MAX_POOL_2D"])
@pytest.mark.parametrize("dtype", ["int8", "uint8"])
@pytest.mark.parametrize("case", CASES[1:6:2] + CASES[-1:],
                         ids=lambda c: f"{c['padding']}{c['window']}s{c['strides']}")
def test_pool_quantized(op: str, dtype: str, case: dict[str, Any]) -> None:
    x_shape = [1, 7, 9, 3]
    model = pool_model(op, x_shape, dtype=dtype, qx=Q8[dtype], **case)
    check_delegated(model, [ints(x_shape, dtype)])


@pytest.mark.parametrize("op", ["AVERAGE_POOL_2D", "MAX_POOL_2D"])
@pytest.mark.parametrize("dtype", ["int8", "uint8"])
@pytest.mark.parametrize("act", ACTIVATIONS[1:])
def test_pool_quantized_activations(op: str, dtype: str, act: str) -> None:
    x_shape = [1, 6, 5, 2]
    model = pool_model(op, x_shape, (2, 3), (1, 2), "SAME", dtype, Q8[dtype], act=act)
    check_delegated(model, [ints(x_shape, dtype)])


def test_max_pool_quantized_keeps_integers() -> None:
    """Same quantization and no activation: the integers are pooled directly (exact)."""
    x_shape = [1, 8, 8, 5]
    model = pool_model("MAX_POOL_2D", x_shape, (3, 3), (2, 2), "SAME", "int8", Q8["int8"])
    check_delegated(model, [ints(x_shape, "int8")], steps=0)


def test_refuses_requantizing_pool() -> None:
    model = pool_model("AVERAGE_POOL_2D", [1, 4, 4, 2], (2, 2), (2, 2), "VALID", "int8",
                       Quant(0.05, 0), Quant(0.1, 0))
    report = refused(model)
    assert report.num_supported == 0
    assert "scale and zero point" in report.summary()


def test_refuses_tanh_activation() -> None:
    model = pool_model("MAX_POOL_2D", [1, 4, 4, 2], (2, 2), (2, 2), "VALID", act="TANH")
    report = refused(model)
    assert report.num_supported == 0
    assert "TANH" in report.summary()
