"""Reductions, arg_min/arg_max and cumulative_sum: hand-checked values, OpenVINO vs
reference, validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

import webnn_core as webnn
from tests.helpers import OP_BACKENDS, assert_backends_agree, context, run

D = webnn.MLOperandDescriptor
REDUCE_OPS = ["reduce_l1", "reduce_l2", "reduce_log_sum", "reduce_log_sum_exp", "reduce_max",
              "reduce_mean", "reduce_min", "reduce_product", "reduce_sum", "reduce_sum_square"]
INTEGER_REDUCE_OPS = ["reduce_l1", "reduce_max", "reduce_min", "reduce_product", "reduce_sum",
                      "reduce_sum_square"]


def _inp(g: webnn.MLGraphBuilder, name: str, array: np.ndarray) -> webnn.MLOperand:
    return g.input(name, D(str(array.dtype), array.shape))


def _wpt_ulp(op: str, count: int) -> int:
    """WPT's reduction tolerance for ``count`` reduced elements."""
    return {"reduce_l1": count, "reduce_product": count, "reduce_sum": count,
            "reduce_l2": 2 * count + 1, "reduce_mean": count + 2,
            "reduce_log_sum": count + 18, "reduce_log_sum_exp": 2 * count + 18,
            "reduce_sum_square": 2 * count, "reduce_max": 0, "reduce_min": 0}[op]


# -- hand-checked values -----------------------------------------------------------------
HAND = [
    # op, input, axes, keep, expected
    ("reduce_sum", [[1, 2], [3, 4]], [0], False, [4, 6]),
    ("reduce_sum", [[1, 2], [3, 4]], None, False, 10),
    ("reduce_l1", [[-1, 2], [3, -4]], None, False, 10),
    ("reduce_l2", [[3, 4], [6, 8]], [1], True, [[5], [10]]),
    ("reduce_log_sum", [[1, 2], [3, 4]], [1], False, [math.log(3), math.log(7)]),
    ("reduce_log_sum_exp", [[0, 0], [1000, 1000]], [1], False,
     [math.log(2), 1000 + math.log(2)]),
    ("reduce_max", [[1, 5], [7, -2]], [1], False, [5, 7]),
    ("reduce_min", [[1, 5], [7, -2]], [0], True, [[1, -2]]),
    ("reduce_mean", [[1, 2], [3, 6]], None, True, [[3]]),
    ("reduce_product", [[1, 2], [3, 4]], [1], True, [[2], [12]]),
    ("reduce_sum_square", [[1, 2], [3, 4]], [0, 1], False, 30),
    ("reduce_l1", [[-1.5, 2]], [], False, [[1.5, 2]]),
    ("reduce_log_sum", [[1, 4]], [], False, [[0, math.log(4)]]),
    ("reduce_sum_square", [[-3, 2]], [], True, [[9, 4]]),
]


@pytest.mark.parametrize("backend", OP_BACKENDS)
@pytest.mark.parametrize("op,data,axes,keep,expected", HAND)
def test_reduction_by_hand(backend, op, data, axes, keep, expected):
    x = np.array(data, np.float32)

    def build(g):
        return {"y": getattr(g, op)(_inp(g, "x", x), axes=axes, keep_dimensions=keep)}

    out = run(backend, build, {"x": x})["y"]
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out, expected, rtol=1e-6)


