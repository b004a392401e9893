"""Activations: hand-checked values, OpenVINO vs reference, casting and validation
(webnn-spec §api-mlgraphbuilder-relu-method ... §api-mlgraphbuilder-softmax-method)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import webnn_core as webnn
from tests.helpers import OP_BACKENDS, assert_backends_agree, assert_close, context, run
from webnn_core.ops.activations import cast_number

D = webnn.MLOperandDescriptor

#: WPT's per-op ULP tolerances (webnn/resources/utils.js)
ULP = {"relu": 0, "sigmoid": 34, "tanh": 16, "elu": 18, "gelu": 18, "softplus": 18,
       "softsign": 3, "hard_sigmoid": 2, "hard_swish": 4, "leaky_relu": 1, "linear": 2,
       "clamp": 0, "prelu": 1}
ULP_F16 = {**ULP, "sigmoid": 10, "leaky_relu": 2}


def unary(op, dtype, shape, **options):
    return lambda g: {"y": getattr(g, op)(g.input("x", D(dtype, shape)), **options)}


# -- hand-checked values -------------------------------------------------------------------
# Values worked out by hand / from the closed forms: e^-1 = 0.36787944, erf(1/sqrt 2) =
# 0.68268949, ln 2 = 0.69314718, tanh(1) = 0.76159416.
HAND = [
    ("relu", {}, [-2.0, 0.0, 3.5], [0.0, 0.0, 3.5]),
    ("sigmoid", {}, [0.0, 1.0], [0.5, 1 / (1 + math.exp(-1))]),
    ("tanh", {}, [-1.0, 0.0, 1.0], [-0.76159416, 0.0, 0.76159416]),
    ("elu", {}, [-1.0, 2.0], [0.36787944 - 1, 2.0]),
    ("elu", {"alpha": 2.0}, [-1.0], [2 * (0.36787944 - 1)]),
    ("gelu", {}, [0.0, 1.0, -1.0], [0.0, 0.5 * (1 + 0.68268949), -0.5 * (1 - 0.68268949)]),
    ("softplus", {}, [0.0, 30.0], [0.69314718, 30.0]),
    ("softsign", {}, [1.0, -3.0], [0.5, -0.75]),
    ("hard_sigmoid", {}, [1.0, -3.0, 3.0], [0.7, 0.0, 1.0]),
    ("hard_sigmoid", {"alpha": 0.5, "beta": 0.25}, [1.0], [0.75]),
    ("hard_swish", {}, [1.0, -4.0, 4.0, -1.5], [4 / 6, 0.0, 4.0, -1.5 * 1.5 / 6]),
    ("leaky_relu", {}, [-2.0, 3.0], [-0.02, 3.0]),
    ("leaky_relu", {"alpha": 0.5}, [-2.0], [-1.0]),
    ("linear", {}, [-2.0, 3.0], [-2.0, 3.0]),
    ("linear", {"alpha": 3.0, "beta": 1.0}, [2.0], [7.0]),
    ("clamp", {"min_value": -1, "max_value": 2.5}, [-5.0, 0.5, 9.0], [-1.0, 0.5, 2.5]),
    ("clamp", {"max_value": 0}, [-5.0, 9.0], [-5.0, 0.0]),
    ("clamp", {}, [-5.0, 9.0], [-5.0, 9.0]),
]


@pytest.mark.parametrize("backend", OP_BACKENDS)
@pytest.mark.parametrize(("op", "options", "x", "expected"), HAND,
                         ids=[f"{h[0]}-{i}" for i, h in enumerate(HAND)])
def test_hand_checked(backend, op, options, x, expected):
    x = np.array(x, np.float32)
    out = run(backend, unary(op, "float32", x.shape, **options), {"x": x})["y"]
    assert_close(out, np.array(expected, np.float32), ulp=max(ULP[op], 2), what=op)


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_softmax_hand_checked(backend):
    # exp(0, 1, 2) / (1 + e + e^2) = 0.09003057, 0.24472847, 0.66524096
    x = np.array([[1, 2, 3], [5, 5, 5]], np.float32)
    out = run(backend, lambda g: {"y": g.softmax(g.input("x", D("float32", [2, 3])), 1)},
              {"x": x})["y"]
    expected = np.array([[0.09003057, 0.24472847, 0.66524096], [1 / 3] * 3], np.float32)
    assert_close(out, expected, ulp=12)


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_prelu_hand_checked(backend):
    x = np.array([[-2, -1, 0, 3]], np.float32)
    slope = np.array([0.5, 2, 3, 4], np.float32)

    def build(g):
        return {"y": g.prelu(g.input("x", D("float32", [1, 4])), g.constant(slope))}

    out = run(backend, build, {"x": x})["y"]
    assert_close(out, np.array([[-1, -2, 0, 3]], np.float32))


# -- OpenVINO vs reference on random inputs ---------------------------------------------
FLOAT_OPS = [("relu", {}), ("sigmoid", {}), ("tanh", {}), ("elu", {}), ("elu", {"alpha": 0.3}),
             ("gelu", {}), ("softplus", {}), ("softsign", {}), ("hard_swish", {}),
             ("leaky_relu", {}), ("leaky_relu", {"alpha": 0.2}),
             ("linear", {"alpha": 1.7, "beta": -0.3}), ("clamp", {"min_value": -1.5}),
             ("clamp", {"min_value": -6, "max_value": 6}), ("clamp", {"max_value": 0.25})]


@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("shape", [[], [7], [2, 3, 4, 5]])
@pytest.mark.parametrize(("op", "options"), FLOAT_OPS, ids=[f"{o}{k}" for o, k in FLOAT_OPS])
def test_float_ops_agree(op, options, shape, dtype):
    rng = np.random.default_rng(7)
    x = rng.uniform(-8, 8, shape).astype(dtype)
    tolerance = (ULP if dtype == "float32" else ULP_F16)[op]
    assert_backends_agree(unary(op, dtype, shape, **options), {"x": x}, ulp=tolerance)


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_hard_sigmoid_agrees(dtype):
    # alpha * x + beta away from 0: near its zero, float mul-then-add cancels (also in
    # the spec's emulation), so a 2 ULP bound only holds where the result is not tiny
    x = np.random.default_rng(3).uniform(-2, 2, [4, 50]).astype(dtype)
    assert_backends_agree(unary("hard_sigmoid", dtype, x.shape), {"x": x}, ulp=2)
    assert_backends_agree(unary("hard_sigmoid", dtype, x.shape, alpha=0.1, beta=0.4),
                          {"x": x}, ulp=2)


@pytest.mark.parametrize("op", ["elu", "gelu", "softplus", "sigmoid", "tanh"])
def test_transcendental_tails_agree(op):
    """Small and far-tail arguments, where exp(x) - 1, 1 + erf(x) and log(1 + exp(x))
    cancel when evaluated naively."""
    x = np.concatenate([np.linspace(-12.5, 12.5, 501), np.geomspace(1e-7, 1e-2, 50),
                        -np.geomspace(1e-7, 1e-2, 50)]).astype(np.float32)
    assert_backends_agree(unary(op, "float32", x.shape), {"x": x}, ulp=ULP[op])


@pytest.mark.parametrize("shape", [[5], [2, 3, 4], [2, 3, 4, 5]])
def test_softmax_agrees_every_axis(shape):
    # |x - max| < 8: the spec's own emulation rounds x - max in float32, which already
    # costs ~ulp(x - max) relative error in exp (e.g. 30 ULP at x - max = -40)
    x = np.random.default_rng(5).uniform(-4, 4, shape).astype(np.float32)
    for axis in range(len(shape)):
        tolerance = shape[axis] * 3 + 3  # WPT: 3 ULP per reduced element + 3
        assert_backends_agree(lambda g, a=axis: {"y": g.softmax(g.input("x", D(
            "float32", shape)), a)}, {"x": x}, ulp=tolerance)


@pytest.mark.parametrize(("x_shape", "slope_shape"), [
    ([2, 4, 3], [3]), ([2, 4, 3], [4, 1]), ([2, 3, 2, 2], [3, 1, 1]), ([3, 3], [3]),
    ([3], [2, 3]), ([], [4]), ([2, 1, 3], [5, 1]), ([4], []),
])
@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_prelu_broadcast_agrees(x_shape, slope_shape, dtype):
    rng = np.random.default_rng(11)
    x = rng.uniform(-4, 4, x_shape).astype(dtype)
    slope = rng.uniform(-1, 1, slope_shape).astype(dtype)

    def build(g):
        return {"y": g.prelu(g.input("x", D(dtype, x_shape)), g.input("s", D(dtype, slope_shape)))}

    ref = assert_backends_agree(build, {"x": x, "s": slope}, ulp=1)
    assert ref["y"].shape == np.broadcast_shapes(tuple(x_shape), tuple(slope_shape))


# -- integer types --------------------------------------------------------------------------
INT32_EDGES = np.array([-2**31, 2**31 - 1, 2**31 - 2, -2**31 + 1, 2**24 + 1, 2**24, -2**24 - 1,
                        0, 1, -1], np.int32)


def _int32_data(n: int = 400) -> np.ndarray:
    rng = np.random.default_rng(13)
    return np.concatenate([INT32_EDGES,
                           rng.integers(-2**31, 2**31, n, dtype=np.int64).astype(np.int32)])


@pytest.mark.parametrize("dtype", ["int32", "int8"])
def test_relu_integers_agree(dtype):
    x = (_int32_data() if dtype == "int32"
         else np.arange(-128, 128, dtype=np.int8))
    ref = assert_backends_agree(unary("relu", dtype, x.shape), {"x": x})
    np.testing.assert_array_equal(ref["y"], np.where(x > 0, x, 0))


@pytest.mark.parametrize(("lo", "hi"), [
    (-2, 2**31 - 3), (0, 2**31 - 2), (-2**31 + 1, 5), (-2**31 + 1, 2**31 - 2), (-2147483000, 0),
    (16777216, 16777217), (None, 2**31 - 3), (-2**31 + 5, None), (None, None),
])
def test_clamp_int32_exact(lo, hi):
    """int32 bounds beyond 2**24 (the CPU plugin compares int32 through float32)."""
    x = _int32_data()
    ref = assert_backends_agree(unary("clamp", "int32", x.shape, min_value=lo, max_value=hi),
                                {"x": x})
    bounds = (-2**31 if lo is None else lo, 2**31 - 1 if hi is None else hi)
    np.testing.assert_array_equal(ref["y"], np.clip(x.astype(np.int64), *bounds))


def test_clamp_after_another_op_int32_exact():
    x = _int32_data()

    def build(g):
        y = g.clamp(g.input("x", D("int32", x.shape)), min_value=-2**31 + 7)
        return {"y": g.clamp(y, min_value=-3, max_value=2**31 - 9)}

    ref = assert_backends_agree(build, {"x": x})
    np.testing.assert_array_equal(ref["y"], np.clip(x.astype(np.int64), -3, 2**31 - 9))


@pytest.mark.parametrize(("dtype", "lo", "hi"), [("int8", -100, 7), ("uint8", 3, 250),
                                                  ("int8", -128, 127), ("uint8", 0, 0)])
def test_clamp_small_integers_agree(dtype, lo, hi):
    info = np.iinfo(dtype)
    x = np.arange(info.min, info.max + 1).astype(dtype)
    ref = assert_backends_agree(unary("clamp", dtype, x.shape, min_value=lo, max_value=hi),
                                {"x": x})
    np.testing.assert_array_equal(ref["y"], np.clip(x, lo, hi))


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_clamp_integer_bounds_are_cast(backend):
    """Spec "cast" (ConvertToInt): saturate to the type's range, round half to even."""
    x = np.array([-128, -3, 0, 2, 3, 127], np.int8)
    out = run(backend, unary("clamp", "int8", [6], min_value=-2.5, max_value=2.5),
              {"x": x})["y"]
    np.testing.assert_array_equal(out, [-2, -2, 0, 2, 2, 2])
    out = run(backend, unary("clamp", "int8", [6], min_value=-1000, max_value=1e9), {"x": x})["y"]
    np.testing.assert_array_equal(out, x)


