"""Reductions and ARG_MAX/ARG_MIN through the WebNN delegate, checked against TFLite's builtin
kernels (providers/tflite/ops/reduction.py)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from webnn_providers.testing.tflite_writer import ModelWriter, Quant

from tests.providers.tflite.helpers import check_delegated

RNG = np.random.default_rng(3)
SHAPE = [2, 3, 4, 5]
REDUCERS = ["MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN", "REDUCE_PROD"]


def out_shape(shape: Sequence[int], axes: Sequence[int], keep: bool) -> list[int]:
    resolved = {a % len(shape) for a in axes}
    if keep:
        return [1 if k in resolved else d for k, d in enumerate(shape)]
    return [d for k, d in enumerate(shape) if k not in resolved]


def reduce_model(op: str, shape: Sequence[int], axes: Sequence[int], keep: bool,
                 dtype: str = "float32", qi: Quant | None = None, qo: Quant | None = None,
                 axis_dtype: str = "int32") -> bytes:
    m = ModelWriter()
    x = m.input("x", shape, dtype, quantization=qi)
    a = m.constant("axis", np.array(axes, axis_dtype))
    y = m.tensor("y", out_shape(shape, axes, keep), dtype, quantization=qo)
    m.op(op, [x, a], [y], keep_dims=keep)
    m.output(y)
    return m.finish()


AXES = [[1], [-1], [0, 2], [1, -3], [3, 0, 3], [0, 1, 2, 3]]


@pytest.mark.parametrize("op", REDUCERS)
@pytest.mark.parametrize("axes", AXES, ids=str)
@pytest.mark.parametrize("keep", [False, True])
def test_reduce_float(op: str, axes: list[int], keep: bool) -> None:
    # PROD stays near 1 so that 120 factors keep a sane magnitude; sums of up to 120 terms
    # of magnitude <= 2 are exact to ~1e-5 relative, so the default tolerance holds
    low, high = (0.8, 1.2) if op == "REDUCE_PROD" else (-2.0, 2.0)
    x = RNG.uniform(low, high, SHAPE).astype(np.float32)
    check_delegated(reduce_model(op, SHAPE, axes, keep), [x], atol=1e-5)


@pytest.mark.parametrize("op", REDUCERS)
@pytest.mark.parametrize("keep", [False, True])
def test_reduce_int32(op: str, keep: bool) -> None:
    """int32 reductions are exact; MEAN truncates its integer quotient."""
    low, high = (1, 3) if op == "REDUCE_PROD" else (-50, 50)
    x = RNG.integers(low, high, [3, 4, 5]).astype(np.int32)
    check_delegated(reduce_model(op, [3, 4, 5], [0, 2], keep, "int32"), [x])


#: (op, dtype, output quantized like the input) TFLite has kernels for: REDUCE_MAX/MIN need
#: the input's scale on the output, REDUCE_PROD has no uint8 kernel
QUANTIZED = [(op, dtype, same) for op in REDUCERS for dtype in ("int8", "uint8")
             for same in (True, False)
             if not (op in ("REDUCE_MAX", "REDUCE_MIN") and not same)
             and not (op == "REDUCE_PROD" and dtype == "uint8")]


@pytest.mark.parametrize("op,dtype,same", QUANTIZED, ids=str)
def test_reduce_quantized(op: str, dtype: str, same: bool) -> None:
    zp = 0 if dtype == "int8" else 128
    qi = Quant(0.02, zp + 3)
    if op == "REDUCE_PROD":
        qo = qi if same else Quant(0.03, zp)
        x = (RNG.integers(40, 60, [2, 3, 4]) + zp).astype(dtype)  # reals near 1
        axes = [2]
    else:
        qo = qi if same else Quant(0.5 if op == "SUM" else 0.03, zp - 7)
        x = RNG.integers(np.iinfo(dtype).min, np.iinfo(dtype).max + 1, [2, 3, 4]).astype(dtype)
        axes = [1, -1]
    check_delegated(reduce_model(op, [2, 3, 4], axes, True, dtype, qi, qo), [x])


def arg_model(op: str, shape: Sequence[int], axis: int, out_type: str,
              dtype: str = "float32", q: Quant | None = None) -> bytes:
    m = ModelWriter()
    x = m.input("x", shape, dtype, quantization=q)
    a = m.constant("axis", np.array([axis], np.int32))
    out = [d for k, d in enumerate(shape) if k != axis % len(shape)]
    y = m.tensor("y", out, out_type)
    m.op(op, [x, a], [y], output_type=out_type)
    m.output(y)
    return m.finish()


@pytest.mark.parametrize("op", ["ARG_MAX", "ARG_MIN"])
@pytest.mark.parametrize("axis", [0, 2, -1])
@pytest.mark.parametrize("out_type", ["int32", "int64"])
def test_arg_float(op: str, axis: int, out_type: str) -> None:
    # few distinct values: ties occur, and both pick the first extreme index
    x = RNG.integers(-3, 4, [3, 4, 5]).astype(np.float32)
    check_delegated(arg_model(op, [3, 4, 5], axis, out_type), [x])


@pytest.mark.parametrize("op", ["ARG_MAX", "ARG_MIN"])
@pytest.mark.parametrize("dtype", ["int32", "int8", "uint8"])
def test_arg_integer(op: str, dtype: str) -> None:
    q = Quant(0.1, 3) if dtype in ("int8", "uint8") else None
    x = RNG.integers(0, 100, [4, 6]).astype(dtype)
    check_delegated(arg_model(op, [4, 6], 1, "int32", dtype, q), [x])
