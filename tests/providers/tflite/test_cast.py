"""CAST, QUANTIZE and DEQUANTIZE through the WebNN delegate, checked against TFLite's builtin
kernels (providers/tflite/ops/cast.py)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from webnn_providers.testing.tflite_writer import ModelWriter, Quant

from tests.providers.tflite.helpers import check_delegated, refused

RNG = np.random.default_rng(5)
SHAPE = [2, 3, 4]


def one_op(op: str, in_dtype: str, out_dtype: str, qi: Quant | None = None,
           qo: Quant | None = None, shape: Sequence[int] = SHAPE, version: int = 1,
           **options: object) -> bytes:
    m = ModelWriter()
    x = m.input("x", shape, in_dtype, quantization=qi)
    y = m.tensor("y", shape, out_dtype, quantization=qo)
    m.op(op, [x], [y], version=version, **options)
    m.output(y)
    return m.finish()


def values(dtype: str, low: float, high: float, shape: Sequence[int] = SHAPE) -> np.ndarray:
    if dtype == "bool":
        return RNG.random(shape) < 0.5
    if np.dtype(dtype).kind in "iu":
        return RNG.integers(int(low), int(high) + 1, shape).astype(dtype)
    x = RNG.uniform(low, high, shape).astype(dtype)
    x.flat[:3] = [0.0, -0.0, low]
    return x


# (input type, output type, value range): float -> int ranges stay inside the target type
# (out of range is undefined in C++); int -> int ranges exercise wrapping
CASTS = [
    ("float32", "int32", -1000.0, 1000.0), ("float32", "int8", -128.9, 127.9),
    ("float32", "uint8", 0.0, 255.9), ("float32", "int64", -1e6, 1e6),
    ("int32", "float32", -1e6, 1e6), ("int64", "float32", -1e9, 1e9),
    ("int32", "int64", -1e9, 1e9), ("int64", "int32", -2**40, 2**40),
    ("int32", "uint8", -300, 300), ("int32", "int8", -300, 300), ("uint8", "int32", 0, 255),
    ("int8", "float32", -128, 127), ("uint8", "float32", 0, 255),
    ("bool", "float32", 0, 1), ("bool", "int32", 0, 1),
    ("float32", "bool", -2.0, 2.0), ("int32", "bool", -2, 2), ("bool", "bool", 0, 1),
    ("float32", "float16", -100.0, 100.0), ("float16", "float32", -100.0, 100.0),
    ("float32", "float32", -5.0, 5.0),
]


@pytest.mark.parametrize("case", CASTS, ids=lambda c: f"{c[0]}-{c[1]}")
def test_cast(case: tuple) -> None:
    src, dst, low, high = case
    check_delegated(one_op("CAST", src, dst), [values(src, low, high)])


def test_cast_float_to_bool_zero_and_small() -> None:
    x = np.array([0.0, -0.0, 1e-30, -0.5, 2.0, 0.0], np.float32).reshape(1, 6)
    check_delegated(one_op("CAST", "float32", "bool", shape=[1, 6]), [x])


@pytest.mark.parametrize("dtype,quant", [("int8", Quant(0.02, -10)), ("uint8", Quant(0.1, 128)),
                                         ("int8", Quant(0.5, 0))])
def test_quantize_float(dtype: str, quant: Quant) -> None:
    """Values reach past the representable range: saturation."""
    model = one_op("QUANTIZE", "float32", dtype, qo=quant)
    check_delegated(model, [values("float32", -20.0, 20.0)])


@pytest.mark.parametrize("src,dst,qi,qo", [
    ("int8", "uint8", Quant(0.05, -3), Quant(0.05, 125)),
    ("uint8", "int8", Quant(0.05, 128), Quant(0.05, 0)),
    ("int8", "int8", Quant(0.05, 3), Quant(0.11, -20)),
    ("uint8", "uint8", Quant(0.2, 100), Quant(0.07, 90)),
    ("int8", "uint8", Quant(0.1, 10), Quant(0.03, 200)),
])
def test_quantize_requantize(src: str, dst: str, qi: Quant, qo: Quant) -> None:
    info = np.iinfo(src)
    model = one_op("QUANTIZE", src, dst, qi=qi, qo=qo, version=2)
    check_delegated(model, [values(src, info.min, info.max)])


@pytest.mark.parametrize("dtype,quant", [("int8", Quant(0.05, -3)), ("uint8", Quant(0.3, 140))])
def test_dequantize(dtype: str, quant: Quant) -> None:
    info = np.iinfo(dtype)
    model = one_op("DEQUANTIZE", dtype, "float32", qi=quant, version=2)
    check_delegated(model, [values(dtype, info.min, info.max)])


def _dequantized_constant_plus_input(weights: np.ndarray, quant: Quant | None) -> bytes:
    """DEQUANTIZE of a constant (per-channel int8 or float16 weights) added to an input."""
    m = ModelWriter()
    w = m.constant("w", weights, quantization=quant)
    x = m.input("x", list(weights.shape), "float32")
    d = m.tensor("d", list(weights.shape), "float32")
    m.op("DEQUANTIZE", [w], [d], version=3 if weights.dtype == np.float16 else 2)
    y = m.tensor("y", list(weights.shape), "float32")
    m.op("ADD", [x, d], [y])
    m.output(y)
    return m.finish()


def test_dequantize_per_channel_constant() -> None:
    weights = RNG.integers(-127, 128, [4, 3, 2]).astype(np.int8)
    quant = Quant([0.1, 0.02, 0.5], [0, 0, 0], axis=1)
    model = _dequantized_constant_plus_input(weights, quant)
    check_delegated(model, [values("float32", -1.0, 1.0, [4, 3, 2])])


def test_dequantize_float16_constant() -> None:
    weights = RNG.uniform(-3, 3, [4, 5]).astype(np.float16)
    model = _dequantized_constant_plus_input(weights, None)
    check_delegated(model, [values("float32", -1.0, 1.0, [4, 5])])


def test_quantize_dequantize_chain() -> None:
    m = ModelWriter()
    x = m.input("x", SHAPE, "float32")
    q = m.tensor("q", SHAPE, "int8", quantization=Quant(0.04, 5))
    m.op("QUANTIZE", [x], [q])
    y = m.tensor("y", SHAPE, "float32")
    m.op("DEQUANTIZE", [q], [y], version=2)
    m.output(y)
    check_delegated(m.finish(), [values("float32", -5.0, 5.0)], partitions=1)


def test_int16_refused() -> None:
    report = refused(one_op("QUANTIZE", "float32", "int16", qo=Quant(0.001, 0), version=3))
    assert report.num_supported == 0
    assert "INT16" in report.nodes[0].reason
    report = refused(one_op("DEQUANTIZE", "int16", "float32", qi=Quant(0.001, 0), version=4))
    assert report.num_supported == 0
    assert "INT16" in report.nodes[0].reason