@pytest.mark.parametrize("dtype", ["int32", "int8"])
def test_prelu_integers_agree(dtype):
    rng = np.random.default_rng(17)
    if dtype == "int32":
        x = _int32_data(390).reshape(20, 20)
        slope = rng.integers(-2**31, 2**31, [20], dtype=np.int64).astype(np.int32)
    else:
        x = np.arange(-128, 128, dtype=np.int8).reshape(16, 16)
        slope = rng.integers(-128, 128, [16]).astype(np.int8)

    def build(g):
        return {"y": g.prelu(g.input("x", D(dtype, x.shape)), g.constant(slope))}

    ref = assert_backends_agree(build, {"x": x})
    with np.errstate(all="ignore"):
        wrapped = np.where(x < 0, x * slope, x)  # the spec's mul wraps like numpy
    np.testing.assert_array_equal(ref["y"], wrapped)


@pytest.mark.parametrize("op", ["prelu"])
def test_openvino_restricts_wide_integers(op):
    """int64 runs as int32 on the OpenVINO CPU plugin, and prelu's products could leave the
    int32 range."""
    limits = context("openvino").op_support_limits()[op]["input"]["data_types"]
    assert "int64" not in limits and "float32" in limits and "float16" in limits
    g = webnn.MLGraphBuilder(context("openvino"))
    x = g.input("x", D("int64", [2]))
    with pytest.raises(TypeError, match=f"{op}: input data type int64 is not supported by the "
                                        "openvino backend"):
        g.prelu(x, x) if op == "prelu" else getattr(g, op)(x)
    ref = webnn.MLGraphBuilder(context("reference"))
    x = ref.input("x", D("int64", [2]))
    assert (ref.prelu(x, x) if op == "prelu" else getattr(ref, op)(x)).data_type == "int64"


