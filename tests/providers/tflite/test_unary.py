"""Unary math through the WebNN delegate, checked against TFLite's builtin kernels
(providers/tflite/ops/unary.py)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from webnn_providers.testing.tflite_writer import ModelWriter, Quant

from tests.providers.tflite.helpers import ON_TFLITE_RUNTIME, check_delegated, refused

RNG = np.random.default_rng(5)


def unary_model(op: str, shape: Sequence[int], dtype: str = "float32",
                qi: Quant | None = None, qo: Quant | None = None) -> bytes:
    m = ModelWriter()
    x = m.input("x", shape, dtype, quantization=qi)
    y = m.tensor("y", shape, dtype, quantization=qo)
    m.op(op, [x], [y])
    m.output(y)
    return m.finish()


#: op -> input range where the function is defined
FLOAT_RANGES = {
    "EXP": (-5, 5), "LOG": (0.01, 20), "SQRT": (0, 20), "RSQRT": (0.05, 20), "ABS": (-5, 5),
    "NEG": (-5, 5), "SQUARE": (-5, 5), "SIN": (-6, 6), "COS": (-6, 6), "FLOOR": (-5, 5),
    "CEIL": (-5, 5), "ROUND": (-5, 5), "SIGN": (-5, 5),
}


@pytest.mark.parametrize("op", sorted(FLOAT_RANGES))
def test_float(op: str) -> None:
    low, high = FLOAT_RANGES[op]
    x = RNG.uniform(low, high, [2, 3, 7]).astype(np.float32)
    check_delegated(unary_model(op, [2, 3, 7]), [x])


@pytest.mark.parametrize("op", ["FLOOR", "CEIL", "ROUND", "SIGN", "ABS", "NEG"])
def test_float_special_values(op: str) -> None:
    """Halves (ROUND is half to even in TFLite's RoundToNearest), zeros, integers."""
    x = np.array([-2.5, -1.5, -0.5, -0.0, 0.0, 0.5, 1.5, 2.5, 3.0, -3.0, 0.49999997, 1e-30],
                 np.float32)
    check_delegated(unary_model(op, [12]), [x])


@pytest.mark.parametrize("op,dtype", [("ABS", "int32"), ("NEG", "int32"), ("NEG", "int64"),
                                      ("SIGN", "int32")])
def test_integer(op: str, dtype: str) -> None:
    x = RNG.integers(-1000, 1000, [3, 5]).astype(dtype)
    x[0, :3] = [0, 1, -1]
    check_delegated(unary_model(op, [3, 5], dtype), [x])


#: ops with int8 kernels in TFLite: (input quantization, output quantization, input range)
QUANTIZED = {
    "ABS": (Quant(0.05, 3), Quant(0.04, -128)),
    "EXP": (Quant(0.03, 0), Quant(0.1, -128)),
    "LOG": (Quant(0.05, -128), Quant(0.03, 20)),
    "SQRT": (Quant(0.05, -128), Quant(0.02, -128)),
    "RSQRT": (Quant(0.05, -128), Quant(0.02, -128)),
}


@pytest.mark.parametrize("op", sorted(QUANTIZED))
def test_quantized_int8(op: str) -> None:
    if ON_TFLITE_RUNTIME and op in ("LOG", "SQRT"):
        pytest.skip(f"tflite-runtime 2.14 has no int8 {op} kernel (the oracle)")
    qi, qo = QUANTIZED[op]
    low = -128 if op in ("ABS", "EXP") else -127  # LOG/SQRT/RSQRT: positive reals
    x = RNG.integers(low, 128, [2, 3, 8]).astype(np.int8)
    check_delegated(unary_model(op, [2, 3, 8], "int8", qi, qo), [x])


def test_neg_int8_refused() -> None:
    report = refused(unary_model("NEG", [4], "int8", Quant(0.05, 0), Quant(0.05, 0)))
    assert report.num_supported == 0
    assert "quantized NEG" in report.nodes[0].reason


def test_int16_refused() -> None:
    """TFLite's ABS takes plain int16; WebNN has no int16 tensors."""
    report = refused(unary_model("ABS", [4], "int16"))
    assert report.num_supported == 0
    assert report.nodes[0].kind == "dtype"
