"""Binary element-wise ops, comparisons, logical ops and SELECT through the WebNN delegate,
checked against TFLite's builtin kernels (providers/tflite/ops/elementwise.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from webnn_providers.testing.tflite_writer import ModelWriter, Quant

from tests.providers.tflite.helpers import check_delegated, refused

RNG = np.random.default_rng(7)
ACTIVATIONS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]
Q8 = {"int8": Quant(0.05, -3), "uint8": Quant(0.05, 130)}


def binary_model(op: str, a: Sequence[int], b: Sequence[int] | np.ndarray, out: Sequence[int],
                 dtype: str = "float32", out_dtype: str | None = None,
                 qa: Quant | None = None, qb: Quant | None = None, qo: Quant | None = None,
                 **options: Any) -> bytes:
    """One ``op`` with inputs of shapes ``a`` and ``b`` (``b`` a constant when an array)."""
    m = ModelWriter()
    x = m.input("a", a, dtype, quantization=qa)
    if isinstance(b, np.ndarray):
        y = m.constant("b", b, quantization=qb)
    else:
        y = m.input("b", b, dtype, quantization=qb)
    z = m.tensor("z", out, out_dtype or dtype, quantization=qo)
    m.op(op, [x, y], [z], **options)
    m.output(z)
    return m.finish()


def data(shape: Sequence[int], dtype: str, low: float = -4.0, high: float = 4.0) -> np.ndarray:
    if dtype in ("int8", "uint8"):
        info = np.iinfo(dtype)
        return RNG.integers(info.min, info.max + 1, shape).astype(dtype)
    if dtype in ("int32", "int64"):
        return RNG.integers(int(low), int(high) + 1, shape).astype(dtype)
    if dtype == "bool":
        return RNG.random(shape) < 0.5
    return RNG.uniform(low, high, shape).astype(np.float32)


BROADCASTS = [([2, 3, 4], [2, 3, 4], [2, 3, 4]), ([2, 3, 4], [4], [2, 3, 4]),
              ([1, 3, 1], [2, 1, 5], [2, 3, 5]), ([3, 4], [], [3, 4])]


@pytest.mark.parametrize("op", ["ADD", "SUB", "MUL", "DIV"])
@pytest.mark.parametrize("act", ACTIVATIONS)
def test_arithmetic_float_activations(op: str, act: str) -> None:
    model = binary_model(op, [2, 3, 4], [4], [2, 3, 4], fused_activation_function=act)
    b = data([4], "float32", 0.5, 2.0) * RNG.choice([-1, 1], 4).astype(np.float32)
    check_delegated(model, [data([2, 3, 4], "float32"), b])


@pytest.mark.parametrize("op", ["ADD", "SUB", "MUL", "DIV"])
@pytest.mark.parametrize("shapes", BROADCASTS, ids=str)
def test_arithmetic_float_broadcast(op: str, shapes: tuple) -> None:
    a, b, out = shapes
    divisor = data(b, "float32", 0.5, 3.0)
    check_delegated(binary_model(op, a, b, out), [data(a, "float32"), divisor])


@pytest.mark.parametrize("act", ["TANH", "SIGN_BIT"])
def test_arithmetic_ignored_activation_refused(act: str) -> None:
    """TFLite's kernels clamp to CalculateActivationRange, which ignores TANH/SIGN_BIT."""
    report = refused(binary_model("ADD", [2, 3], [3], [2, 3], fused_activation_function=act))
    assert report.num_supported == 0
    assert f"fused activation {act}" in report.nodes[0].reason


def test_arithmetic_constant_operand() -> None:
    model = binary_model("MUL", [1, 4, 4, 3], np.array([0.5, -2.0, 3.0], np.float32),
                         [1, 4, 4, 3], fused_activation_function="RELU6")
    check_delegated(model, [data([1, 4, 4, 3], "float32")])