def test_relu_int64_openvino_in_and_out_of_int32_range():
    x = np.array([-(2**31), -100, 0, 100, 2**31 - 1], np.int64)
    out = run("openvino", unary("relu", "int64", [5]), {"x": x})["y"]
    np.testing.assert_array_equal(out, [0, 0, 0, 100, 2**31 - 1])
    big = np.array([-(2**40), 2**40], np.int64)  # runs exactly via the reference fallback
    out = run("openvino", unary("relu", "int64", [2]), {"x": big})["y"]
    np.testing.assert_array_equal(out, [0, 2**40])


def test_relu_int64_reference():
    x = np.array([-(2**63) + 1, -100, 0, 100, 2**63 - 1], np.int64)
    out = run("reference", unary("relu", "int64", [5]), {"x": x})["y"]
    np.testing.assert_array_equal(out, [0, 0, 0, 100, 2**63 - 1])


def test_clamp_bigint_bounds_reference():
    x = np.array([2**53 + 3, -41, 5], np.int64)
    out = run("reference", unary("clamp", "int64", [3], min_value=-2, max_value=2**53), {"x": x})
    np.testing.assert_array_equal(out["y"], [2**53, -2, 5])


# -- float bounds, NaN and infinities ----------------------------------------------------
@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_clamp_nan_and_infinite_bounds(backend):
    x = np.array([-np.inf, -3e35, -2, 0, 1, 3e35, np.inf], np.float32)
    for options, expected in [
        ({"min_value": math.nan}, x), ({"max_value": math.nan}, x),
        ({"min_value": -math.inf}, x), ({"max_value": math.inf}, x),
        ({"min_value": math.inf}, np.full(7, np.inf, np.float32)),
        ({"max_value": -math.inf}, np.full(7, -np.inf, np.float32)),
        ({"min_value": 1e40}, np.full(7, np.inf, np.float32)),  # cast: beyond float32 max
    ]:
        out = run(backend, unary("clamp", "float32", [7], **options), {"x": x})["y"]
        assert_close(out, expected, what=str(options))


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_float16_options_are_cast_to_float16(backend):
    # 0.1 is 0.0999755859375 in float16: linear(1) must give exactly that
    x = np.ones([2], np.float16)
    out = run(backend, unary("linear", "float16", [2], alpha=0.1, beta=0.0), {"x": x})["y"]
    assert_close(out, np.full([2], np.float16(0.1)))


