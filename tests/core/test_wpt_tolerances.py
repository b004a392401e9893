"""Unit tests of the WPT tolerance rules, comparison and data decoding; expected values
worked out by hand from the WPT rules quoted in tests/core/wpt_tolerances.py."""

from __future__ import annotations

import numpy as np
import pytest

from tests.core.wpt_loader import (
    decode_array,
    decode_expected,
    find_problem,
    method_name,
    option_name,
    to_half_bits,
)
from tests.core.wpt_tolerances import (
    Tolerance,
    compare,
    conv2d_ulp,
    graph_tolerance,
    matmul_ulp,
    operator_tolerance,
    reduction_ulp,
    softmax_ulp,
)


def _op(name: str, *args: tuple[str, object], **options: object) -> dict:
    arguments = [{k: v} for k, v in args]
    if options:
        arguments.append({"options": options})
    return {"name": name, "arguments": arguments, "outputs": "out"}


# -- dynamic rules ---------------------------------------------------------------------------
def test_conv2d_default_layouts():
    # 3 x 3 filter, 1 input channel: 3 * 3 * 1 * 2
    assert conv2d_ulp("conv2d", [1, 1, 5, 5], [1, 1, 3, 3], {}) == 18


def test_conv2d_nhwc_ohwi():
    # ohwi filter [O=3, H=2, W=4, I=2]; nhwc input has 2 channels: 4 * 2 * 2 * 2
    opts = {"inputLayout": "nhwc", "filterLayout": "ohwi"}
    assert conv2d_ulp("conv2d", [1, 5, 5, 2], [3, 2, 4, 2], opts) == 32


def test_conv2d_hwio_and_groups():
    # hwio filter [H=2, W=3, I=4, O=8], 4 channels: 3 * 2 * 4 * 2
    assert conv2d_ulp("conv2d", [1, 4, 6, 6], [2, 3, 4, 8], {"filterLayout": "hwio"}) == 48
    # depthwise: 4 channels / 4 groups: 3 * 3 * 1 * 2
    assert conv2d_ulp("conv2d", [1, 4, 5, 5], [4, 1, 3, 3], {"groups": 4}) == 18


def test_conv_transpose2d_hwoi():
    # hwoi filter [H=3, W=2, O=5, I=7]; nchw input has 2 channels: 2 * 3 * 2 * 2
    opts = {"filterLayout": "hwoi"}
    assert conv2d_ulp("convTranspose2d", [1, 2, 4, 4], [3, 2, 5, 7], opts) == 24


def test_matmul_uses_last_dimension_of_a():
    assert matmul_ulp([2, 3, 4]) == 8
    assert matmul_ulp([7]) == 14


@pytest.mark.parametrize(("op", "expected"), [
    ("reduceL1", 8), ("reduceSum", 8), ("reduceProduct", 8), ("reduceL2", 18),
    ("reduceMean", 10), ("reduceLogSum", 26), ("reduceLogSumExp", 34),
    ("reduceSumSquare", 16), ("reduceMax", 0), ("reduceMin", 0),
])
def test_reductions_over_two_axes(op, expected):
    # input [2, 3, 4] reduced over axes 0 and -1: 2 * 4 = 8 elements
    assert reduction_ulp(op, [2, 3, 4], [0, -1]) == expected


def test_reductions_all_axes_and_no_axes():
    assert reduction_ulp("reduceSum", [2, 3, 4], None) == 24
    # axes [] reduces nothing: one element, so L2 is 1 * 2 + 2
    assert reduction_ulp("reduceL2", [2, 3, 4], []) == 4


def test_softmax_uses_the_axis():
    assert softmax_ulp([3, 5], 1) == 18
    assert softmax_ulp([2, 3, 4], 2) == 15
    assert softmax_ulp([2, 3, 4], None) == 12


# -- per operator and per graph --------------------------------------------------------------
@pytest.mark.parametrize(("name", "data_type", "expected"), [
    ("add", "float32", Tolerance("ULP", 1)),
    ("div", "float16", Tolerance("ULP", 2)),
    ("sigmoid", "float32", Tolerance("ULP", 34)),
    ("sigmoid", "float16", Tolerance("ULP", 10)),
    ("exp", "float16", Tolerance("ULP", 1)),
    ("pow", "float32", Tolerance("ULP", 32)),
    ("leakyRelu", "float16", Tolerance("ULP", 2)),
    ("instanceNormalization", "float16", Tolerance("ULP", 8400)),
    ("log", "float16", Tolerance("ATOL", 1 / 1024)),
    ("layerNormalization", "float16", Tolerance("ATOL", 1 / 512)),
    ("transpose", "float32", Tolerance("ULP", 0)),
    ("cast", "float16", Tolerance("ULP", 1)),
    ("cast", "int32", Tolerance("ULP", 0)),
    ("add", "int32", Tolerance("ULP", 0)),
])
def test_fixed_tolerances(name, data_type, expected):
    op = _op(name, ("input", "x"))
    assert operator_tolerance(op, data_type, {"x": (2, 3)}) == expected


