"""average_pool2d, l2_pool2d, max_pool2d: hand-checked values, OpenVINO vs reference,
validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

import webnn_core as webnn
from tests.helpers import OP_BACKENDS, assert_backends_agree, context, run

D = webnn.MLOperandDescriptor
POOLS = ("average_pool2d", "l2_pool2d", "max_pool2d")
X16 = np.arange(1, 17, dtype=np.float32).reshape(1, 1, 4, 4)  # [[1..4], [5..8], ...]


def _pool(op: str, x: np.ndarray, **options):
    def build(g):
        return {"y": getattr(g, op)(g.input("x", D(str(x.dtype), x.shape)), **options)}
    return build, {"x": x}


def _run(backend: str, op: str, x: np.ndarray, **options) -> np.ndarray:
    return run(backend, *_pool(op, x, **options))["y"]


# -- hand-checked values ---------------------------------------------------------------

@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_max_pool2d_hand_checked(backend):
    out = _run(backend, "max_pool2d", X16, window_dimensions=[3, 3])
    np.testing.assert_array_equal(out.ravel(), [11, 12, 15, 16])
    # global pooling by default
    np.testing.assert_array_equal(_run(backend, "max_pool2d", X16).ravel(), [16])


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_average_pool2d_hand_checked(backend):
    out = _run(backend, "average_pool2d", X16, window_dimensions=[2, 2], strides=[2, 2])
    np.testing.assert_array_equal(out.ravel(), [3.5, 5.5, 11.5, 13.5])
    np.testing.assert_array_equal(_run(backend, "average_pool2d", X16).ravel(), [8.5])


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_average_pool2d_excludes_padding(backend):
    x = np.arange(1, 10, dtype=np.float32).reshape(1, 1, 3, 3)
    out = _run(backend, "average_pool2d", x, window_dimensions=[3, 3], padding=[1, 1, 1, 1])
    # corner {1,2,4,5} / 4, edge {1..6} / 6, centre 45 / 9, ...
    expected = [[3, 3.5, 4], [4.5, 5, 5.5], [6, 6.5, 7]]
    np.testing.assert_allclose(out[0, 0], expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_l2_pool2d_hand_checked(backend):
    out = _run(backend, "l2_pool2d", X16, window_dimensions=[3, 3])
    # sqrt(1 + 4 + 9 + 25 + 36 + 49 + 81 + 100 + 121) ...
    expected = [math.sqrt(426), math.sqrt(543), math.sqrt(1002), math.sqrt(1191)]
    np.testing.assert_allclose(out.ravel(), np.float32(expected), rtol=2e-7)
    # padding adds nothing to the sum of squares
    out = _run(backend, "l2_pool2d", X16[:, :, :1, :2], window_dimensions=[2, 2],
               padding=[1, 0, 0, 0])
    np.testing.assert_allclose(out.ravel(), [math.sqrt(5)], rtol=2e-7)


@pytest.mark.parametrize("backend", OP_BACKENDS)
@pytest.mark.parametrize("op, expected", [("max_pool2d", [11, 12, 15, 16]),
                                          ("average_pool2d", [6, 7, 10, 11])])
def test_pool2d_dilations_hand_checked(backend, op, expected):
    # window taps x[i, j], x[i, j+2], x[i+2, j], x[i+2, j+2]
    out = _run(backend, op, X16, window_dimensions=[2, 2], dilations=[2, 2])
    np.testing.assert_array_equal(out.ravel(), expected)


@pytest.mark.parametrize("backend", OP_BACKENDS)
@pytest.mark.parametrize("op, expected", [("max_pool2d", [6, 8, 14, 16]),
                                          ("average_pool2d", [3.5, 6, 13.5, 16])])
def test_pool2d_ceil_rounding_hand_checked(backend, op, expected):
    # ceil(1 + (4 - 2) / 3) = 2 windows per axis at 0 and 3; the second holds one row/column
    for options in (dict(output_shape_rounding="ceil"), dict(rounding_type="ceil"),
                    dict(output_sizes=[2, 2])):
        out = _run(backend, op, X16, window_dimensions=[2, 2], strides=[3, 3], **options)
        np.testing.assert_array_equal(out.ravel(), expected)
    assert _run(backend, op, X16, window_dimensions=[2, 2], strides=[3, 3]).shape == \
        (1, 1, 1, 1)


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_max_pool2d_nhwc_integer(backend):
    x = np.array([[1, -5], [7, 3]], np.int8).reshape(1, 2, 2, 1)
    x = np.concatenate([x, -x], axis=3)
    out = _run(backend, "max_pool2d", x, layout="nhwc")
    np.testing.assert_array_equal(out, np.array([7, 5], np.int8).reshape(1, 1, 1, 2))


# -- OpenVINO vs reference -------------------------------------------------------------

POOL_CASES = [
    dict(window_dimensions=[3, 3]),
    dict(window_dimensions=[2, 2], strides=[2, 2]),
    dict(window_dimensions=[3, 2], padding=[1, 2, 0, 1], strides=[2, 1]),
    dict(window_dimensions=[4, 4], padding=[1, 1, 1, 1], strides=[2, 2],
         output_shape_rounding="ceil"),
    dict(window_dimensions=[4, 4], padding=[1, 1, 1, 1], strides=[2, 2], output_sizes=[4, 4]),
    dict(window_dimensions=[2, 3], dilations=[2, 1], padding=[1, 1, 1, 1]),
    dict(window_dimensions=[2, 2], dilations=[2, 2], strides=[2, 2],
         output_shape_rounding="ceil"),
    dict(window_dimensions=[1, 1], strides=[3, 3], output_shape_rounding="ceil"),
    dict(window_dimensions=[2, 2], padding=[2, 2, 2, 2], strides=[2, 2]),  # empty windows
    dict(),
]

def _pool_ulp(op: str, window: tuple[int, int]) -> int:
    """WPT's pooling tolerance: window height * width + 2 ULP for average and l2, exact max."""
    return 0 if op == "max_pool2d" else window[0] * window[1] + 2