def test_cast_number():
    assert cast_number(2.5, "int32") == 2 and cast_number(3.5, "int32") == 4
    assert cast_number(-0.5, "int8") == 0 and cast_number(math.nan, "uint8") == 0
    assert cast_number(-math.inf, "int8") == -128 and cast_number(300, "uint8") == 255
    assert cast_number(2**64 + 5, "uint64") == 2**64 - 1
    assert cast_number(2**40, "uint32") == 2**32 - 1
    assert cast_number(70000.0, "float16") == math.inf
    assert cast_number(65519.0, "float16") == 65504.0
    assert cast_number(10**400, "float32") == math.inf
    assert cast_number(0.1, "float32") == float(np.float32(0.1))
    assert math.isnan(cast_number(math.nan, "float32"))


# -- validation ---------------------------------------------------------------------------
@pytest.fixture
def g():
    return webnn.MLGraphBuilder(context("reference"))


def test_float_only_ops_reject_integers(g):
    x = g.input("x", D("int32", [2]))
    for op in ["sigmoid", "tanh", "elu", "gelu", "softplus", "softsign", "hard_sigmoid",
               "hard_swish", "leaky_relu", "linear"]:
        with pytest.raises(TypeError, match=f"{op}: input data type int32 is not allowed"):
            getattr(g, op)(x)
    with pytest.raises(TypeError, match="softmax: input data type int32 is not allowed"):
        g.softmax(x, 0)
    with pytest.raises(TypeError, match="relu: input data type uint8 is not allowed"):
        g.relu(g.input("u", D("uint8", [2])))


