"""LpNormalization, Swish, Mod, ConvInteger, EyeLike and the inverse trigonometric /
hyperbolic functions through the WebNN translator vs ORT's CPU EP."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator
from webnn_providers.onnx import from_onnx_model, run_graph

from tests.helpers import BACKENDS, context
from tests.providers.onnx.helpers import assert_translation_matches, make_model, node_verdict

rng = np.random.default_rng(0)


def _x(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def _unary(op, x, opset=21, **attrs):
    return make_model([helper.make_node(op, ["x"], ["y"], **attrs)], {"x": x}, ["y"],
                      opset=opset)


def _refused(model, *words):
    verdict = node_verdict(model)
    assert not verdict.supported
    for word in words:
        assert word in verdict.reason, verdict.reason


# -- LpNormalization --------------------------------------------------------------------
@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("axis", [-1, 0, 1, -2])
def test_lp_normalization(p, axis):
    x = _x(3, 4, 5)
    x[1, :, 2] = 0  # zero slices along axis 1 give zeros (ORT), not NaN
    x[0, 2, :] = 0
    assert_translation_matches(_unary("LpNormalization", x, p=p, axis=axis), {"x": x})


def test_lp_normalization_float16_chain_and_refusal():
    x = _x(2, 8, dtype=np.float16)
    nodes = [helper.make_node("LpNormalization", ["x"], ["n"]),
             helper.make_node("Mul", ["n", "x"], ["y"])]
    assert_translation_matches(make_model(nodes, {"x": x}, ["y"]), {"x": x}, rtol=2e-3,
                               atol=2e-3)
    _refused(_unary("LpNormalization", x, p=3), "p=3")


# -- Swish (ai.onnx 24) -----------------------------------------------------------------
@pytest.mark.parametrize("alpha", [None, 1.0, 0.5, -1.5])
def test_swish(alpha):
    x = _x(2, 3, 7) * 4
    attrs = {} if alpha is None else {"alpha": alpha}
    assert_translation_matches(_unary("Swish", x, opset=24, **attrs), {"x": x})


def test_swish_float16_chain():
    x = _x(4, 6, dtype=np.float16)
    nodes = [helper.make_node("Swish", ["x"], ["s"], alpha=2.0),
             helper.make_node("Add", ["s", "x"], ["y"])]
    assert_translation_matches(make_model(nodes, {"x": x}, ["y"], opset=24), {"x": x},
                               rtol=2e-3, atol=2e-3)


def test_swish_before_opset_24_is_not_an_op():
    _refused(_unary("Swish", _x(3), opset=23), "opset")


# -- Mod --------------------------------------------------------------------------------
_INTS = {"int8": np.int8, "int32": np.int32, "int64": np.int64, "uint8": np.uint8,
         "uint32": np.uint32, "uint64": np.uint64}


def _mod_operands(dtype, shape_a=(4, 6), shape_b=(4, 6)):
    info = np.iinfo(dtype)
    lo, hi = max(info.min, -1000), min(info.max, 1000)
    a = rng.integers(lo, hi + 1, shape_a).astype(dtype)
    b = rng.integers(lo, hi + 1, shape_b).astype(dtype)
    b[b == 0] = 7
    if dtype == np.int8:  # MIN mod -1 (ORT's int32/int64 kernels trap on it: see below)
        a.flat[0], b.flat[0] = info.min, -1
    return a, b


@pytest.mark.parametrize("fmod", [0, 1])
@pytest.mark.parametrize("dtype", list(_INTS))
def test_mod_integers(dtype, fmod):
    a, b = _mod_operands(_INTS[dtype])
    model = make_model([helper.make_node("Mod", ["a", "b"], ["y"], fmod=fmod)],
                       {"a": a, "b": b}, ["y"])
    assert_translation_matches(model, {"a": a, "b": b})


@pytest.mark.parametrize("fmod", [0, 1])
def test_mod_broadcast_constant_divisor_opset10_chain(fmod):
    a = rng.integers(-50, 50, (3, 5)).astype(np.int32)
    nodes = [helper.make_node("Mod", ["a", "b"], ["m"], fmod=fmod),
             helper.make_node("Add", ["m", "a"], ["y"])]
    model = make_model(nodes, {"a": a}, ["y"], {"b": np.array([3, -4, 5, -6, 7], np.int32)},
                       opset=10)
    assert_translation_matches(model, {"a": a})


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
@pytest.mark.parametrize("fmod", [0, 1])
def test_mod_min_by_minus_one(dtype, fmod):
    """``MIN mod -1`` is 0; ORT's CPU kernel traps (SIGFPE) on it, so compare with the
    definition directly."""
    info = np.iinfo(dtype)
    a = np.array([info.min, info.max, -7, 7], dtype)
    b = np.array([-1, -1, -1, 2], dtype)
    model = make_model([helper.make_node("Mod", ["a", "b"], ["y"], fmod=fmod)],
                       {"a": a, "b": b}, ["y"])
    graph = from_onnx_model(model)
    for backend in BACKENDS:
        got = run_graph(context(backend), graph, {"a": a, "b": b})["y"]
        np.testing.assert_array_equal(got, np.array([0, 0, 0, 1], dtype), err_msg=backend)


def test_mod_float_is_refused():
    a = _x(3)
    model = make_model([helper.make_node("Mod", ["a", "b"], ["y"], fmod=1)],
                       {"a": a, "b": a}, ["y"])
    _refused(model, "C fmod")
    model = make_model([helper.make_node("Mod", ["a", "b"], ["y"])], {"a": a, "b": a}, ["y"])
    _refused(model, "floored modulo")


# -- ConvInteger ------------------------------------------------------------------------
def _conv_integer(x, w, x_zp=None, w_zp=None, **attrs):
    names = ["x", "w"]
    inits = {"w": w}
    if x_zp is not None or w_zp is not None:
        names.append("xz" if x_zp is not None else "")
        if x_zp is not None:
            inits["xz"] = x_zp
    if w_zp is not None:
        names.append("wz")
        inits["wz"] = w_zp
    node = helper.make_node("ConvInteger", names, ["y"], **attrs)
    return make_model([node], {"x": x}, ["y"], inits, opset=10)


@pytest.mark.parametrize("attrs", [
    {},
    {"pads": [1, 1, 1, 1]},
    {"pads": [0, 1, 2, 1], "strides": [2, 1]},
    {"auto_pad": "SAME_UPPER"},
    {"auto_pad": "SAME_LOWER", "strides": [2, 2]},
    {"dilations": [2, 1]},
    {"group": 2},
])
def test_conv_integer_uint8(attrs):
    x = rng.integers(0, 256, (2, 4, 7, 6)).astype(np.uint8)
    groups = attrs.get("group", 1)
    w = rng.integers(0, 256, (6, 4 // groups, 3, 3)).astype(np.uint8)
    model = _conv_integer(x, w, np.array(128, np.uint8), np.array(131, np.uint8), **attrs)
    assert_translation_matches(model, {"x": x})


def test_conv_integer_without_zero_points_and_1d():
    x = rng.integers(0, 256, (1, 3, 5, 5)).astype(np.uint8)
    w = rng.integers(0, 256, (2, 3, 2, 2)).astype(np.uint8)
    assert_translation_matches(_conv_integer(x, w), {"x": x})
    x1 = rng.integers(0, 256, (2, 3, 9)).astype(np.uint8)
    w1 = rng.integers(0, 256, (4, 3, 3)).astype(np.uint8)
    model = _conv_integer(x1, w1, np.array(7, np.uint8), pads=[1, 2])
    assert_translation_matches(model, {"x": x1})


def test_conv_integer_chain():
    x = rng.integers(0, 256, (1, 2, 6, 6)).astype(np.uint8)
    w = rng.integers(0, 256, (3, 2, 3, 3)).astype(np.uint8)
    model = _conv_integer(x, w, np.array(100, np.uint8), pads=[1, 1, 1, 1])
    nodes = list(model.graph.node) + [
        helper.make_node("Cast", ["y"], ["f"], to=TensorProto.FLOAT),
        helper.make_node("Relu", ["f"], ["out"])]
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    chained = make_model(nodes, {"x": x}, ["out"], inits, opset=10)
    assert_translation_matches(chained, {"x": x})


@pytest.mark.parametrize("dtype", [np.uint8, np.int8])
def test_conv_integer_per_channel_weight_zero_point(dtype):
    """Per-output-channel weight zero points and int8 operands: ORT's CPU kernel supports
    neither, so compare with the ONNX reference implementation."""
    info = np.iinfo(dtype)
    x = rng.integers(info.min, info.max + 1, (1, 2, 6, 6)).astype(dtype)
    w = rng.integers(info.min, info.max + 1, (3, 2, 3, 3)).astype(dtype)
    model = _conv_integer(x, w, np.array(info.max // 3, dtype),
                          np.array([info.min, 0, info.max], dtype), pads=[1, 0, 1, 2])
    want = ReferenceEvaluator(model).run(None, {"x": x})[0]
    graph = from_onnx_model(model)
    for backend in BACKENDS:
        got = run_graph(context(backend), graph, {"x": x})["y"]
        assert got.dtype == np.int32
        np.testing.assert_array_equal(got, want, err_msg=backend)


def test_conv_integer_refusals():
    x = rng.integers(0, 256, (1, 64, 5, 5)).astype(np.uint8)
    w = rng.integers(0, 256, (2, 64, 3, 3)).astype(np.uint8)
    _refused(_conv_integer(x, w), "float32 accumulation is exact")
    x3 = rng.integers(0, 256, (1, 1, 3, 3, 3)).astype(np.uint8)
    w3 = rng.integers(0, 256, (1, 1, 2, 2, 2)).astype(np.uint8)
    _refused(_conv_integer(x3, w3), "rank 5")


# -- EyeLike ----------------------------------------------------------------------------
@pytest.mark.parametrize("shape,k", [((3, 4), 0), ((4, 3), 1), ((3, 5), -2), ((3, 3), 7)])
@pytest.mark.parametrize("dtype", [None, TensorProto.INT32, TensorProto.FLOAT,
                                   TensorProto.INT64])
def test_eye_like(shape, k, dtype):
    x = _x(*shape)
    attrs = {"k": k} if dtype is None else {"k": k, "dtype": dtype}
    nodes = [helper.make_node("EyeLike", ["x"], ["y"], **attrs)]
    assert_translation_matches(make_model(nodes, {"x": x}, ["y"]), {"x": x})


def test_eye_like_int_input_chain_and_refusal():
    x = rng.integers(-5, 5, (3, 3)).astype(np.int32)
    nodes = [helper.make_node("EyeLike", ["x"], ["e"]),
             helper.make_node("Mul", ["e", "x"], ["y"])]
    assert_translation_matches(make_model(nodes, {"x": x}, ["y"]), {"x": x})
    model = make_model([helper.make_node("EyeLike", ["x"], ["y"], dtype=TensorProto.DOUBLE)],
                       {"x": _x(2, 2)}, ["y"])
    _refused(model, "dtype 11")


# -- inverse trigonometric / hyperbolic -------------------------------------------------
def _points(op):
    """Values across each function's domain, including the branch boundaries of the
    decompositions, tiny magnitudes and the far range."""
    edges = np.array([0.0, 1e-30, 1e-8, 1e-4, 0.01, 0.1, 0.41421, 0.41422, 0.4999, 0.5,
                      0.5001, 0.9, 0.999, 1.0], np.float64)
    if op in ("Asin", "Acos", "Atanh"):
        pos = np.concatenate([edges, rng.uniform(0, 1, 40)])
        if op == "Atanh":
            pos = pos[pos < 1]
    elif op == "Acosh":
        return np.concatenate([[1.0, 1.0000001, 1.001, 1.4999, 1.5, 1.5001, 10.0, 1499.0,
                                1501.0, 1e10, 3e38], rng.uniform(1, 100, 40)]
                              ).astype(np.float32)
    else:
        far = [1.0001, 2.414, 2.4143, 5.0, 9.999, 10.0, 10.001, 30.0, 80.0, 88.5, 89.0]
        if op in ("Atan", "Asinh"):
            far += [1499.0, 1501.0, 1e6, 1e20, 3e38, np.inf]
        pos = np.concatenate([edges, far, rng.uniform(0, 5, 40)])
    return np.concatenate([pos, -pos]).astype(np.float32)


@pytest.mark.parametrize("op", ["Acos", "Asin", "Atan", "Sinh", "Cosh", "Asinh", "Acosh",
                                "Atanh"])
def test_inverse_and_hyperbolic(op):
    x = _points(op)
    assert_translation_matches(_unary(op, x), {"x": x}, rtol=2e-6, atol=0)


@pytest.mark.parametrize("op", ["Asin", "Acos", "Acosh", "Atanh"])
def test_inverse_out_of_domain_is_nan(op):
    x = np.array([1.5, -1.5, 2.0, np.nan] if op != "Acosh" else [0.5, -2.0, np.nan],
                 np.float32)
    if op == "Atanh":
        x = np.concatenate([x, np.array([1.0, -1.0], np.float32)])  # +-inf
    assert_translation_matches(_unary(op, x), {"x": x})


@pytest.mark.parametrize("op", ["Atan", "Sinh", "Asinh"])
def test_inverse_and_hyperbolic_opset7_float16_chain(op):
    x = (_x(3, 5) * 2).astype(np.float16)
    nodes = [helper.make_node(op, ["x"], ["h"]), helper.make_node("Neg", ["h"], ["y"])]
    model = make_model(nodes, {"x": x}, ["y"], opset=9)
    assert_translation_matches(model, {"x": x}, rtol=1e-3, atol=1e-3)


def test_inverse_integer_input_is_refused():
    # the ONNX type constraint is float-only; an int model is rejected before ORT runs it
    model = _unary("Atan", np.arange(3, dtype=np.int32))
    _refused(model, "int32")
