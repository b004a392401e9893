"""ONNX activations, Clip and the softmax family through the WebNN translator vs ORT."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import helper
from webnn_providers.onnx import check_node, from_onnx_model, run_graph

from tests.helpers import BACKENDS, context
from tests.providers.onnx.helpers import assert_translation_matches, make_model, node_verdict

rng = np.random.default_rng(0)


def _x(shape=(2, 3, 4), dtype=np.float32, low=-3.0, high=3.0) -> np.ndarray:
    return rng.uniform(low, high, shape).astype(dtype)


def _single(op, x, opset=21, **attrs):
    return make_model([helper.make_node(op, ["x"], ["y"], **attrs)], {"x": x}, ["y"],
                      opset=opset)


# -- element-wise activations ------------------------------------------------------------
_UNARY = [("Relu", {}), ("Sigmoid", {}), ("Tanh", {}), ("Softplus", {}), ("Softsign", {}),
          ("HardSwish", {}), ("LeakyRelu", {}), ("LeakyRelu", {"alpha": 0.3}), ("Elu", {}),
          ("Elu", {"alpha": 0.5}), ("HardSigmoid", {}),
          ("HardSigmoid", {"alpha": 0.3, "beta": 0.4}), ("Selu", {}),
          ("Selu", {"alpha": 1.5, "gamma": 2.0}), ("Celu", {}), ("Celu", {"alpha": 0.7}),
          ("Gelu", {}), ("Gelu", {"approximate": "tanh"}), ("Mish", {}),
          ("ThresholdedRelu", {}), ("ThresholdedRelu", {"alpha": -0.5}), ("Shrink", {}),
          ("Shrink", {"lambd": 1.2, "bias": 0.4})]


@pytest.mark.parametrize("op,attrs", _UNARY, ids=[f"{o}-{a}" for o, a in _UNARY])
def test_unary_float32(op, attrs):
    x = _x()
    x.flat[:3] = [0.0, 1.0, -0.5]  # thresholds' edges (Relu/ThresholdedRelu/Shrink)
    assert_translation_matches(_single(op, x, **attrs), {"x": x}, rtol=1e-5, atol=1e-6)


_FP16 = ["Relu", "Sigmoid", "Tanh", "Softplus", "Softsign", "HardSwish", "LeakyRelu", "Elu",
         "HardSigmoid", "Gelu", "ThresholdedRelu", "Shrink"]


@pytest.mark.parametrize("op", _FP16)
def test_unary_float16(op):
    x = _x(dtype=np.float16)
    assert_translation_matches(_single(op, x), {"x": x}, rtol=2e-3, atol=2e-3)


@pytest.mark.parametrize("dtype", [np.int8, np.int32])  # ORT's CPU Relu has no int64
def test_relu_integer(dtype):
    x = rng.integers(-50, 50, (3, 5)).astype(dtype)
    assert_translation_matches(_single("Relu", x), {"x": x})


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.uint8, np.float16])
def test_shrink_other_types_compute_in_float(dtype):
    # ORT computes T(x +- bias) in float: truncation toward zero for integers
    values = [0, 1, 2, 3, 7, 200] if dtype == np.uint8 else [-7, -3, -2, -1, 0, 1, 2, 3, 7]
    x = np.array(values, dtype)
    assert_translation_matches(_single("Shrink", x, lambd=1.5, bias=0.3), {"x": x})


def test_opset_versions():
    x = _x()
    for op, opset in [("Relu", 6), ("Sigmoid", 6), ("Elu", 6), ("LeakyRelu", 6),
                      ("HardSigmoid", 6), ("Selu", 6), ("Softplus", 6), ("Softsign", 6),
                      ("ThresholdedRelu", 10), ("Shrink", 9), ("Celu", 12), ("Mish", 18),
                      ("HardSwish", 14), ("Gelu", 20)]:
        assert_translation_matches(_single(op, x, opset=opset), {"x": x})


def test_chain():
    x = _x((2, 8))
    model = make_model([helper.make_node("Gelu", ["x"], ["a"], approximate="tanh"),
                        helper.make_node("Mish", ["a"], ["b"]),
                        helper.make_node("Selu", ["b"], ["c"]),
                        helper.make_node("Softmax", ["c"], ["y"], axis=0)],
                       {"x": x}, ["y"])
    assert_translation_matches(model, {"x": x}, rtol=1e-5, atol=1e-6)


def test_gelu_unknown_approximation_refused():
    verdict = node_verdict(_single("Gelu", _x(), approximate="erf"))
    assert not verdict.supported and verdict.kind == "attribute"
    assert "approximate" in verdict.reason


def test_prelu_before_opset_7_refused():
    x = _x((2, 3))
    model = make_model([helper.make_node("PRelu", ["x", "s"], ["y"])], {"x": x}, ["y"],
                       initializers={"s": np.full((3,), 0.1, np.float32)}, opset=6)
    verdict = node_verdict(model)
    assert not verdict.supported and verdict.kind == "opset"


def test_celu_non_positive_alpha_refused():
    verdict = node_verdict(_single("Celu", _x(), alpha=0.0))
    assert not verdict.supported and verdict.kind == "attribute" and "alpha" in verdict.reason


@pytest.mark.parametrize("op", ["Sigmoid", "Elu", "Gelu", "Mish", "Selu", "Softsign"])
def test_integer_input_refused_by_webnn(op):
    verdict = node_verdict(_single(op, rng.integers(-3, 3, (4,)).astype(np.int32)))
    assert not verdict.supported and verdict.kind == "webnn"


def test_double_refused():
    verdict = node_verdict(_single("Relu", _x(dtype=np.float64)))
    assert not verdict.supported and verdict.kind == "dtype"


# -- PRelu -------------------------------------------------------------------------------
@pytest.mark.parametrize("slope_shape", [(1,), (4,), (3, 1, 1), (1, 3, 1, 1), (2, 3, 5, 4)])
def test_prelu_unidirectional_broadcast(slope_shape):
    x = _x((2, 3, 5, 4))
    slope = rng.uniform(0.1, 0.5, slope_shape).astype(np.float32)
    model = make_model([helper.make_node("PRelu", ["x", "s"], ["y"])], {"x": x}, ["y"],
                       initializers={"s": slope})
    assert_translation_matches(model, {"x": x})


def test_prelu_runtime_slope_and_float16():
    x = _x((2, 3, 4), np.float16)
    slope = rng.uniform(0.1, 0.5, (3, 1)).astype(np.float16)
    model = make_model([helper.make_node("PRelu", ["x", "s"], ["y"])], {"x": x, "s": slope},
                       ["y"], opset=9)
    assert_translation_matches(model, {"x": x, "s": slope}, rtol=1e-3, atol=1e-3)


def test_prelu_integer():
    # ORT's CPU EP has no integer PRelu: compare with the ONNX formula directly
    x = rng.integers(-20, 20, (2, 6)).astype(np.int32)
    slope = np.array([2, 3, 0, 1, -1, 5], np.int32)
    model = make_model([helper.make_node("PRelu", ["x", "s"], ["y"])], {"x": x}, ["y"],
                       initializers={"s": slope})
    graph = from_onnx_model(model)
    for backend in BACKENDS:
        assert check_node(context(backend), graph, 0).supported
        got = run_graph(context(backend), graph, {"x": x})["y"]
        np.testing.assert_array_equal(got, np.where(x >= 0, x, slope * x))


def test_prelu_bidirectional_slope_refused():
    x = _x((3, 1))
    slope = np.full((1, 4), 0.2, np.float32)
    model = make_model([helper.make_node("PRelu", ["x", "s"], ["y"])], {"x": x}, ["y"],
                       initializers={"s": slope})
    verdict = node_verdict(model)
    assert not verdict.supported and verdict.kind == "shape"
    assert "unidirectionally" in verdict.reason


# -- Clip --------------------------------------------------------------------------------
def _clip(x, lo=None, hi=None, *, runtime=False, opset=21):
    names, inits, feeds = ["x"], {}, {"x": x}
    for name, value in (("lo", lo), ("hi", hi)):
        if value is None:
            names.append("")
        else:
            names.append(name)
            (feeds if runtime else inits)[name] = np.asarray(value, x.dtype)
    while names[-1] == "":
        names.pop()
    model = make_model([helper.make_node("Clip", names, ["y"])], feeds, ["y"],
                       initializers=inits, opset=opset)
    return model, feeds


@pytest.mark.parametrize("lo,hi", [(-1.0, 1.5), (None, 0.5), (-0.5, None), (None, None),
                                   (1.0, -1.0), (0.5, 0.5)])
def test_clip_constant_bounds(lo, hi):
    model, feeds = _clip(_x(), lo, hi)
    assert_translation_matches(model, feeds)


@pytest.mark.parametrize("lo,hi", [(-1.0, 1.5), (None, 0.5), (2.0, -2.0)])
def test_clip_runtime_bounds(lo, hi):
    model, feeds = _clip(_x(), lo, hi, runtime=True)
    assert_translation_matches(model, feeds)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int32, np.int64, np.uint32,
                                   np.uint64])
def test_clip_integer(dtype):
    x = rng.integers(0, 100, (3, 4)).astype(dtype)
    model, feeds = _clip(x, 10, 60, opset=12)
    assert_translation_matches(model, feeds)


def test_clip_float16_one_element_bound():
    x = _x(dtype=np.float16)
    model = make_model([helper.make_node("Clip", ["x", "lo", "hi"], ["y"])], {"x": x}, ["y"],
                       initializers={"lo": np.array([-1], np.float16),
                                     "hi": np.array([2], np.float16)}, opset=11)
    assert_translation_matches(model, {"x": x})


@pytest.mark.parametrize("attrs", [{"min": -1.0, "max": 1.0}, {"max": 0.3}, {"min": 0.2}, {}])
def test_clip_opset6_attributes(attrs):
    x = _x()
    assert_translation_matches(_single("Clip", x, opset=6, **attrs), {"x": x})


def test_clip_chain_with_relu():
    x = _x()
    model = make_model([helper.make_node("Relu", ["x"], ["r"]),
                        helper.make_node("Clip", ["r", "", "hi"], ["y"])],
                       {"x": x}, ["y"], initializers={"hi": np.array(6, np.float32)})
    assert_translation_matches(model, {"x": x})


def test_clip_runtime_non_scalar_bound_refused():
    x = _x((2, 3))
    model = make_model([helper.make_node("Clip", ["x", "lo"], ["y"])],
                       {"x": x, "lo": np.zeros((3,), np.float32)}, ["y"])
    verdict = node_verdict(model)
    assert not verdict.supported and verdict.kind == "shape" and "scalar" in verdict.reason


# -- Softmax / LogSoftmax / Hardmax -------------------------------------------------------
_AXES_13 = [0, 1, 2, -1, -2, -3]


@pytest.mark.parametrize("op", ["Softmax", "LogSoftmax", "Hardmax"])
@pytest.mark.parametrize("axis", _AXES_13)
def test_softmax_family_any_axis(op, axis):
    x = _x((3, 4, 5))
    assert_translation_matches(_single(op, x, axis=axis), {"x": x})


@pytest.mark.parametrize("op", ["Softmax", "LogSoftmax", "Hardmax"])
def test_softmax_family_default_axis(op):
    x = _x((2, 3, 4))
    assert_translation_matches(_single(op, x), {"x": x})


@pytest.mark.parametrize("op", ["Softmax", "LogSoftmax", "Hardmax"])
@pytest.mark.parametrize("opset,axis", [(11, 0), (11, 1), (11, 2), (11, 3), (11, -1), (11, -3),
                                        (1, None), (1, 2)])
def test_softmax_family_coerced_to_2d_before_13(op, opset, axis):
    x = _x((2, 3, 4, 5))
    attrs = {} if axis is None else {"axis": axis}
    assert_translation_matches(_single(op, x, opset=opset, **attrs), {"x": x})


@pytest.mark.parametrize("op", ["Softmax", "LogSoftmax"])
def test_softmax_float16(op):
    x = _x((2, 6), np.float16)
    assert_translation_matches(_single(op, x), {"x": x}, rtol=2e-3, atol=2e-3)


def test_log_softmax_large_values_are_stable():
    x = np.array([[1000.0, 0.0, -1000.0], [-50.0, -60.0, -70.0]], np.float32)
    assert_translation_matches(_single("LogSoftmax", x), {"x": x})


def test_hardmax_ties_pick_first():
    x = np.array([[1, 3, 3, 2], [5, 5, 5, 5], [0, -1, 0, -1]], np.float32)
    for axis in (0, 1):
        assert_translation_matches(_single("Hardmax", x, axis=axis), {"x": x})


def test_hardmax_float16():
    x = np.array([[1, 3, 3, 2], [0.5, 7, 1, 7]], np.float16)
    assert_translation_matches(_single("Hardmax", x), {"x": x})


@pytest.mark.parametrize("op", ["Softmax", "LogSoftmax", "Hardmax"])
def test_softmax_axis_out_of_range_refused(op):
    verdict = node_verdict(_single(op, _x((2, 3)), axis=2))
    assert not verdict.supported and verdict.kind == "attribute" and "axis" in verdict.reason


def test_softmax_integer_refused_by_webnn():
    verdict = node_verdict(_single("Softmax", np.ones((2, 3), np.int32)))
    assert not verdict.supported