def test_option_values(g):
    x = g.input("x", D("float32", [2]))
    with pytest.raises(TypeError, match="elu: alpha"):
        g.elu(x, alpha=math.inf)
    with pytest.raises(TypeError, match="leaky_relu: alpha"):
        g.leaky_relu(x, alpha="0.1")
    with pytest.raises(TypeError, match="linear: beta"):
        g.linear(x, beta=math.nan)
    with pytest.raises(TypeError, match="clamp: min_value must be a number"):
        g.clamp(x, min_value="1")
    with pytest.raises(TypeError, match="clamp: min_value .* must be less than or equal"):
        g.clamp(x, min_value=2, max_value=1)
    # equal after casting is fine; uint8 -5 and -1 both cast to 0
    g.clamp(x, min_value=1, max_value=1)
    g.clamp(g.input("u", D("uint8", [2])), min_value=-5, max_value=-1)
    with pytest.raises(TypeError, match="clamp: min_value"):
        g.clamp(g.input("i", D("int8", [2])), min_value=300, max_value=-300)
    with pytest.raises(TypeError, match="must be an MLOperand"):
        g.relu(np.zeros(2, np.float32))


def test_softmax_axis(g):
    x = g.input("x", D("float32", [2, 3]))
    assert g.softmax(x, 1).shape == (2, 3)
    with pytest.raises(TypeError, match="softmax: axis 2 must be less than the input rank 2"):
        g.softmax(x, 2)
    with pytest.raises(TypeError, match="softmax: axis"):
        g.softmax(x, -1)
    with pytest.raises(TypeError, match="softmax: input must be of rank 1"):
        g.softmax(g.input("s", D("float32", [])), 0)
    with pytest.raises(TypeError):
        g.softmax(x)  # axis is required


def test_prelu_validation(g):
    x = g.input("x", D("float32", [2, 3]))
    with pytest.raises(TypeError, match="prelu: slope data type float16 must match"):
        g.prelu(x, g.input("s", D("float16", [3])))
    with pytest.raises(TypeError, match="prelu: .*not bidirectionally broadcastable"):
        g.prelu(x, g.input("t", D("float32", [2])))
    with pytest.raises(TypeError, match="prelu: input data type uint8 is not allowed"):
        u = g.input("u", D("uint8", [2]))
        g.prelu(u, u)
    assert g.prelu(x, g.input("w", D("float32", [4, 1, 3]))).shape == (4, 2, 3)
    assert g.prelu(x, g.input("v", D("float32", [3])), label="p").data_type == "float32"


def test_builder_after_build_is_invalid():
    g = webnn.MLGraphBuilder(context("reference"))
    x = g.input("x", D("float32", [2]))
    g.build({"y": g.relu(x)})
    with pytest.raises(webnn.InvalidStateError, match="sigmoid: the builder has already built"):
        g.sigmoid(x)


@pytest.mark.parametrize("dtype", ["int64", "uint32", "uint64"])
def test_clamp_wide_integers_on_openvino(dtype):
    """Bounds beyond the range OpenVINO holds are clipped (no-ops there); bounds that would
    move every value outside it run the graph on the reference."""
    x = np.array([0, 3, 2**31 - 1, 7], dtype)
    for lo, hi in ((1, 2**40), (2, 5), (0, 2**31 - 2), (2**33, 2**34)):
        assert_backends_agree(unary("clamp", dtype, [4], min_value=lo, max_value=hi), {"x": x})


@pytest.mark.parametrize("beta", [0.0, 0.1, 0.5])
def test_hard_sigmoid_beta_zero(beta):
    """Regression (found by the property tests): OpenVINO's CPU HardSigmoid computes
    beta = 0 as if it were 0.5."""
    x = np.array([0.5479, -1.0, 3.0], np.float32)
    out = assert_backends_agree(unary("hard_sigmoid", "float32", [3], alpha=0.2, beta=beta),
                                {"x": x}, ulp=2)
    np.testing.assert_allclose(out["y"], np.clip(0.2 * x.astype(np.float64) + beta, 0, 1),
                               rtol=1e-6)
