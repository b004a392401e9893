"""ONNX pooling ops through the WebNN translator vs ORT's CPU EP."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import helper

from tests.providers.onnx.helpers import assert_translation_matches, make_model, node_verdict

rng = np.random.default_rng(0)
POOL_TOL = {"rtol": 1e-5, "atol": 1e-6}


def _pool_model(op, x, opset=21, outputs=("y",), **attrs):
    opset = attrs.pop("opset", opset)
    node = helper.make_node(op, ["x"], list(outputs), **attrs)
    return make_model([node], {"x": x}, [o for o in outputs if o], opset=opset)


def _x(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


GEOMETRIES = [
    {"kernel_shape": [2, 2], "strides": [2, 2]},
    {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]},
    {"kernel_shape": [3, 2], "pads": [0, 1, 2, 0], "strides": [2, 3]},
    {"kernel_shape": [3, 3], "strides": [2, 2], "ceil_mode": 1},
    # ceil_mode drops the last window (it would start in the end padding): ONNX shape
    # inference gets this right from opset 22 on (see test_ceil_mode_shape_inference)
    {"kernel_shape": [2, 2], "strides": [2, 2], "pads": [1, 1, 1, 1], "ceil_mode": 1,
     "opset": 22},
    {"kernel_shape": [3, 3], "strides": [2, 2], "auto_pad": "SAME_UPPER"},
    {"kernel_shape": [3, 2], "strides": [2, 2], "auto_pad": "SAME_LOWER"},
    {"kernel_shape": [3, 3], "strides": [2, 1], "auto_pad": "VALID"},
    {"kernel_shape": [2, 3], "dilations": [2, 2], "pads": [1, 1, 1, 1]},
    {"kernel_shape": [2, 2], "dilations": [2, 1], "strides": [2, 2], "ceil_mode": 1},
]


@pytest.mark.parametrize("attrs", GEOMETRIES)
def test_max_pool(attrs):
    x = _x(2, 3, 9, 8)
    assert_translation_matches(_pool_model("MaxPool", x, **attrs), {"x": x}, **POOL_TOL)


@pytest.mark.parametrize("attrs", GEOMETRIES)
@pytest.mark.parametrize("count_include_pad", [0, 1])
def test_average_pool(attrs, count_include_pad):
    x = _x(2, 3, 9, 8)
    model = _pool_model("AveragePool", x, count_include_pad=count_include_pad, **attrs)
    assert_translation_matches(model, {"x": x}, **POOL_TOL)


@pytest.mark.parametrize("attrs", GEOMETRIES[:6])
def test_lp_pool(attrs):
    x = _x(1, 2, 9, 8)
    assert_translation_matches(_pool_model("LpPool", x, p=2, **attrs), {"x": x},
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("op", ["MaxPool", "AveragePool", "LpPool"])
def test_pool_1d(op):
    x = _x(2, 3, 11)
    model = _pool_model(op, x, kernel_shape=[3], strides=[2], pads=[1, 1], ceil_mode=1)
    assert_translation_matches(model, {"x": x}, rtol=1e-5, atol=1e-5)


def test_max_pool_integer_and_float16():
    x = rng.integers(-128, 127, (1, 2, 6, 6)).astype(np.int8)
    assert_translation_matches(_pool_model("MaxPool", x, kernel_shape=[3, 3], pads=[1] * 4),
                               {"x": x})
    x16 = _x(1, 2, 6, 6, dtype=np.float16)
    assert_translation_matches(_pool_model("MaxPool", x16, kernel_shape=[2, 2]), {"x": x16})


def test_pool_older_opsets():
    x = _x(1, 2, 7, 7)
    model = _pool_model("MaxPool", x, opset=7, kernel_shape=[3, 3], strides=[2, 2],
                        pads=[1, 1, 1, 1])
    assert_translation_matches(model, {"x": x})
    model = _pool_model("AveragePool", x, opset=7, kernel_shape=[3, 3], strides=[2, 2],
                        pads=[1, 1, 1, 1], count_include_pad=1)
    assert_translation_matches(model, {"x": x}, **POOL_TOL)
    model = _pool_model("LpPool", x, opset=11, kernel_shape=[2, 2], p=2)
    assert_translation_matches(model, {"x": x}, rtol=1e-5, atol=1e-5)


def test_ceil_mode_shape_inference():
    """Before opset 22 ONNX shape inference keeps a ceil_mode window that starts in the end
    padding (6 rows here), which the spec text and ORT drop (5 rows): the translation
    follows the spec, so the node is refused where the model's own shape says otherwise."""
    x = _x(1, 1, 9, 8)
    model = _pool_model("MaxPool", x, opset=21, kernel_shape=[2, 2], strides=[2, 2],
                        pads=[1, 1, 1, 1], ceil_mode=1)
    verdict = node_verdict(model)
    assert not verdict.supported and verdict.kind == "shape"


def test_pool_chain_with_storage_order():
    """storage_order only orders the (absent) Indices output."""
    x = _x(1, 4, 8, 8)
    nodes = [helper.make_node("MaxPool", ["x"], ["m"], kernel_shape=[2, 2], strides=[2, 2],
                              storage_order=1),
             helper.make_node("AveragePool", ["m"], ["a"], kernel_shape=[2, 2]),
             helper.make_node("GlobalAveragePool", ["a"], ["y"])]
    assert_translation_matches(make_model(nodes, {"x": x}, ["y"]), {"x": x}, **POOL_TOL)


@pytest.mark.parametrize("op", ["GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"])
@pytest.mark.parametrize("shape", [(2, 3, 5, 4), (2, 3, 7), (1, 2, 3, 4, 2)])
def test_global_pools(op, shape):
    x = _x(*shape)
    model = _pool_model(op, x)
    assert_translation_matches(model, {"x": x}, rtol=1e-5, atol=1e-5)


def test_max_pool_indices_output_is_refused():
    x = _x(1, 1, 4, 4)
    model = _pool_model("MaxPool", x, outputs=("y", "i"), kernel_shape=[2, 2])
    verdict = node_verdict(model)
    assert not verdict.supported and "Indices" in verdict.reason


def test_lp_pool_p3_is_refused():
    x = _x(1, 1, 4, 4)
    verdict = node_verdict(_pool_model("LpPool", x, kernel_shape=[2, 2], p=3))
    assert not verdict.supported and "p=3" in verdict.reason
    verdict = node_verdict(_pool_model("GlobalLpPool", x, p=1))
    assert not verdict.supported and "p=1" in verdict.reason


def test_pool_3d_is_refused():
    x = _x(1, 1, 4, 4, 4)
    verdict = node_verdict(_pool_model("MaxPool", x, kernel_shape=[2, 2, 2]))
    assert not verdict.supported and verdict.kind == "shape"