@pytest.mark.parametrize("op", ["ADD", "SUB", "MUL", "DIV"])
@pytest.mark.parametrize("act", ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"])
def test_arithmetic_int32(op: str, act: str) -> None:
    """int32 arithmetic is exact; DIV truncates toward zero in both."""
    model = binary_model(op, [2, 5], [5], [2, 5], "int32", fused_activation_function=act)
    b = data([5], "int32", 1, 6) * np.array([1, -1, 1, -1, 1], np.int32)
    check_delegated(model, [data([2, 5], "int32", -30, 30), b])


@pytest.mark.parametrize("op", ["ADD", "SUB", "MUL"])
def test_arithmetic_int64(op: str) -> None:
    model = binary_model(op, [3, 4], [3, 1], [3, 4], "int64")
    check_delegated(model, [data([3, 4], "int64", -1000, 1000), data([3, 1], "int64", -9, 9)])


@pytest.mark.parametrize("dtype", ["int8", "uint8"])
@pytest.mark.parametrize("op", ["ADD", "SUB", "MUL"])
@pytest.mark.parametrize("act", ["NONE", "RELU", "RELU6"])
def test_arithmetic_quantized(dtype: str, op: str, act: str) -> None:
    zp = 0 if dtype == "int8" else 128
    qa, qb = Quant(0.04, zp + 5), Quant(0.03, zp - 7)
    qo = Quant(0.08 if op != "MUL" else 0.05, zp - 2)
    model = binary_model(op, [2, 3, 4], [1, 3, 1], [2, 3, 4], dtype, qa=qa, qb=qb, qo=qo,
                         fused_activation_function=act)
    check_delegated(model, [data([2, 3, 4], dtype), data([1, 3, 1], dtype)])


def test_div_quantized_uint8() -> None:
    model = binary_model("DIV", [2, 6], [6], [2, 6], "uint8", qa=Quant(0.05, 100),
                         qb=Quant(0.02, 0), qo=Quant(0.1, 120))
    b = RNG.integers(20, 255, [6]).astype(np.uint8)
    check_delegated(model, [data([2, 6], "uint8"), b])


@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_squared_difference(dtype: str) -> None:
    model = binary_model("SQUARED_DIFFERENCE", [2, 3, 4], [3, 1], [2, 3, 4], dtype)
    check_delegated(model, [data([2, 3, 4], dtype, -50, 50), data([3, 1], dtype, -50, 50)])


@pytest.mark.parametrize("dtype", ["int8"])  # TFLite has no uint8 kernel
def test_squared_difference_quantized(dtype: str) -> None:
    zp = 0 if dtype == "int8" else 128
    model = binary_model("SQUARED_DIFFERENCE", [2, 8], [8], [2, 8], dtype,
                         qa=Quant(0.02, zp + 3), qb=Quant(0.03, zp - 4),
                         qo=Quant(0.1, zp if dtype == "uint8" else -128))
    check_delegated(model, [data([2, 8], dtype), data([8], dtype)])


@pytest.mark.parametrize("op", ["MAXIMUM", "MINIMUM"])
@pytest.mark.parametrize("dtype", ["float32", "int32", "int64", "int8", "uint8"])
def test_maximum_minimum(op: str, dtype: str) -> None:
    q = Q8.get(dtype)
    model = binary_model(op, [2, 3, 4], [3, 1], [2, 3, 4], dtype, qa=q, qb=q, qo=q)
    check_delegated(model, [data([2, 3, 4], dtype, -9, 9), data([3, 1], dtype, -9, 9)])


@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_pow(dtype: str) -> None:
    model = binary_model("POW", [2, 5], [5], [2, 5], dtype)
    if dtype == "float32":
        inputs = [data([2, 5], dtype, 0.1, 3.0), data([5], dtype, -2.0, 2.5)]
    else:
        inputs = [data([2, 5], dtype, -9, 9), data([5], dtype, 0, 5)]
    check_delegated(model, inputs)


@pytest.mark.parametrize("shapes", BROADCASTS[:3], ids=str)
def test_floor_div_float(shapes: tuple) -> None:
    a, b, out = shapes
    divisor = data(b, "float32", 0.3, 2.0) * np.where(RNG.random(b) < 0.5, -1, 1)
    check_delegated(binary_model("FLOOR_DIV", a, b, out), [data(a, "float32", -9, 9), divisor])


@pytest.mark.parametrize("op", ["FLOOR_DIV", "FLOOR_MOD"])
def test_floor_div_mod_int32(op: str) -> None:
    """Every sign combination, exact multiples included."""
    a = np.array([[7, -7, 7, -7, 6, -6, 0, 13]] * 2, np.int32)
    a[1] *= 3
    b = np.array([2, 2, -2, -2, 3, -3, 5, -4], np.int32)
    check_delegated(binary_model(op, [2, 8], [8], [2, 8], "int32"), [a, b])


def test_floor_mod_float_refused() -> None:
    report = refused(binary_model("FLOOR_MOD", [2, 3], [3], [2, 3]))
    assert report.num_supported == 0
    assert "fmod" in report.nodes[0].reason


COMPARISONS = ["EQUAL", "NOT_EQUAL", "LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL"]


@pytest.mark.parametrize("op", COMPARISONS)
@pytest.mark.parametrize("dtype", ["float32", "int32", "int64"])
def test_comparison(op: str, dtype: str) -> None:
    model = binary_model(op, [2, 3, 4], [3, 1], [2, 3, 4], dtype, out_dtype="bool")
    # small integers (also as floats) so that equal values occur
    a = data([2, 3, 4], "int32", -3, 3).astype(dtype)
    b = data([3, 1], "int32", -3, 3).astype(dtype)
    check_delegated(model, [a, b])


@pytest.mark.parametrize("op", ["EQUAL", "NOT_EQUAL"])
def test_comparison_bool(op: str) -> None:
    model = binary_model(op, [2, 4], [4], [2, 4], "bool")
    check_delegated(model, [data([2, 4], "bool"), data([4], "bool")])


@pytest.mark.parametrize("op", COMPARISONS)
@pytest.mark.parametrize("dtype", ["int8", "uint8"])
@pytest.mark.parametrize("case", ["same", "zero_points", "scales"])
def test_comparison_quantized(op: str, dtype: str, case: str) -> None:
    """Same quantization: stored integers; same scale: q - zero_point; different scales:
    real values (inputs chosen on a common grid so that no two values are merely close)."""
    zp = 0 if dtype == "int8" else 128
    qa = Quant(0.5, zp)
    qb = {"same": qa, "zero_points": Quant(0.5, zp + 3), "scales": Quant(0.25, zp - 2)}[case]
    model = binary_model(op, [2, 6], [6], [2, 6], dtype, out_dtype="bool", qa=qa, qb=qb)
    a = (RNG.integers(-4, 5, [2, 6]) + zp).astype(dtype)
    b = (RNG.integers(-4, 5, [6]) * (2 if case == "scales" else 1)
         + np.array(qb.zero_point)).astype(dtype)
    check_delegated(model, [a, b])


@pytest.mark.parametrize("op", ["LOGICAL_AND", "LOGICAL_OR"])
def test_logical_binary(op: str) -> None:
    model = binary_model(op, [2, 3, 4], [3, 1], [2, 3, 4], "bool")
    check_delegated(model, [data([2, 3, 4], "bool"), data([3, 1], "bool")])


def test_logical_not() -> None:
    m = ModelWriter()
    x = m.input("x", [3, 5], "bool")
    y = m.tensor("y", [3, 5], "bool")
    m.op("LOGICAL_NOT", [x], [y])
    m.output(y)
    check_delegated(m.finish(), [data([3, 5], "bool")])


def select_model(op: str, cond: Sequence[int], a: Sequence[int], b: Sequence[int],
                 out: Sequence[int], dtype: str = "float32", q: Quant | None = None) -> bytes:
    m = ModelWriter()
    c = m.input("c", cond, "bool")
    x = m.input("x", a, dtype, quantization=q)
    y = m.input("y", b, dtype, quantization=q)
    z = m.tensor("z", out, dtype, quantization=q)
    m.op(op, [c, x, y], [z])
    m.output(z)
    return m.finish()


@pytest.mark.parametrize("dtype", ["float32", "int32", "int8", "uint8", "bool"])
def test_select(dtype: str) -> None:
    model = select_model("SELECT", [2, 3, 4], [2, 3, 4], [2, 3, 4], [2, 3, 4], dtype,
                         Q8.get(dtype))
    check_delegated(model, [data([2, 3, 4], "bool"), data([2, 3, 4], dtype),
                            data([2, 3, 4], dtype)])


def test_select_rank1_condition() -> None:
    """SELECT (v1): a vector condition picks whole rows along the first dimension."""
    model = select_model("SELECT", [3], [3, 2, 4], [3, 2, 4], [3, 2, 4])
    check_delegated(model, [np.array([True, False, True]), data([3, 2, 4], "float32"),
                            data([3, 2, 4], "float32")])


@pytest.mark.parametrize("dtype", ["float32", "int8"])
def test_select_v2_broadcast(dtype: str) -> None:
    model = select_model("SELECT_V2", [1, 3, 1], [2, 1, 4], [4], [2, 3, 4], dtype,
                         Q8.get(dtype))
    check_delegated(model, [data([1, 3, 1], "bool"), data([2, 1, 4], dtype),
                            data([4], dtype)])


def test_int16_refused() -> None:
    """int16 activations: WebNN has no int16 tensors."""
    q = Quant(0.01, 0)
    report = refused(binary_model("ADD", [2, 3], [2, 3], [2, 3], "int16", qa=q, qb=q, qo=q))
    assert report.num_supported == 0
    assert report.nodes[0].kind == "dtype"


def test_mixed_quantized_comparison_refused() -> None:
    model = binary_model("LESS", [4], np.array([1, 2, 3, 4], np.int8), [4], "int8",
                         out_dtype="bool", qa=Quant(0.1, 0))
    report = refused(model)
    assert report.num_supported == 0
    assert "quantized vs non-quantized" in report.nodes[0].reason