@pytest.mark.parametrize("backend", OP_BACKENDS)
@pytest.mark.parametrize("op", REDUCE_OPS)
def test_reduction_of_scalar(backend, op):
    x = np.array(2.0, np.float32)
    out = run(backend, lambda g: {"y": getattr(g, op)(_inp(g, "x", x))}, {"x": x})["y"]
    expected = {"reduce_l2": 2, "reduce_log_sum": math.log(2), "reduce_sum_square": 4,
                "reduce_log_sum_exp": 2}.get(op, 2)
    assert out.shape == ()
    np.testing.assert_allclose(out, expected, rtol=1e-6)


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_integer_reductions_exact_beyond_float_precision(backend):
    # 2^24 + 1 is not a float32: an implementation accumulating in float32 loses it
    x = np.array([[16777217, 0, 5], [100000, 100000, -3]], np.int32)
    expected = {"reduce_sum": [16777222, 199997], "reduce_max": [16777217, 100000],
                "reduce_min": [0, -3], "reduce_l1": [16777222, 200003],
                # 100000 * 100000 * -3 = -3e10, wrapped to int32: -3e10 + 7 * 2^32
                "reduce_product": [0, 64771072]}
    for op, want in expected.items():
        out = run(backend, lambda g, op=op: {"y": getattr(g, op)(_inp(g, "x", x), axes=[1])},
                  {"x": x})["y"]
        np.testing.assert_array_equal(out, np.array(want, np.int32), err_msg=op)


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_integer_sum_wraps(backend):
    x = np.array([2**31 - 1, 1, 2], np.int32)
    out = run(backend, lambda g: {"y": g.reduce_sum(_inp(g, "x", x))}, {"x": x})["y"]
    assert out == np.int32(-(2**31) + 2)
    u = np.array([70000, 70000, 2**31 - 1, 2**31 - 1, 3], np.uint32)
    out = run(backend, lambda g: {"y": g.reduce_sum_square(_inp(g, "u", u))}, {"u": u})["y"]
    # 70000^2 = 4.9e9 = 605032704 mod 2^32, (2^31 - 1)^2 = 1 mod 2^32, 3^2 = 9:
    # 2 * 605032704 + 2 + 9 = 1210065419
    assert out == np.uint32(1210065419)
    out = run(backend, lambda g: {"y": g.reduce_sum(_inp(g, "u", u))}, {"u": u})["y"]
    # 140000 + 2^32 - 2 + 3 = 140001 mod 2^32
    assert out == np.uint32(140001)


@pytest.mark.parametrize("backend", OP_BACKENDS)
@pytest.mark.parametrize("output_data_type", ["int32", "int64"])
def test_arg_min_max_ties_take_first_index(backend, output_data_type):
    x = np.array([[1, 3, 3, 0, 3], [2, 2, 1, 2, 1]], np.float32)

    def build(g):
        inp = _inp(g, "x", x)
        return {"max": g.arg_max(inp, 1, output_data_type=output_data_type),
                "min": g.arg_min(inp, 1, keep_dimensions=True,
                                 output_data_type=output_data_type),
                "max0": g.arg_max(inp, 0)}

    out = run(backend, build, {"x": x})
    assert out["max"].dtype == np.dtype(output_data_type)
    np.testing.assert_array_equal(out["max"], [1, 0])
    np.testing.assert_array_equal(out["min"], [[3], [2]])
    np.testing.assert_array_equal(out["max0"], [1, 0, 0, 1, 0])


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_arg_min_max_nan_is_the_extreme(backend):
    x = np.array([[1, np.nan, 3, np.nan], [np.nan, 2, 5, 1], [4, 2, 5, 1]], np.float32)

    def build(g):
        inp = _inp(g, "x", x)
        return {"max": g.arg_max(inp, 1), "min": g.arg_min(inp, 1)}

    out = run(backend, build, {"x": x})
    np.testing.assert_array_equal(out["max"], [1, 0, 2])
    np.testing.assert_array_equal(out["min"], [1, 0, 3])


CUMSUM = [
    (False, False, [1, 3, 6, 10]),
    (True, False, [0, 1, 3, 6]),
    (False, True, [10, 9, 7, 4]),
    (True, True, [9, 7, 4, 0]),
]


@pytest.mark.parametrize("backend", OP_BACKENDS)
@pytest.mark.parametrize("exclusive,reversed_,expected", CUMSUM)
@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_cumulative_sum_spec_examples(backend, exclusive, reversed_, expected, dtype):
    x = np.array([1, 2, 3, 4], dtype)

    def build(g):
        return {"y": g.cumulative_sum(_inp(g, "x", x), 0, exclusive=exclusive,
                                      reversed=reversed_)}

    out = run(backend, build, {"x": x})["y"]
    np.testing.assert_array_equal(out, np.array(expected, dtype))


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_cumulative_sum_exclusive_with_infinity(backend):
    # exclusive sums never include the current value, even an infinite one
    x = np.array([1, np.inf, 2], np.float32)
    out = run(backend, lambda g: {"y": g.cumulative_sum(_inp(g, "x", x), 0, exclusive=True)},
              {"x": x})["y"]
    np.testing.assert_array_equal(out, [0, 1, np.inf])


