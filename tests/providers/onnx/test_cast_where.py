"""ONNX Cast, CastLike, Where and Dropout through the WebNN translator vs ORT's CPU EP."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper
from webnn_providers.onnx import check_node, from_onnx_model, run_graph

from tests.helpers import BACKENDS, context
from tests.providers.onnx.helpers import assert_translation_matches, make_model, node_verdict

rng = np.random.default_rng(0)

_TYPES = {np.float32: TensorProto.FLOAT, np.float16: TensorProto.FLOAT16,
          np.int32: TensorProto.INT32, np.uint32: TensorProto.UINT32,
          np.int64: TensorProto.INT64, np.uint64: TensorProto.UINT64,
          np.int8: TensorProto.INT8, np.uint8: TensorProto.UINT8, bool: TensorProto.BOOL}


def _values(dtype) -> np.ndarray:
    """Values every WebNN type represents exactly (so every cast is defined)."""
    if dtype is bool:
        return np.array([[True, False, True], [False, False, True]])
    return np.array([[0, 1, 7], [100, 3, 0]], dtype)


def _cast(x: np.ndarray, to: int, opset: int = 21):
    return make_model([helper.make_node("Cast", ["x"], ["y"], to=to)], {"x": x}, ["y"],
                      opset=opset)


@pytest.mark.parametrize("src", list(_TYPES), ids=lambda t: np.dtype(t).name)
@pytest.mark.parametrize("dst", list(_TYPES), ids=lambda t: np.dtype(t).name)
def test_cast_every_pair(src, dst):
    x = _values(src)
    assert_translation_matches(_cast(x, _TYPES[dst]), {"x": x})


@pytest.mark.parametrize("dst", [np.int32, np.int8, np.int64, np.uint8, np.float16, bool])
def test_cast_float_fractions_and_negatives(dst):
    # float -> int truncates toward zero; -> bool is x != 0; -> float16 rounds to nearest
    x = np.array([-2.7, -1.5, -0.4, 0.0, 0.4, 1.5, 2.7, 3.14159], np.float32)
    if dst is np.uint8:
        x = np.abs(x)
    assert_translation_matches(_cast(x, _TYPES[dst]), {"x": x})


def test_cast_nan_to_bool_is_true():
    x = np.array([np.nan, 0.0, -0.0, np.inf], np.float32)
    assert_translation_matches(_cast(x, TensorProto.BOOL), {"x": x})


def test_cast_older_opsets():
    x = _values(np.float32)
    for opset in (6, 9, 13, 19):
        assert_translation_matches(_cast(x, TensorProto.INT32, opset), {"x": x})


@pytest.mark.parametrize("to", [TensorProto.DOUBLE, TensorProto.STRING, TensorProto.INT16,
                                TensorProto.BFLOAT16, TensorProto.FLOAT8E4M3FN])
def test_cast_to_type_without_webnn_type_refused(to):
    verdict = node_verdict(_cast(_values(np.float32), to))
    assert not verdict.supported and verdict.kind == "dtype"
    assert TensorProto.DataType.Name(to) in verdict.reason


def test_cast_from_double_refused():
    verdict = node_verdict(_cast(np.ones((2,), np.float64), TensorProto.FLOAT))
    assert not verdict.supported and verdict.kind == "dtype"


def test_cast_chain_through_bool():
    x = rng.integers(-3, 4, (3, 4)).astype(np.int64)
    model = make_model([helper.make_node("Cast", ["x"], ["b"], to=TensorProto.BOOL),
                        helper.make_node("Not", ["b"], ["n"]),
                        helper.make_node("Cast", ["n"], ["y"], to=TensorProto.FLOAT)],
                       {"x": x}, ["y"])
    assert_translation_matches(model, {"x": x})


@pytest.mark.parametrize("src,target", [(np.float32, np.int32), (np.int64, np.float16),
                                        (np.float32, bool), (bool, np.float32),
                                        (np.uint8, np.uint8)],
                         ids=lambda t: np.dtype(t).name)
def test_cast_like(src, target):
    x = _values(src)
    model = make_model([helper.make_node("CastLike", ["x", "t"], ["y"])], {"x": x}, ["y"],
                       initializers={"t": np.zeros((1,), target)})
    assert_translation_matches(model, {"x": x})


def test_cast_like_runtime_target():
    """Regression: a group input no output depends on (CastLike reads only its type) is not
    an input of the built graph and must not be fed."""
    x = _values(np.float32)
    like = np.zeros((1,), np.int32)
    model = make_model([helper.make_node("CastLike", ["x", "t"], ["y"])], {"x": x, "t": like},
                       ["y"])
    assert_translation_matches(model, {"x": x, "t": like})


def test_cast_like_constant_target_and_double_refused():
    x = _values(np.float32)
    model = make_model([helper.make_node("CastLike", ["x", "t"], ["y"])], {"x": x}, ["y"],
                       initializers={"t": np.zeros((1,), np.int8)}, opset=15)
    assert_translation_matches(model, {"x": x})
    model = make_model([helper.make_node("CastLike", ["x", "t"], ["y"])], {"x": x}, ["y"],
                       initializers={"t": np.zeros((1,), np.float64)})
    verdict = node_verdict(model)
    assert not verdict.supported and verdict.kind == "dtype"


# -- Where -------------------------------------------------------------------------------
@pytest.mark.parametrize("shapes", [((2, 3), (2, 3), (2, 3)), ((3,), (2, 3), (1,)),
                                    ((2, 1), (3,), (2, 3)), ((), (4, 1, 2), (3, 1))])
def test_where_broadcast(shapes):
    cs, xs, ys = shapes
    c = rng.integers(0, 2, cs).astype(bool)
    x = rng.standard_normal(xs).astype(np.float32)
    y = rng.standard_normal(ys).astype(np.float32)
    model = make_model([helper.make_node("Where", ["c", "x", "y"], ["z"])],
                       {"c": c, "x": x, "y": y}, ["z"])
    assert_translation_matches(model, {"c": c, "x": x, "y": y})


@pytest.mark.parametrize("dtype", [np.float16, np.int32, np.int64, np.uint8, np.int8])
def test_where_types(dtype):
    c = rng.integers(0, 2, (2, 4)).astype(bool)
    x, y = _values(dtype).reshape(-1)[:4], _values(dtype).reshape(-1)[2:]
    model = make_model([helper.make_node("Where", ["c", "x", "y"], ["z"])],
                       {"c": c, "x": x, "y": y}, ["z"])
    assert_translation_matches(model, {"c": c, "x": x, "y": y})


def test_where_bool_values():
    # ORT's CPU EP has no bool Where: compare with numpy
    c, x, y = (rng.integers(0, 2, (2, 5)).astype(bool) for _ in range(3))
    model = make_model([helper.make_node("Where", ["c", "x", "y"], ["z"])],
                       {"c": c, "x": x, "y": y}, ["z"])
    graph = from_onnx_model(model)
    for backend in BACKENDS:
        assert check_node(context(backend), graph, 0).supported
        got = run_graph(context(backend), graph, {"c": c, "x": x, "y": y})["z"]
        np.testing.assert_array_equal(got, np.where(c, x, y))


def test_where_chain_with_comparison_and_opset9():
    a = rng.standard_normal((3, 4)).astype(np.float32)
    for opset in (9, 21):
        model = make_model([helper.make_node("Greater", ["a", "zero"], ["c"]),
                            helper.make_node("Where", ["c", "a", "zero"], ["y"])],
                           {"a": a}, ["y"], initializers={"zero": np.array(0, np.float32)},
                           opset=opset)
        assert_translation_matches(model, {"a": a})


def test_where_mismatched_value_types_refused():
    c = np.ones((2,), bool)
    model = make_model([helper.make_node("Where", ["c", "x", "y"], ["z"])],
                       {"c": c, "x": np.ones((2,), np.float32), "y": np.ones((2,), np.int32)},
                       ["z"])
    verdict = node_verdict(model)
    assert not verdict.supported and verdict.kind == "webnn"


# -- Dropout -----------------------------------------------------------------------------
@pytest.mark.parametrize("opset", [7, 10, 12, 13, 21])
@pytest.mark.parametrize("mask", [False, True])
def test_dropout_inference_identity(opset, mask):
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    outputs = ["y", "m"] if mask else ["y"]
    model = make_model([helper.make_node("Dropout", ["x"], outputs)], {"x": x}, outputs,
                       opset=opset)
    assert_translation_matches(model, {"x": x})


def test_dropout_ratio_and_false_training_mode_inputs():
    x = rng.standard_normal((4, 5)).astype(np.float16)
    model = make_model([helper.make_node("Dropout", ["x", "r", "t"], ["a", "m"]),
                        helper.make_node("Relu", ["a"], ["y"])], {"x": x}, ["y", "m"],
                       initializers={"r": np.array(0.3, np.float32), "t": np.array(False)})
    assert_translation_matches(model, {"x": x})


def test_dropout_training_mode_refused():
    x = np.ones((2, 2), np.float32)
    model = make_model([helper.make_node("Dropout", ["x", "r", "t"], ["y"])], {"x": x}, ["y"],
                       initializers={"r": np.array(0.3, np.float32), "t": np.array(True)})
    verdict = node_verdict(model)
    assert not verdict.supported and verdict.kind == "attribute"
    assert "training_mode" in verdict.reason
    model = make_model([helper.make_node("Dropout", ["x", "", "t"], ["y"])],
                       {"x": x, "t": np.array(False)}, ["y"])
    verdict = node_verdict(model)
    assert not verdict.supported and "constant" in verdict.reason