def test_graph_tolerance_reads_shapes_and_expected_type():
    graph = {
        "inputs": {"a": {"descriptor": {"shape": [2, 5], "dataType": "float16"}}},
        "operators": [_op("reduceMean", ("input", "a"), axes=[1])],
        "expectedOutputs": {"out": {"descriptor": {"shape": [2], "dataType": "float16"}}},
    }
    assert graph_tolerance(graph, {"a": (2, 5)}) == Tolerance("ULP", 7)


def test_unknown_operator_has_no_rule():
    with pytest.raises(KeyError):
        operator_tolerance(_op("frobnicate", ("input", "x")), "float32", {"x": (1,)})


# -- comparison ------------------------------------------------------------------------------
def _expected(data, data_type, shape):
    return decode_expected({"data": data, "descriptor": {"shape": shape, "dataType": data_type}})


def test_ulp_compare_float32():
    one_up = np.nextafter(np.float32(1), np.float32(2), dtype=np.float32)
    actual = np.array([one_up], np.float32)
    exp = _expected([1.0], "float32", [1])
    assert compare(actual, exp, Tolerance("ULP", 1)) is None
    assert "1 ULP" in compare(actual, exp, Tolerance("ULP", 0))


def test_ulp_compare_float16_signed_zero_and_rounding():
    exp = _expected([0.0], "float16", [1])
    assert compare(np.array([-0.0], np.float16), exp, Tolerance("ULP", 0)) is None
    # 1 + 2**-11 is a tie between float16 1.0 and 1.0009765625; WPT toHalf rounds it up
    exp = _expected([1 + 2**-11], "float16", [1])
    assert compare(np.array([1.0009765625], np.float16), exp, Tolerance("ULP", 0)) is None


def test_atol_compare_uses_unrounded_expectation():
    exp = _expected([0.5], "float32", [1])
    actual = np.array([0.5 + 1 / 2048], np.float32)
    assert compare(actual, exp, Tolerance("ATOL", 1 / 1024)) is None
    assert compare(actual, exp, Tolerance("ATOL", 1 / 4096)) is not None


def test_integer_compare_is_exact_with_bigints():
    exp = _expected(["9223372036854775807n", "-5n"], "int64", [2])
    good = np.array([2**63 - 1, -5], np.int64)
    assert compare(good, exp, Tolerance("ULP", 0)) is None
    assert compare(np.array([2**63 - 2, -5], np.int64), exp, Tolerance("ULP", 0))


def test_scalar_expectation_checks_first_1000_elements():
    exp = _expected(2.0, "float32", [3, 1000])
    assert exp.count == 1000
    actual = np.full(3000, 2.0, np.float32)
    actual[1500] = 7.0  # beyond WPT's kMaximumIndexToValidate
    assert compare(actual, exp, Tolerance("ULP", 0)) is None


# -- decoding and names ----------------------------------------------------------------------
def test_to_half_bits_by_hand():
    # 1.0 -> 0x3C00, -2.0 -> 0xC000, 65520 overflows to +inf 0x7C00, 2**-24 -> 0x0001
    bits = to_half_bits(np.array([1.0, -2.0, 65520.0, 2.0**-24]))
    assert bits.tolist() == [0x3C00, 0xC000, 0x7C00, 0x0001]


def test_decode_array_fill_bigint_and_wrap():
    np.testing.assert_array_equal(decode_array(3, "int32", [2, 2]), np.full((2, 2), 3))
    big = decode_array(["-9223372036854775807n", "100"], "int64", [2])
    assert big.tolist() == [-(2**63) + 1, 100]
    assert decode_array([200], "int8", [1]).tolist() == [-56]  # Int8Array wraps


def test_null_data_is_a_conversion_problem():
    graph = {
        "inputs": {"x": {"data": [None, 1.0], "descriptor": {"shape": [2],
                                                             "dataType": "float32"}}},
        "operators": [_op("relu", ("input", "x"))],
        "expectedOutputs": {"out": {"data": [0, 1.0], "descriptor": {"shape": [2],
                                                                     "dataType": "float32"}}},
    }
    assert "null" in find_problem(graph)


@pytest.mark.parametrize(("op", "method"), [
    ("reduceLogSumExp", "reduce_log_sum_exp"), ("gatherND", "gather_nd"),
    ("isNaN", "is_nan"), ("convTranspose2d", "conv_transpose2d"), ("reduceL1", "reduce_l1"),
    ("conv2d", "conv2d"), ("greaterOrEqual", "greater_or_equal"), ("argMax", "arg_max"),
])
def test_method_names(op, method):
    assert method_name(op) == method


def test_option_names():
    assert option_name("keepDimensions") == "keep_dimensions"
    assert option_name("minValue") == "min_value"
    assert option_name("outputPadding") == "output_padding"