# -- OpenVINO vs reference -------------------------------------------------------------
AXES_CASES = [([2, 3, 4], None), ([2, 3, 4], [1]), ([2, 3, 4], [2, 0]), ([2, 3, 4], []),
              ([5], [0]), ([], None), ([2, 1, 3, 2, 2], [1, 3, 4]), ([3, 4], [1, 0])]


@pytest.mark.parametrize("op", REDUCE_OPS)
@pytest.mark.parametrize("shape,axes", AXES_CASES)
@pytest.mark.parametrize("keep", [False, True])
def test_float_reductions_agree(op, shape, axes, keep):
    rng = np.random.default_rng(20)
    # positive inputs: no cancellation, so WPT's ULP bounds apply
    low, high = (0.5, 1.5) if op == "reduce_product" else (0.1, 4)
    x = rng.uniform(low, high, shape).astype(np.float32)
    used = range(len(shape)) if axes is None else axes
    count = math.prod(shape[a] for a in used)

    def build(g):
        return {"y": getattr(g, op)(_inp(g, "x", x), axes=axes, keep_dimensions=keep)}

    assert_backends_agree(build, {"x": x}, ulp=_wpt_ulp(op, count))


@pytest.mark.parametrize("op", REDUCE_OPS)
def test_float16_reductions_agree(op):
    rng = np.random.default_rng(21)
    low, high = (0.8, 1.25) if op == "reduce_product" else (0.1, 2)
    x = rng.uniform(low, high, (3, 4, 5)).astype(np.float16)

    def build(g):
        return {"y": getattr(g, op)(_inp(g, "x", x), axes=[0, 2])}

    assert_backends_agree(build, {"x": x}, ulp=_wpt_ulp(op, 15))


@pytest.mark.parametrize("op", ["reduce_max", "reduce_min", "reduce_sum", "reduce_l1",
                                "reduce_mean", "reduce_sum_square"])
def test_signed_float_reductions_agree(op):
    rng = np.random.default_rng(22)
    x = rng.uniform(-3, 3, (4, 6)).astype(np.float32)
    # signed sums may cancel: compare against the sum of magnitudes' rounding instead
    ulp = _wpt_ulp(op, 6)
    if op in ("reduce_sum", "reduce_mean"):
        ref = run("reference", lambda g: {"y": getattr(g, op)(_inp(g, "x", x), axes=[1])},
                  {"x": x})["y"]
        got = run("openvino", lambda g: {"y": getattr(g, op)(_inp(g, "x", x), axes=[1])},
                  {"x": x})["y"]
        bound = 6 * np.spacing(np.abs(x).sum(axis=1).astype(np.float32))
        assert np.all(np.abs(got - ref) <= bound)
        return
    assert_backends_agree(lambda g: {"y": getattr(g, op)(_inp(g, "x", x), axes=[1])},
                          {"x": x}, ulp=ulp)


def test_log_sum_exp_large_values_agree():
    x = np.array([[500, 499, -np.inf], [-np.inf, -np.inf, -np.inf], [np.inf, 1, 2]], np.float32)
    out = assert_backends_agree(lambda g: {"y": g.reduce_log_sum_exp(_inp(g, "x", x),
                                                                      axes=[1])},
                                {"x": x}, ulp=2 * 3 + 18)
    np.testing.assert_allclose(out["y"][0], 500 + math.log(1 + math.exp(-1)), rtol=1e-6)
    assert out["y"][1] == -np.inf and out["y"][2] == np.inf


#: integer data types both backends compute exactly (OpenVINO: see its reduction module)
INTEGER_CASES = [(op, dtype) for op in INTEGER_REDUCE_OPS
                 for dtype in (("int32", "uint32", "int64", "uint64", "int8", "uint8")
                               if op in ("reduce_max", "reduce_min") else ("int32", "uint32"))]


@pytest.mark.parametrize("op,dtype", INTEGER_CASES)
@pytest.mark.parametrize("shape,axes", [([3, 4, 5], [1]), ([3, 4, 5], None),
                                        ([3, 4, 5], [2, 0]), ([3, 4], []), ([], None)])
