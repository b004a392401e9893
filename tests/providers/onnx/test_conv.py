"""ONNX Conv / ConvTranspose through the WebNN translator vs ORT's CPU EP."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import helper
from onnx.reference import ReferenceEvaluator
from webnn_providers.onnx import from_onnx_model, run_graph

from tests.helpers import context
from tests.providers.onnx.helpers import assert_translation_matches, make_model, node_verdict

rng = np.random.default_rng(0)
CONV_TOL = {"rtol": 1e-4, "atol": 1e-5}


def _conv_model(op, x, w, b=None, opset=21, **attrs):
    inits = {"w": w} | ({"b": b} if b is not None else {})
    inputs = ["x", "w"] + (["b"] if b is not None else [])
    return make_model([helper.make_node(op, inputs, ["y"], **attrs)], {"x": x}, ["y"], inits,
                      opset=opset)


def _randn(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("attrs", [
    {},
    {"pads": [1, 1, 1, 1]},
    {"pads": [0, 2, 1, 0], "strides": [2, 3]},
    {"dilations": [2, 1], "pads": [2, 0, 1, 1]},
    {"auto_pad": "SAME_UPPER", "strides": [2, 2]},
    {"auto_pad": "SAME_LOWER", "strides": [2, 2]},
    {"auto_pad": "VALID", "strides": [2, 1]},
    {"kernel_shape": [3, 2]},
])
def test_conv2d_attributes(attrs):
    x, w, b = _randn(2, 4, 9, 8), _randn(6, 4, 3, 2), _randn(6)
    model = _conv_model("Conv", x, w, b, **attrs)
    assert_translation_matches(model, {"x": x}, **CONV_TOL)


@pytest.mark.parametrize("auto_pad", ["SAME_UPPER", "SAME_LOWER"])
def test_conv_same_padding_with_dilations(auto_pad):
    """ORT's CPU Conv refuses SAME padding with dilations; the ONNX spec defines it (the
    dilated kernel is padded for): compare with the ONNX reference evaluator."""
    x, w = _randn(1, 2, 9, 8), _randn(3, 2, 3, 2)
    model = _conv_model("Conv", x, w, auto_pad=auto_pad, strides=[3, 2], dilations=[1, 2])
    want = ReferenceEvaluator(model).run(None, {"x": x})[0]
    for backend in ("reference", "openvino"):
        got = run_graph(context(backend), from_onnx_model(model), {"x": x})["y"]
        np.testing.assert_allclose(got, want, **CONV_TOL)


@pytest.mark.parametrize("group", [2, 4])
def test_conv2d_groups(group):
    x, w = _randn(1, 4, 7, 7), _randn(8, 4 // group, 3, 3)
    model = _conv_model("Conv", x, w, group=group, pads=[1, 1, 1, 1])
    assert_translation_matches(model, {"x": x}, **CONV_TOL)


@pytest.mark.parametrize("attrs", [
    {},
    {"pads": [2, 1], "strides": [2], "dilations": [2]},
    {"auto_pad": "SAME_LOWER", "strides": [2]},
    {"group": 3},
])
def test_conv1d(attrs):
    x, w, b = _randn(2, 3, 11), _randn(6, 3 // attrs.get("group", 1), 3), _randn(6)
    model = _conv_model("Conv", x, w, b, **attrs)
    assert_translation_matches(model, {"x": x}, **CONV_TOL)


def test_conv_old_opset_and_chain():
    x, w = _randn(1, 2, 6, 6), _randn(3, 2, 3, 3)
    w2 = _randn(2, 3, 1, 1)
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
             helper.make_node("Abs", ["c"], ["r"]),
             helper.make_node("Conv", ["r", "w2"], ["y"])]
    model = make_model(nodes, {"x": x}, ["y"], {"w": w, "w2": w2}, opset=7)
    assert_translation_matches(model, {"x": x}, **CONV_TOL)


def test_conv_float16():
    x, w = _randn(1, 2, 5, 5, dtype=np.float16), _randn(4, 2, 3, 3, dtype=np.float16)
    model = _conv_model("Conv", x, w, pads=[1, 1, 1, 1])
    assert_translation_matches(model, {"x": x}, rtol=1e-2, atol=1e-2)


def test_conv_runtime_weight():
    x, w = _randn(1, 2, 5, 5), _randn(3, 2, 3, 3)
    model = make_model([helper.make_node("Conv", ["x", "w"], ["y"])], {"x": x, "w": w}, ["y"])
    assert_translation_matches(model, {"x": x, "w": w}, **CONV_TOL)


def test_conv3d_is_refused():
    x, w = _randn(1, 2, 4, 4, 4), _randn(3, 2, 2, 2, 2)
    verdict = node_verdict(_conv_model("Conv", x, w))
    assert not verdict.supported and verdict.kind == "shape" and "rank 5" in verdict.reason


def test_conv_kernel_shape_mismatch_is_refused():
    x, w = _randn(1, 2, 5, 5), _randn(3, 2, 3, 3)
    model = _conv_model("Conv", x, w, kernel_shape=[2, 2])
    verdict = node_verdict(model)
    assert not verdict.supported and "kernel_shape" in verdict.reason


@pytest.mark.parametrize("attrs", [
    {},
    {"strides": [2, 2]},
    {"strides": [2, 2], "pads": [1, 0, 1, 2]},
    {"strides": [2, 3], "output_padding": [1, 2]},
    {"strides": [2, 2], "dilations": [2, 1]},
    {"strides": [2, 2], "auto_pad": "SAME_UPPER"},
    {"strides": [2, 2], "auto_pad": "SAME_LOWER"},
    {"strides": [2, 2], "dilations": [2, 2], "auto_pad": "SAME_UPPER"},
    {"strides": [2, 2], "output_shape": [8, 9]},   # odd total padding
    {"strides": [2, 2], "output_shape": [5, 4]},
    {"strides": [2, 2], "output_shape": [10, 10]},   # larger than the full output
    {"strides": [2, 2], "auto_pad": "SAME_UPPER", "output_shape": [8, 7]},
    {"strides": [2, 2], "auto_pad": "VALID", "output_shape": [10, 10]},
    {"strides": [2, 2], "output_padding": [1, 1], "output_shape": [8, 8]},
])
def test_conv_transpose2d_attributes(attrs):
    x, w, b = _randn(2, 4, 4, 4), _randn(4, 3, 3, 3), _randn(3)
    model = _conv_model("ConvTranspose", x, w, b, **attrs)
    assert_translation_matches(model, {"x": x}, **CONV_TOL)


def test_conv_transpose_groups_and_1d():
    x, w = _randn(1, 4, 5, 5), _randn(4, 2, 3, 3)
    model = _conv_model("ConvTranspose", x, w, group=2, strides=[2, 2])
    assert_translation_matches(model, {"x": x}, **CONV_TOL)
    x1, w1, b1 = _randn(2, 3, 7), _randn(3, 2, 4), _randn(2)
    model = _conv_model("ConvTranspose", x1, w1, b1, strides=[3], pads=[1, 2])
    assert_translation_matches(model, {"x": x1}, **CONV_TOL)


def test_conv_transpose_candy_style():
    """candy.onnx: ConvTranspose-1 with auto_pad VALID and an output_shape one larger than
    the full result (the extra row/column is bias only)."""
    x, w, b = _randn(1, 8, 6, 6), _randn(8, 4, 3, 3), _randn(4)
    model = _conv_model("ConvTranspose", x, w, b, opset=7, auto_pad="VALID",
                        kernel_shape=[3, 3], output_shape=[14, 14], strides=[2, 2])
    assert_translation_matches(model, {"x": x}, **CONV_TOL)


def test_conv_transpose_same_with_output_padding_is_refused():
    x, w = _randn(1, 2, 3, 3), _randn(2, 3, 3, 3)
    model = _conv_model("ConvTranspose", x, w, strides=[2, 2], auto_pad="SAME_UPPER",
                        output_padding=[1, 1])
    verdict = node_verdict(model)
    assert not verdict.supported and "output_padding" in verdict.reason
