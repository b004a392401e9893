"""Tests: cast, quantize_linear, dequantize_linear (webnn-spec §api-mlgraphbuilder-cast,
§api-mlgraphbuilder-quantizelinear, §api-mlgraphbuilder-dequantizelinear)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import webnn_core as webnn
from tests.helpers import OP_BACKENDS, assert_backends_agree, assert_close, context, run

D = webnn.MLOperandDescriptor
ALL_TYPES = ("float32", "float16", "int32", "uint32", "int64", "uint64", "int8", "uint8")
INT_TYPES = ("int32", "uint32", "int64", "uint64", "int8", "uint8")


def _cast(x: np.ndarray, data_type: str, backend: str) -> np.ndarray:
    dtype = str(x.dtype)
    return run(backend, lambda b: {"y": b.cast(b.input("x", D(dtype, x.shape)), data_type)},
               {"x": x})["y"]


# -- cast: hand-checked values ------------------------------------------------------------
# float -> integer: truncation toward zero in range; out of range (implementation-defined in
# the spec) saturates, NaN -> 0.
FLOATS = [np.nan, np.inf, -np.inf, 3.9, -3.9, 0.5, -0.5, 127.9, -128.9, 255.5, 300.0, -200.0,
          1e10, -1e10, 3e9]
FLOAT_TO_INT = {
    "int8": [0, 127, -128, 3, -3, 0, 0, 127, -128, 127, 127, -128, 127, -128, 127],
    "uint8": [0, 255, 0, 3, 0, 0, 0, 127, 0, 255, 255, 0, 255, 0, 255],
    "int32": [0, 2**31 - 1, -(2**31), 3, -3, 0, 0, 127, -128, 255, 300, -200, 2**31 - 1,
              -(2**31), 2**31 - 1],
    "uint32": [0, 2**32 - 1, 0, 3, 0, 0, 0, 127, 0, 255, 300, 0, 2**32 - 1, 0, 3000000000],
    "int64": [0, 2**63 - 1, -(2**63), 3, -3, 0, 0, 127, -128, 255, 300, -200, 10**10,
              -(10**10), 3000000000],
    "uint64": [0, 2**64 - 1, 0, 3, 0, 0, 0, 127, 0, 255, 300, 0, 10**10, 0, 3000000000],
}


@pytest.mark.parametrize("source", ["float32", "float16"])
@pytest.mark.parametrize("target", ["int8", "uint8", "int32", "uint32"])
@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_cast_float_to_int_truncates_and_saturates(backend: str, source: str,
                                                    target: str) -> None:
    values, expected = FLOATS, FLOAT_TO_INT[target]
    if source == "float16":  # keep the values float16 represents exactly enough
        keep = [i for i, v in enumerate(values) if not np.isfinite(v) or abs(v) < 60000]
        values = [values[i] for i in keep]
        expected = [expected[i] for i in keep]
    x = np.array(values, dtype=source)
    assert_close(_cast(x, target, backend), np.array(expected, dtype=target))


@pytest.mark.parametrize("target", ["int64", "uint64"])
def test_cast_float_to_int64_reference_full_range(target: str) -> None:
    x = np.array(FLOATS, dtype=np.float32)
    expected = np.array(FLOAT_TO_INT[target], dtype=target)
    assert_close(_cast(x, target, "reference"), expected)


@pytest.mark.parametrize("target", ["int64", "uint64"])
@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_cast_float_to_int64_within_int32_range(backend: str, target: str) -> None:
    # the OpenVINO CPU plugin holds 64-bit integers as int32: values within its range only
    x = np.array([np.nan, 3.9, -3.9, 0.5, -0.5, 2147483520.0, -2147483648.0, 65504.0],
                 dtype=np.float32)
    signed = [0, 3, -3, 0, 0, 2147483520, -2147483648, 65504]
    expected = signed if target == "int64" else [max(v, 0) for v in signed]
    assert_close(_cast(x, target, backend), np.array(expected, dtype=target))


INT_WRAP_CASES = [
    # (source, target, input values, expected: the lowest bits, two's complement)
    ("int64", "int8", [300, -129, 127, -128, 2**40 + 5, -(2**40) - 3], [44, 127, 127, -128, 5, -3]),
    ("int64", "uint8", [-1, 256, 2**40 + 255], [255, 0, 255]),
    ("int64", "int32", [2**40 + 5, -1, 2**31], [5, -1, -(2**31)]),
    ("int8", "uint8", [-1, -128, 127], [255, 128, 127]),
    ("uint8", "int8", [255, 128, 200], [-1, -128, -56]),
    ("int32", "uint32", [-1, -(2**31), 70000], [2**32 - 1, 2**31, 70000]),
    ("uint32", "int32", [3000000000, 2**32 - 1, 5], [-1294967296, -1, 5]),
    ("int32", "int8", [-70000, 70000, 2**31 - 1], [-112, 112, -1]),
    ("uint32", "uint8", [3000000000, 257], [0, 1]),
    ("int8", "uint32", [-1, -128], [2**32 - 1, 2**32 - 128]),
    ("int32", "uint64", [-1, 5], [2**64 - 1, 5]),
    ("int8", "int64", [-128, 127], [-128, 127]),
]


@pytest.mark.parametrize(("source", "target", "values", "expected"), INT_WRAP_CASES)
@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_cast_int_to_int_wraps(backend: str, source: str, target: str, values: list[int],
                               expected: list[int]) -> None:
    x = np.array(values, dtype=source)
    assert_close(_cast(x, target, backend), np.array(expected, dtype=target))


def test_cast_int64_wraps_full_range_reference() -> None:
    x = np.array([2**63 - 1, -(2**63), 2**40 + 5], dtype=np.int64)
    assert_close(_cast(x, "uint64", "reference"),
                 np.array([2**63 - 1, 2**63, 2**40 + 5], dtype=np.uint64))
    assert_close(_cast(np.array([2**63], dtype=np.uint64), "int64", "reference"),
                 np.array([-(2**63)], dtype=np.int64))


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_cast_int_to_float16_rounds_to_nearest_even_and_overflows(backend: str) -> None:
    # float16 has 11 significant bits: 2049 is a tie -> 2048 (even), 2051 -> 2052; the largest
    # finite is 65504 and 65520 (the midpoint to 2**16) rounds to infinity
    x = np.array([2049, 2051, -2049, 65504, 65519, 65520, -65520, 70000], dtype=np.int32)
    expected = np.array([2048, 2052, -2048, 65504, 65504, np.inf, -np.inf, np.inf],
                        dtype=np.float16)
    assert_close(_cast(x, "float16", backend), expected)


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_cast_int_to_float32_nearest(backend: str) -> None:
    # 2**24 + 1 is a tie between 2**24 and 2**24 + 2 -> even 2**24; 2**24 + 3 -> 2**24 + 4
    x = np.array([2**24 + 1, 2**24 + 3, 2**31 - 1, -(2**31)], dtype=np.int32)
    expected = np.array([2**24, 2**24 + 4, 2**31, -(2**31)], dtype=np.float32)
    assert_close(_cast(x, "float32", backend), expected)
    u = np.array([3000000000, 2**32 - 1], dtype=np.uint32)
    assert_close(_cast(u, "float32", backend), np.array([3e9, 2**32], dtype=np.float32))


def test_cast_int64_to_float32_reference_rounds_once() -> None:
    # 2**60 + 2**36 + 1 is just above the midpoint of 2**60 and 2**60 + 2**37: rounds up
    # (a double rounding through float64 would tie and round down to 2**60)
    x = np.array([2**60 + 2**36 + 1], dtype=np.int64)
    assert_close(_cast(x, "float32", "reference"), np.array([2**60 + 2**37], dtype=np.float32))


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_cast_float_to_float(backend: str) -> None:
    x = np.array([65504.0, 65519.0, 65520.0, 1e10, -1e10, 1e-8, 3e-8, np.nan, np.inf,
                  1.0 + 2.0**-11, 1.0 + 3 * 2.0**-11], dtype=np.float32)
    # 1 + 2**-11 is a tie -> 1 (even significand); 1 + 3 * 2**-11 -> 1 + 2**-9 (even)
    expected = np.array([65504.0, 65504.0, np.inf, np.inf, -np.inf, 0.0, 5.960464477539063e-08,
                         np.nan, np.inf, 1.0, 1.0 + 2.0**-9], dtype=np.float16)
    assert_close(_cast(x, "float16", backend), expected)
    h = np.array([65504, -0.0, 6e-8, np.inf], dtype=np.float16)
    assert_close(_cast(h, "float32", backend), h.astype(np.float32))


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_cast_scalar_and_same_type(backend: str) -> None:
    x = np.array(-7.75, dtype=np.float32)
    assert_close(_cast(x, "float32", backend), x)
    assert_close(_cast(x, "int32", backend), np.array(-7, dtype=np.int32))


@pytest.mark.parametrize(("source", "target"), list(itertools.product(ALL_TYPES, ALL_TYPES)))
def test_cast_all_pairs_backends_agree(source: str, target: str) -> None:
    rng = np.random.default_rng(7)
    shape = (2, 3, 4)
    if source in ("float32", "float16"):
        # non-integral values, some out of every integer range, and NaN
        x = (rng.standard_normal(shape) * 100).astype(source)
        x.flat[0], x.flat[1], x.flat[2] = np.nan, 1000.5, -1000.5
    else:
        info = np.iinfo(source)
        # values that OpenVINO's 64-bit integers (int32 inside) can hold
        lo, hi = max(info.min, -(2**31)), min(info.max, 2**31 - 1)
        x = rng.integers(lo, hi, size=shape, endpoint=True, dtype=source)
        x.flat[0], x.flat[1] = lo, hi
    if target in ("uint64",) and source in ("int32", "int64", "int8"):
        x = np.abs(x.astype(np.int64)).clip(0, 2**31 - 1).astype(source)
    if target in ("int64", "uint64") and source == "uint32":
        x = (x % 2**31).astype(source)

    def build(b: webnn.MLGraphBuilder) -> dict[str, webnn.MLOperand]:
        return {"y": b.cast(b.input("x", D(source, shape)), target)}

    assert_backends_agree(build, {"x": x})


def test_cast_validation() -> None:
    b = webnn.MLGraphBuilder(context("reference"))
    x = b.input("x", D("float32", [2]))
    with pytest.raises(TypeError, match="cast: .*not an MLOperandDataType"):
        b.cast(x, "bfloat16")
    with pytest.raises(TypeError, match="cast: input must be an MLOperand"):
        b.cast(np.zeros(2, np.float32), "int32")
    other = webnn.MLGraphBuilder(context("reference")).input("x", D("float32", [2]))
    with pytest.raises(TypeError, match="cast: input was created by another MLGraphBuilder"):
        b.cast(other, "int32")


# -- quantize / dequantize: hand-checked values -------------------------------------------
def _qdq(op: str, backend: str, x: np.ndarray, scale: np.ndarray,
         zero_point: np.ndarray) -> np.ndarray:
    def build(b: webnn.MLGraphBuilder) -> dict[str, webnn.MLOperand]:
        xi = b.input("x", D(str(x.dtype), x.shape))
        s = b.constant(scale)
        z = b.constant(zero_point)
        return {"y": getattr(b, op)(xi, s, z)}

    return run(backend, build, {"x": x})["y"]


# OpenVINO runs quantize_linear with constant parameters as FakeQuantize, the int8 form of
# its low-precision pipeline, which can round an exact or near tie of x / scale to the other
# neighbour (see webnn_core/backends/openvino/quantization.py). WPT's tolerance for
# quantizeLinear is 1 ULP of int8/uint8/int4/uint4 outputs, one step
# (quantizeLinear.https.any.js, getQuantizeLinearPrecisionTolerance); it is granted at
# (near) ties only, every other element must be exact. The reference backend is exact.
#: "near": within this many float32 ulps of the shifted value x / scale + zp - qmin (< 2^9)
_NEAR_TIE_ULPS = 4


def _expand_blockwise(values: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``values`` repeated blockwise to ``shape`` (webnn-spec's blockwise broadcasting)."""
    out = np.asarray(values).reshape((1,) * (len(shape) - np.ndim(values)) + np.shape(values))
    for axis, (have, want) in enumerate(zip(out.shape, shape, strict=True)):
        out = np.repeat(out, want // have, axis=axis)
    return out


def near_ties(x: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Elements whose x / scale (exact, float64) is within :data:`_NEAR_TIE_ULPS` float32 ulps
    of a half-integer."""
    q = x.astype(np.float64) / _expand_blockwise(scale, x.shape).astype(np.float64)
    distance = np.abs(np.abs(q - np.floor(q)) - 0.5)
    return distance <= _NEAR_TIE_ULPS * 2.0**-23 * (np.abs(q) + 256.0)


def assert_quantized(actual: np.ndarray, expected: np.ndarray, x: np.ndarray,
                     scale: np.ndarray, backend: str) -> None:
    """``actual`` equals ``expected``; on OpenVINO, (near) ties may be one step off."""
    if backend == "reference":
        assert_close(actual, expected)
        return
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    diff = np.abs(actual.astype(np.int64) - expected.astype(np.int64))
    ties = near_ties(x, scale)
    assert diff.max(initial=0) <= 1, f"more than one step off: {diff.max()}"
    off = np.argwhere((diff != 0) & ~ties)
    assert off.size == 0, (f"not a tie but {diff[tuple(off[0])]} step(s) off at "
                           f"{off[0].tolist()}: {actual[tuple(off[0])]} vs "
                           f"{expected[tuple(off[0])]} for x={x[tuple(off[0])]}")


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_quantize_uint8_rounds_half_even_and_saturates(backend: str) -> None:
    x = np.array([0.0, 1.0, 0.25, 0.75, 1.25, -1.0, 300.0, -300.0, np.nan], np.float32)
    scale = np.full(x.shape, 0.5, np.float32)
    zp = np.full(x.shape, 10, np.uint8)
    # x / 0.5 = 0, 2, 0.5, 1.5, 2.5, -2, 600, -600 -> roundEven 0, 2, 0, 2, 2, -2, 600, -600
    # + 10 -> 10, 12, 10, 12, 12, 8, 610 -> 255, -590 -> 0; NaN -> 0
    expected = np.array([10, 12, 10, 12, 12, 8, 255, 0, 0], np.uint8)
    assert_close(_qdq("quantize_linear", backend, x, scale, zp), expected)


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_quantize_int8(backend: str) -> None:
    x = np.array([[-1000.0, -2.5, -1.5, 3.5], [1000.0, 0.0, 12.7, -12.7]], np.float32)
    scale = np.array([[1.0], [0.1]], np.float32)          # blockwise: one scale per row
    zp = np.array([[-3], [2]], np.int8)
    # row 0: roundEven(-1000, -2.5, -1.5, 3.5) = -1000, -2, -2, 4; -3 -> -1003->-128, -5, -5, 1
    # row 1: x / 0.1 (float32) = 10000, 0, 127, -127; + 2 -> 127 (sat), 2, 127 (sat), -125
    expected = np.array([[-128, -5, -5, 1], [127, 2, 127, -125]], np.int8)
    # row 0's -2.5, -1.5, 3.5 are ties with zp - qmin = 125 odd: OpenVINO's FakeQuantize may
    # give the other neighbour (-6, -4, 0), one step, within WPT's tolerance
    assert_quantized(_qdq("quantize_linear", backend, x, scale, zp), expected, x, scale,
                     backend)


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_quantize_int32_and_uint32(backend: str) -> None:
    x = np.array([1.5, -2.5, 1e12, -1e12], np.float32)
    scale = np.ones(4, np.float32)
    expected_i = np.array([2 + 100, -2 + 100, 2**31 - 1, -(2**31)], np.int32)
    assert_close(_qdq("quantize_linear", backend, x, scale, np.full(4, 100, np.int32)),
                 expected_i)
    expected_u = np.array([2 + 100, 98, 2**32 - 1, 0], np.uint32)
    assert_close(_qdq("quantize_linear", backend, x, scale, np.full(4, 100, np.uint32)),
                 expected_u)


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_dequantize_int8_and_uint8(backend: str) -> None:
    x = np.array([-128, 0, 127], np.int8)
    out = _qdq("dequantize_linear", backend, x, np.full(3, 0.5, np.float32),
               np.full(3, -1, np.int8))
    assert_close(out, np.array([-63.5, 0.5, 64.0], np.float32))        # (x + 1) * 0.5
    u = np.array([0, 255, 7], np.uint8)
    out = _qdq("dequantize_linear", backend, u, np.full(3, 2.0, np.float16),
               np.full(3, 128, np.uint8))
    assert_close(out, np.array([-256.0, 254.0, -242.0], np.float16))


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_dequantize_blockwise(backend: str) -> None:
    x = np.array([[1, 2, 3, 4], [5, 6, 7, 8]], np.uint8)
    scale = np.array([[1.0, 10.0]], np.float32)           # [1, 2] -> blocks of [2, 2]
    zp = np.array([[0, 1]], np.uint8)
    expected = np.array([[1, 2, 20, 30], [5, 6, 60, 70]], np.float32)
    assert_close(_qdq("dequantize_linear", backend, x, scale, zp), expected)


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_dequantize_scalar(backend: str) -> None:
    out = _qdq("dequantize_linear", backend, np.array(-5, np.int32), np.array(0.25, np.float32),
               np.array(3, np.int32))
    assert_close(out, np.array(-2.0, np.float32))


# -- quantize / dequantize: OpenVINO against the reference --------------------------------
BLOCK_SHAPES = [
    ((2, 3, 4), (2, 3, 4)),
    ((2, 3, 4), (1, 1, 1)),
    ((2, 3, 4), (1, 3, 1)),
    ((4, 6), (2, 3)),
    ((4, 6), (4, 1)),
    ((2, 4, 6, 2), (1, 2, 3, 1)),
    ((5,), (1,)),
]


@pytest.mark.parametrize(("input_shape", "scale_shape"), BLOCK_SHAPES)
@pytest.mark.parametrize("int_type", ["uint8", "int8", "int32", "uint32"])
@pytest.mark.parametrize("float_type", ["float32", "float16"])
def test_quantize_backends_agree(input_shape: tuple[int, ...], scale_shape: tuple[int, ...],
                                 int_type: str, float_type: str) -> None:
    rng = np.random.default_rng(11)
    x = (rng.standard_normal(input_shape) * 40).astype(float_type)
    scale = rng.uniform(0.05, 0.5, scale_shape).astype(float_type)
    info = np.iinfo(int_type)
    zp = rng.integers(max(info.min, -100), min(info.max, 100), scale_shape, endpoint=True
                      ).astype(int_type)

    def build(b: webnn.MLGraphBuilder) -> dict[str, webnn.MLOperand]:
        xi = b.input("x", D(float_type, input_shape))
        s = b.input("s", D(float_type, scale_shape))
        z = b.input("z", D(int_type, scale_shape))
        return {"y": b.quantize_linear(xi, s, z)}

    assert_backends_agree(build, {"x": x, "s": scale, "z": zp})


@pytest.mark.parametrize(("input_shape", "scale_shape"), BLOCK_SHAPES)
@pytest.mark.parametrize("int_type", ["uint8", "int8", "int32", "uint32"])
@pytest.mark.parametrize("float_type", ["float32", "float16"])
def test_dequantize_backends_agree(input_shape: tuple[int, ...], scale_shape: tuple[int, ...],
                                   int_type: str, float_type: str) -> None:
    rng = np.random.default_rng(12)
    info = np.iinfo(int_type)
    lo, hi = max(info.min, -1000), min(info.max, 1000)
    x = rng.integers(lo, hi, input_shape, endpoint=True).astype(int_type)
    scale = rng.uniform(0.05, 0.5, scale_shape).astype(float_type)
    zp = rng.integers(lo, hi, scale_shape, endpoint=True).astype(int_type)

    def build(b: webnn.MLGraphBuilder) -> dict[str, webnn.MLOperand]:
        xi = b.input("x", D(int_type, input_shape))
        s = b.input("s", D(float_type, scale_shape))
        z = b.input("z", D(int_type, scale_shape))
        return {"y": b.dequantize_linear(xi, s, z)}

    # one rounding of (x - zp) * scale at float32 (exact inputs), then once more to float16:
    # the backends must agree exactly
    assert_backends_agree(build, {"x": x, "s": scale, "z": zp})


# -- quantize / dequantize: validation -----------------------------------------------------
@pytest.mark.parametrize("op", ["quantize_linear", "dequantize_linear"])
def test_quantize_dequantize_validation(op: str) -> None:
    b = webnn.MLGraphBuilder(context("reference"))
    quantize = op == "quantize_linear"
    xt, it = ("float32", "uint8") if quantize else ("uint8", "float32")
    x = b.input("x", D(xt, [4, 6]))

    names = itertools.count()

    def s(shape: list[int], dt: str = "float32") -> webnn.MLOperand:
        return b.input(f"s{next(names)}", D(dt, shape))

    def z(shape: list[int], dt: str = "uint8") -> webnn.MLOperand:
        return b.input(f"z{next(names)}", D(dt, shape))

    scale_t, zp_t = ("float32", "uint8")
    fn = getattr(b, op)
    with pytest.raises(TypeError, match=f"{op}: scale rank 1 must equal input rank 2"):
        fn(x, s([6], scale_t), z([4, 6], zp_t))
    with pytest.raises(TypeError, match=f"{op}: scale shape \\[2, 3\\] must equal zeroPoint"):
        fn(x, s([2, 3], scale_t), z([2, 2], zp_t))
    with pytest.raises(TypeError, match=f"{op}: .*not blockwise broadcastable"):
        fn(x, s([4, 4], scale_t), z([4, 4], zp_t))
    with pytest.raises(TypeError, match=f"{op}: "):
        fn(x, s([4, 6], scale_t), z([4, 6], "float32" if quantize else "int8"))
    if quantize:
        with pytest.raises(TypeError, match=f"{op}: scale data type float16 must"):
            fn(x, s([1, 1], "float16"), z([1, 1]))
        bad = b.input("xi", D("int32", [4, 6]))
        with pytest.raises(TypeError, match=f"{op}: input data type int32 is not allowed"):
            fn(bad, s([1, 1]), z([1, 1]))
    else:
        with pytest.raises(TypeError, match=f"{op}: zero_point data type int8 must"):
            fn(x, s([1, 1]), z([1, 1], "int8"))
        with pytest.raises(TypeError, match=f"{op}: scale data type int32 is not allowed"):
            fn(x, s([1, 1], "int32"), z([1, 1]))
        bad = b.input("xf", D("float32", [4, 6]))
        with pytest.raises(TypeError, match=f"{op}: "):
            fn(bad, s([1, 1]), b.input("zf", D("float32", [1, 1])))
    assert it in ("uint8", "float32")
    y = fn(x, s([2, 3], scale_t), z([2, 3], zp_t))
    assert y.shape == (4, 6)
    assert y.data_type == ("uint8" if quantize else "float32")


@pytest.mark.parametrize("backend", OP_BACKENDS)
@pytest.mark.parametrize("data_type,zero_point", [("int8", 0), ("int8", -128), ("uint8", 128),
                                                  ("int8", 5), ("uint8", 3)])
def test_quantize_ties_round_half_to_even(backend: str, data_type: str, zero_point: int) -> None:
    """x / scale half-integers round half to even on the reference; OpenVINO's FakeQuantize
    form rounds the shifted value x / scale + zp - qmin half to even, the same when that
    shift is even and possibly the other neighbour when it is odd (int8 5, uint8 3): at most
    one step, at the ties only."""
    x = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 40.25, -7.75], np.float32)
    dtype = np.int8 if data_type == "int8" else np.uint8
    info = np.iinfo(dtype)
    expected = np.clip(np.round(x / 0.5) + zero_point, info.min, info.max).astype(dtype)
    scale = np.full(x.shape, 0.5, np.float32)
    zp = np.full(x.shape, zero_point, dtype)
    assert_quantized(_qdq("quantize_linear", backend, x, scale, zp), expected, x, scale,
                     backend)


@pytest.mark.parametrize("data_type,zero_point", [("int8", 5), ("uint8", 3), ("int8", -4)])
def test_quantize_exact_ties_odd_zero_point_one_step_at_ties_only(data_type: str,
                                                                  zero_point: int) -> None:
    """Exact ties with an odd shift zp - qmin: OpenVINO is at most one step from the exact
    result and only at the ties; every value a quarter step away from a tie is exact."""
    dtype = np.dtype(data_type)
    info = np.iinfo(dtype)
    k = np.arange(-140, 140, dtype=np.float32)
    scale = np.float32(0.25)                 # a power of two: (k + 0.5) * scale is exact
    ties = (k + 0.5) * scale
    x = np.concatenate([ties, ties - scale / 4, ties + scale / 4]).astype(np.float32)
    q = x.astype(np.float64) / float(scale)
    expected = np.clip(np.round(q) + zero_point, info.min, info.max).astype(dtype)
    s = np.full(x.shape, scale, np.float32)
    zp = np.full(x.shape, zero_point, dtype)
    reference = _qdq("quantize_linear", "reference", x, s, zp)
    assert_close(reference, expected)
    actual = _qdq("quantize_linear", "openvino", x, s, zp)
    assert_quantized(actual, expected, x, s, "openvino")
    n = ties.size
    assert_close(actual[n:], expected[n:], what="non-ties")
    tie_diff = np.abs(actual[:n].astype(np.int64) - expected[:n].astype(np.int64))
    assert tie_diff.max() <= 1


@pytest.mark.parametrize("data_type", ["int8", "uint8"])
@pytest.mark.parametrize("per_channel", [False, True])
def test_quantize_constant_parameters_backends_agree(data_type: str, per_channel: bool) -> None:
    """Constant parameters (OpenVINO's FakeQuantize form), per tensor and per channel, odd
    and even zero points, random values and near ties (k + 0.5) * scale rounded to float32:
    exact except one step at (near) ties."""
    rng = np.random.default_rng(21)
    shape = (2, 5, 7, 16)
    channels = shape[-1] if per_channel else 1
    scale = rng.uniform(0.01, 0.3, (1, 1, 1, channels)).astype(np.float32)
    info = np.iinfo(data_type)
    zp = rng.integers(info.min + 100, info.max - 100, scale.shape, endpoint=True
                      ).astype(data_type)
    k = rng.integers(-150, 150, shape)
    x = ((k + 0.5) * scale.astype(np.float64)).astype(np.float32)
    x[0] = (rng.standard_normal(shape[1:]) * 40 * scale[0]).astype(np.float32)

    def build(b: webnn.MLGraphBuilder) -> dict[str, webnn.MLOperand]:
        xi = b.input("x", D("float32", shape))
        return {"y": b.quantize_linear(xi, b.constant(scale), b.constant(zp))}

    expected = run("reference", build, {"x": x})["y"]
    assert_quantized(run("openvino", build, {"x": x})["y"], expected, x, scale, "openvino")


@pytest.mark.parametrize(("input_shape", "scale_shape"), [*BLOCK_SHAPES, ((), ())])
@pytest.mark.parametrize("int_type", ["uint8", "int8", "int32"])
@pytest.mark.parametrize("float_type", ["float32", "float16"])
def test_dequantize_constant_parameters_as_converted(monkeypatch: pytest.MonkeyPatch,
                                                     input_shape: tuple[int, ...],
                                                     scale_shape: tuple[int, ...],
                                                     int_type: str, float_type: str) -> None:
    """Constant scale and zero point: OpenVINO's emitter converts an int8/uint8 zero point
    when emitting and drops the subtraction of a zero one; the compiled graph computes
    exactly what the plain form (a Convert of each parameter, ``x - zp`` always) computes,
    shapes included (0-d parameters stay 0-d)."""
    from webnn_core.backends.openvino import quantization

    rng = np.random.default_rng(13)
    info = np.iinfo(int_type)
    lo, hi = max(info.min, -1000), min(info.max, 1000)
    x = rng.integers(lo, hi, input_shape, endpoint=True).astype(int_type)
    scale = rng.uniform(0.05, 0.5, scale_shape).astype(float_type)
    for zp in (rng.integers(lo, hi, scale_shape, endpoint=True).astype(int_type),
               np.zeros(scale_shape, int_type)):

        def build(b: webnn.MLGraphBuilder, zp: np.ndarray = zp) -> dict[str, webnn.MLOperand]:
            xi = b.input("x", D(int_type, input_shape))
            return {"y": b.dequantize_linear(xi, b.constant(scale), b.constant(zp))}

        folded = run("openvino", build, {"x": x})["y"]
        with monkeypatch.context() as m:
            import openvino as ov
            import openvino.opset16 as ops

            m.setattr(quantization, "_as_f32",
                      lambda v: ops.convert(v, ov.Type.f32).output(0))
            m.setattr(quantization, "_zero_constant", lambda v: False)
            plain = run("openvino", build, {"x": x})["y"]
        assert folded.shape == plain.shape == input_shape
        np.testing.assert_array_equal(folded, plain)
        if float_type == "float16":  # rounded once more to float16: exact on every backend
            assert_close(folded, run("reference", build, {"x": x})["y"], ulp=0)


@pytest.mark.parametrize("int_type", ["int8", "uint8"])
def test_dequantize_constant_parameters_exact_on_openvino(int_type: str) -> None:
    """The spec's (x - zeroPoint) * scale is one rounding at float32 for 8-bit inputs. With
    constant parameters OpenVINO's CPU plugin would fold a float Subtract and Multiply into
    one fused multiply-add with -(zp * scale) rounded first (up to 6 ULP off; WPT allows
    1), so the emitter subtracts in int32 first: bit for bit."""
    rng = np.random.default_rng(0)
    info = np.iinfo(int_type)
    x = rng.integers(info.min, info.max, (4, 3, 8), endpoint=True).astype(int_type)
    zp = rng.integers(info.min, info.max, (4, 3, 8), endpoint=True).astype(int_type)
    for scale_shape in ((4, 3, 8), (1, 3, 1), (4, 3, 2)):  # element-wise, per axis, blocks
        scale = (rng.random(scale_shape) * 0.1).astype(np.float32)
        zero = zp[tuple(slice(0, n) for n in scale_shape)]

        def build(b: webnn.MLGraphBuilder, scale: np.ndarray = scale,
                  zero: np.ndarray = zero) -> dict[str, webnn.MLOperand]:
            xi = b.input("x", D(int_type, x.shape))
            return {"y": b.dequantize_linear(xi, b.constant(scale), b.constant(zero))}

        assert_close(run("openvino", build, {"x": x})["y"],
                     run("reference", build, {"x": x})["y"], ulp=0)


def _qdq_pair(b: webnn.MLGraphBuilder, zero_point: int = -128) -> dict[str, webnn.MLOperand]:
    """An int8 quantize/dequantize pair with constant per-tensor parameters (a quantized
    model's activations); the scale is a power of two, so x / scale is exact and the
    FakeQuantize form rounds its ties as the reference does (zp - qmin even)."""
    x = b.input("x", D("float32", [2, 5, 7]))
    scale = b.constant(np.full((1, 1, 1), 0.125, np.float32))
    zero = b.constant(np.full((1, 1, 1), zero_point, np.int8))
    return {"y": b.dequantize_linear(b.quantize_linear(x, scale, zero), scale, zero)}


def _operations(model: object) -> list[str]:
    return [op.get_type_name() for op in model.get_ordered_ops()  # type: ignore[attr-defined]
            if op.get_type_name() not in ("Constant", "Parameter", "Result")]


@pytest.mark.parametrize("zero_point", [-128, 0, 6])
def test_quantize_dequantize_pair_openvino_nodes_and_values(zero_point: int) -> None:
    """The pair as a graph output: FakeQuantize, Convert to int8, then the exact
    dequantization (the zero point subtracted in int32 unless it is 0, Convert, Multiply by
    the scale), no Convert of a Constant; read by a quantized operator (relu here) the
    dequantization is OpenVINO's float pattern instead (Convert, Subtract, Multiply), which
    its low-precision transformations run on integers. The values as an output are the
    reference's bit for bit (ties included: 0.0625 is half a step)."""
    from webnn_core.backends.openvino import translate

    b = webnn.MLGraphBuilder(context("openvino"))
    model = translate(b.build(_qdq_pair(b, zero_point)))
    expected = ["FakeQuantize", "Convert", "Convert", "Multiply"]
    if zero_point:
        expected[2:2] = ["Convert", "Subtract"]
    assert _operations(model) == expected
    assert not [op for op in model.get_ordered_ops() if op.get_type_name() == "Convert"
                and op.input_value(0).get_node().get_type_name() == "Constant"]
    b = webnn.MLGraphBuilder(context("openvino"))
    model = translate(b.build({"y": b.relu(_qdq_pair(b, zero_point)["y"])}))
    expected = ["FakeQuantize", "Convert", "Convert", "Multiply", "Relu"]
    if zero_point:
        expected.insert(3, "Subtract")
    assert _operations(model) == expected
    rng = np.random.default_rng(4)
    k = rng.integers(-1100, 1100, (2, 5, 7))
    x = (k * 0.0625).astype(np.float32)   # every value a multiple of half a step: many ties
    x[0, 0, :3] = [np.inf, -np.inf, 0.0]
    x[0, 1, :2] = [-0.0, 1e30]
    assert_backends_agree(lambda b: _qdq_pair(b, zero_point), {"x": x}, ulp=0)