@pytest.mark.parametrize("keep", [False, True])
def test_integer_reductions_agree(op, dtype, shape, axes, keep):
    rng = np.random.default_rng(23)
    info = np.iinfo(dtype)
    x = rng.integers(max(info.min, -50), min(info.max, 50), shape, endpoint=True).astype(dtype)

    def build(g):
        return {"y": getattr(g, op)(_inp(g, "x", x), axes=axes, keep_dimensions=keep)}

    assert_backends_agree(build, {"x": x})


@pytest.mark.parametrize("op", ["arg_min", "arg_max"])
@pytest.mark.parametrize("dtype", ["float32", "float16", "int32", "uint32", "int64", "uint64",
                                   "int8", "uint8"])
@pytest.mark.parametrize("axis", [0, 1, 2])
@pytest.mark.parametrize("keep", [False, True])
def test_arg_min_max_agree(op, dtype, axis, keep):
    rng = np.random.default_rng(24)
    x = rng.integers(0, 5, (3, 4, 5)).astype(dtype)  # many ties

    def build(g):
        return {"y": getattr(g, op)(_inp(g, "x", x), axis, keep_dimensions=keep,
                                    output_data_type="int64")}

    out = assert_backends_agree(build, {"x": x})
    assert out["y"].dtype == np.int64


@pytest.mark.parametrize("dtype", ["int32", "int64", "uint32"])
def test_arg_max_reduce_max_large_values(dtype):
    # beyond float32's 2^24 integers: exact comparisons needed
    x = np.array([[16777217, 16777216, 16777218, 3], [5, 2**31 - 1, 2**31 - 2, 0]], dtype)

    def build(g):
        inp = _inp(g, "x", x)
        return {"i": g.arg_max(inp, 1), "m": g.reduce_max(inp, axes=[1]),
                "n": g.reduce_min(inp, axes=[0])}

    out = assert_backends_agree(build, {"x": x})
    np.testing.assert_array_equal(out["i"], [2, 1])
    np.testing.assert_array_equal(out["m"], np.array([16777218, 2**31 - 1], dtype))
    np.testing.assert_array_equal(out["n"], np.array([5, 16777216, 16777218, 0], dtype))


@pytest.mark.parametrize("dtype", ["float32", "float16", "int32", "uint32"])
@pytest.mark.parametrize("axis", [0, 2])
@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reversed_", [False, True])
def test_cumulative_sum_agrees(dtype, axis, exclusive, reversed_):
    rng = np.random.default_rng(25)
    x = rng.integers(0, 9, (3, 2, 4)).astype(dtype)  # small integers: exact in any order
    if dtype.startswith("float"):
        x = (x / 4).astype(dtype)

    def build(g):
        return {"y": g.cumulative_sum(_inp(g, "x", x), axis, exclusive=exclusive,
                                      reversed=reversed_)}

    assert_backends_agree(build, {"x": x})


def test_cumulative_sum_float_agrees_within_wpt_style_bound():
    rng = np.random.default_rng(26)
    x = rng.uniform(0.1, 2, (2, 50)).astype(np.float32)
    assert_backends_agree(lambda g: {"y": g.cumulative_sum(_inp(g, "x", x), 1)}, {"x": x},
                          ulp=50)


# -- validation ------------------------------------------------------------------------
def _builder(backend: str = "reference") -> webnn.MLGraphBuilder:
    return webnn.MLGraphBuilder(context(backend))


def test_reduction_validation():
    g = _builder()
    x = g.input("x", D("float32", [2, 3]))
    with pytest.raises(TypeError, match="reduce_sum: axis 2 in axes must be in"):
        g.reduce_sum(x, axes=[2])
    with pytest.raises(TypeError, match="reduce_mean: axes .* duplicates"):
        g.reduce_mean(x, axes=[1, 1])
    with pytest.raises(TypeError, match="reduce_max: axes"):
        g.reduce_max(x, axes=[-1])
    with pytest.raises(TypeError, match="reduce_min: keep_dimensions"):
        g.reduce_min(x, keep_dimensions=1)
    with pytest.raises(TypeError, match="reduce_l2: input data type int32 is not allowed"):
        g.reduce_l2(g.input("i", D("int32", [2])))
    with pytest.raises(TypeError, match="reduce_sum: input data type int8 is not allowed"):
        g.reduce_sum(g.input("b", D("int8", [2])))
    with pytest.raises(TypeError, match="reduce_sum: axes .* must be empty for a scalar"):
        g.reduce_sum(g.input("s", D("float32", [])), axes=[0])
    assert g.reduce_sum(x, axes=[1], keep_dimensions=True).shape == (2, 1)
    assert g.reduce_sum(x).shape == ()
    assert g.reduce_sum(x, axes=[]).shape == (2, 3)