@pytest.mark.parametrize("layout", ["nchw", "nhwc"])
@pytest.mark.parametrize("op", POOLS)
@pytest.mark.parametrize("case", range(len(POOL_CASES)))
def test_pool2d_agrees(case, op, layout):
    rng = np.random.default_rng(case)
    shape = (2, 3, 7, 8) if layout == "nchw" else (2, 7, 8, 3)
    x = rng.uniform(0.1, 1, shape).astype(np.float32)
    options = POOL_CASES[case]
    window = options.get("window_dimensions", (7, 8))
    assert_backends_agree(*_pool(op, x, layout=layout, **options), ulp=_pool_ulp(op, window))


@pytest.mark.parametrize("op", POOLS)
def test_pool2d_float16_agrees(op):
    x = np.random.default_rng(1).uniform(0.1, 1, (1, 4, 6, 6)).astype(np.float16)
    ref = assert_backends_agree(*_pool(op, x, window_dimensions=[3, 3], strides=[2, 2],
                                       padding=[1, 1, 1, 1]), ulp=_pool_ulp(op, (3, 3)))
    assert ref["y"].dtype == np.float16


@pytest.mark.parametrize("dtype", ["int8", "uint8"])
@pytest.mark.parametrize("case", [0, 3, 5, 8])
def test_max_pool2d_integers_agree(dtype, case):
    info = np.iinfo(dtype)
    x = np.random.default_rng(case).integers(info.min, info.max, (1, 3, 7, 8), dtype=dtype)
    ref = assert_backends_agree(*_pool("max_pool2d", x, **POOL_CASES[case]))
    assert ref["y"].dtype == dtype


@pytest.mark.parametrize("dtype", ["int32", "int64", "uint64", "uint32"])
def test_max_pool2d_wide_integers_restricted_on_openvino(dtype):
    """OpenVINO's MaxPool computes these as float32 or int32 (wrong beyond 2**24 or 2**31):
    not offered on OpenVINO; the reference has them."""
    limits = context("openvino").op_support_limits()["max_pool2d"]
    assert dtype not in limits["input"]["data_types"]
    g = webnn.MLGraphBuilder(context("openvino"))
    with pytest.raises(TypeError, match=f"max_pool2d: input data type {dtype} is not "
                                        "supported by the openvino backend"):
        g.max_pool2d(g.input("x", D(dtype, [1, 1, 2, 2])))
    big = 2**31 - 3 if dtype == "int32" else 2**31 + 5
    x = np.array([big, 3, 1, 0], dtype).reshape(1, 1, 2, 2)
    np.testing.assert_array_equal(_run("reference", "max_pool2d", x).ravel(), [big])


# -- validation ------------------------------------------------------------------------

@pytest.mark.parametrize("op", POOLS)
def test_pool2d_output_shapes(op):
    """Shapes from the WPT validation tests (webnn/validation_tests/pooling)."""
    g = webnn.MLGraphBuilder(context("reference"))
    x = g.input("x", D("float32", [1, 3, 7, 7]))
    common = dict(window_dimensions=[4, 4], padding=[1, 1, 1, 1], strides=[2, 2])
    assert getattr(g, op)(x, **common).shape == (1, 3, 3, 3)
    assert getattr(g, op)(x, output_shape_rounding="ceil", **common).shape == (1, 3, 4, 4)
    assert getattr(g, op)(x, output_shape_rounding="ceil", output_sizes=[3, 3],
                          **common).shape == (1, 3, 3, 3)
    assert getattr(g, op)(x, output_sizes=[4, 4], **common).shape == (1, 3, 4, 4)
    assert getattr(g, op)(x, window_dimensions=[4, 4], padding=[2, 1, 2, 1],
                          strides=[2, 2]).shape == (1, 3, 4, 4)
    nhwc = g.input("y", D("float16", [1, 5, 5, 2]))
    out = getattr(g, op)(nhwc, window_dimensions=[3, 3], layout="nhwc")
    assert out.shape == (1, 3, 3, 2) and out.data_type == "float16"
    assert getattr(g, op)(x).shape == (1, 3, 1, 1)