def test_openvino_rejects_int64_reductions_clearly():
    g = _builder("openvino")
    with pytest.raises(TypeError, match="reduce_sum: input data type int64 is not supported "
                                        "by the openvino backend"):
        g.reduce_sum(g.input("x", D("int64", [2])))


def test_arg_min_max_validation():
    g = _builder()
    x = g.input("x", D("float32", [2, 3]))
    with pytest.raises(TypeError, match="arg_max: axis 2 must be less than the input rank 2"):
        g.arg_max(x, 2)
    with pytest.raises(TypeError, match="arg_min: output_data_type uint32 is not allowed"):
        g.arg_min(x, 0, output_data_type="uint32")
    with pytest.raises(TypeError, match="arg_min: output_data_type"):
        g.arg_min(x, 0, output_data_type="bfloat16")
    with pytest.raises(TypeError, match="arg_max: axis"):
        g.arg_max(x, -1)
    with pytest.raises(TypeError, match="arg_max: axis 0 must be less than the input rank 0"):
        g.arg_max(g.input("s", D("float32", [])), 0)
    assert g.arg_max(x, 1, keep_dimensions=True).shape == (2, 1)
    assert g.arg_max(x, 1).data_type == "int32"


def test_cumulative_sum_validation():
    g = _builder()
    x = g.input("x", D("float32", [2, 3]))
    with pytest.raises(TypeError, match="cumulative_sum: axis 2 must be less"):
        g.cumulative_sum(x, 2)
    with pytest.raises(TypeError, match="cumulative_sum: input data type int8"):
        g.cumulative_sum(g.input("b", D("int8", [2])), 0)
    with pytest.raises(TypeError, match="cumulative_sum: exclusive"):
        g.cumulative_sum(x, 0, exclusive="yes")


def test_reference_wide_integer_reductions_by_hand():
    # values beyond int32: OpenVINO's CPU plugin computes these types as int32, so only the
    # reference runs them
    x = np.array([2**40, 2**40 + 3, -5], np.int64)
    out = run("reference", lambda g: {"y": g.reduce_sum(_inp(g, "x", x))}, {"x": x})["y"]
    assert out == 2**41 - 2
    u = np.array([2**31 + 1, 2**31, 7], np.uint32)

    def build(g):
        inp = _inp(g, "u", u)
        return {"y": g.reduce_max(inp), "i": g.arg_min(inp, 0)}

    out = run("reference", build, {"u": u})
    assert out["y"] == 2**31 + 1 and out["i"] == 2
    v = np.array([2**63 + 1, 2**40], np.uint64)
    out = run("reference", lambda g: {"y": g.cumulative_sum(_inp(g, "v", v), 0)}, {"v": v})
    np.testing.assert_array_equal(out["y"], np.array([2**63 + 1, 2**63 + 1 + 2**40], np.uint64))


@pytest.mark.parametrize("op,inf", [("reduce_max", -np.inf), ("reduce_min", np.inf)])
def test_reduce_extremes_of_only_infinities(op, inf):
    """Regression: OpenVINO's ReduceMax/Min start at the lowest/highest finite float, so a
    row of only -inf (+inf) gave -FLT_MAX (+FLT_MAX)."""
    x = np.array([[inf, inf], [0, inf], [1, 2]], np.float32)
    out = assert_backends_agree(
        lambda g: {"y": getattr(g, op)(g.input("x", webnn.MLOperandDescriptor("float32", [3, 2])),
                                       axes=[1])}, {"x": x})
    assert out["y"][0] == inf