@pytest.mark.parametrize("op", POOLS)
def test_pool2d_validation(op):
    g = webnn.MLGraphBuilder(context("reference"))
    x = g.input("x", D("float32", [1, 2, 5, 5]))
    pool = getattr(g, op)
    with pytest.raises(TypeError, match=f"{op}: input must be of rank 4"):
        pool(g.input("x3", D("float32", [1, 5, 5])))
    with pytest.raises(TypeError, match=f"{op}: output_sizes"):
        pool(x, window_dimensions=[2, 2], padding=[2, 2, 2, 2], strides=[2, 2],
             output_sizes=[3, 3])
    with pytest.raises(TypeError, match=f"{op}: output_sizes must have 2 items"):
        pool(x, window_dimensions=[2, 2], output_sizes=[1, 2, 4, 4])
    with pytest.raises(TypeError, match=f"{op}: output_sizes"):
        pool(x, window_dimensions=[2, 2], padding=[2, 2, 2, 2], strides=[2, 2],
             output_sizes=[0, 4])
    with pytest.raises(TypeError, match=f"{op}: window_dimensions must have 2 items"):
        pool(x, window_dimensions=[1, 1, 1, 1])
    with pytest.raises(TypeError, match=f"{op}: window_dimensions items must be greater"):
        pool(x, window_dimensions=[0, 2])
    for window in ([8, 2], [2, 8], [6, 3], [3, 6]):
        with pytest.raises(TypeError, match=f"{op}: output size"):
            pool(x, window_dimensions=window)
    with pytest.raises(TypeError, match=f"{op}: padding must have 4 items"):
        pool(x, padding=[2, 2])
    with pytest.raises(TypeError, match=f"{op}: strides must have 2 items"):
        pool(x, strides=[2])
    with pytest.raises(TypeError, match=f"{op}: strides items must be greater"):
        pool(x, strides=[0, 2])
    with pytest.raises(TypeError, match=f"{op}: dilations must have 2 items"):
        pool(x, dilations=[1, 1, 2])
    with pytest.raises(TypeError, match=f"{op}: dilations items must be greater"):
        pool(x, dilations=[1, 0])
    with pytest.raises(TypeError, match=f"{op}: output size"):
        pool(x, padding=[2**32 - 1, 2**32 - 1, 0, 0])
    with pytest.raises(TypeError, match=f"{op}: layout"):
        pool(x, layout="chwn")
    with pytest.raises(TypeError, match=f"{op}: output_shape_rounding"):
        pool(x, output_shape_rounding="round")
    with pytest.raises(TypeError, match=f"{op}: give output_shape_rounding or"):
        pool(x, output_shape_rounding="ceil", rounding_type="ceil")
    other = webnn.MLGraphBuilder(context("reference"))
    with pytest.raises(TypeError, match=f"{op}: input was created by another"):
        pool(other.input("x", D("float32", [1, 2, 5, 5])))


@pytest.mark.parametrize("op", ["average_pool2d", "l2_pool2d"])
@pytest.mark.parametrize("dtype", ["int64", "uint8", "int32"])
def test_float_pools_reject_integers(op, dtype):
    g = webnn.MLGraphBuilder(context("reference"))
    with pytest.raises(TypeError, match=f"{op}: input data type {dtype} is not allowed"):
        getattr(g, op)(g.input("x", D(dtype, [1, 2, 4, 4])))


@pytest.mark.parametrize("dtype", ["int32", "uint32", "int8", "uint8", "int64", "uint64"])
def test_max_pool2d_accepts_integers(dtype):
    g = webnn.MLGraphBuilder(context("reference"))
    out = g.max_pool2d(g.input("x", D(dtype, [1, 3, 4, 4])))
    assert out.shape == (1, 3, 1, 1) and out.data_type == dtype


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_l2_pool2d_float16_squares_do_not_overflow(backend):
    """1000**2 overflows float16, the result sqrt(4 * 1000**2) = 2000 does not."""
    x = np.full((1, 1, 2, 2), 1000, np.float16)
    np.testing.assert_array_equal(_run(backend, "l2_pool2d", x).ravel(), [2000])
