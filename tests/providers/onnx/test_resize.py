"""ONNX Resize / Upsample / DepthToSpace / SpaceToDepth through the WebNN translator vs
ORT's CPU EP."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import helper

from tests.providers.onnx.helpers import assert_translation_matches, make_model, node_verdict

rng = np.random.default_rng(0)


def _x(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def _resize_model(x, scales=None, sizes=None, opset=21, **attrs):
    """Resize with constant scales or sizes and the optional roi omitted (opset >= 13)."""
    inputs, inits = ["x", ""], {}
    if scales is not None:
        inputs.append("scales")
        inits["scales"] = np.asarray(scales, np.float32)
    else:
        inputs += ["", "sizes"]
        inits["sizes"] = np.asarray(sizes, np.int64)
    node = helper.make_node("Resize", inputs, ["y"], **attrs)
    return make_model([node], {"x": x}, ["y"], inits, opset=opset)


NEAREST = [
    # (scales or sizes, coordinate mode, nearest mode)
    ({"scales": [1, 1, 2, 2]}, "half_pixel", "round_prefer_floor"),
    ({"scales": [1, 1, 2, 2]}, "half_pixel", "round_prefer_ceil"),
    ({"scales": [1, 1, 3, 2]}, "asymmetric", "floor"),           # yolox / YOLO upsampling
    ({"scales": [1, 1, 0.5, 0.5]}, "half_pixel", "round_prefer_floor"),
    ({"scales": [1, 1, 0.5, 0.5]}, "asymmetric", "floor"),
    ({"scales": [1, 1, 2, 2]}, "pytorch_half_pixel", "round_prefer_floor"),
    ({"scales": [1, 1, 2, 2]}, "half_pixel_symmetric", "round_prefer_floor"),
    ({"sizes": [2, 3, 9, 7]}, "half_pixel", "round_prefer_floor"),
    ({"sizes": [2, 3, 8, 12]}, "tf_half_pixel_for_nn", "floor"),
    ({"sizes": [2, 3, 8, 6]}, "align_corners", "round_prefer_floor"),  # happens to agree
    ({"scales": [1, 2, 2, 1]}, "half_pixel", "round_prefer_floor"),   # NHWC: axes 1 and 2
    ({"scales": [1, 1, 1, 4]}, "asymmetric", "floor"),                 # one axis
    ({"scales": [1, 1, 1, 1]}, "align_corners", "round_prefer_ceil"),  # identity
]


@pytest.mark.parametrize("size,coordinates,nearest", NEAREST)
def test_resize_nearest(size, coordinates, nearest):
    x = _x(2, 3, 4, 6)
    model = _resize_model(x, **size, mode="nearest", coordinate_transformation_mode=coordinates,
                          nearest_mode=nearest)
    assert_translation_matches(model, {"x": x})


LINEAR = [
    ({"scales": [1, 1, 2, 2]}, "half_pixel"),
    ({"scales": [1, 1, 0.5, 0.5]}, "half_pixel"),
    ({"scales": [1, 1, 1.5, 3]}, "pytorch_half_pixel"),
    ({"sizes": [2, 3, 7, 10]}, "half_pixel"),
    ({"sizes": [2, 3, 5, 3]}, "pytorch_half_pixel"),
    ({"scales": [1, 2, 2, 1]}, "half_pixel"),
    ({"scales": [1, 1, 1, 1]}, "asymmetric"),
]


@pytest.mark.parametrize("size,coordinates", LINEAR)
def test_resize_linear(size, coordinates):
    x = _x(2, 3, 4, 6)
    model = _resize_model(x, **size, mode="linear", coordinate_transformation_mode=coordinates)
    assert_translation_matches(model, {"x": x}, rtol=1e-5, atol=1e-5)


def test_resize_float16_uint8_and_chain():
    x16 = _x(1, 2, 3, 3, dtype=np.float16)
    model = _resize_model(x16, scales=[1, 1, 2, 2], mode="linear")
    assert_translation_matches(model, {"x": x16}, rtol=1e-3, atol=1e-3)
    x8 = rng.integers(0, 256, (1, 2, 3, 3)).astype(np.uint8)
    assert_translation_matches(_resize_model(x8, scales=[1, 1, 2, 2]), {"x": x8})
    x = _x(1, 2, 3, 3)
    nodes = [helper.make_node("Resize", ["x", "", "s"], ["r"], mode="nearest"),
             helper.make_node("Add", ["r", "r"], ["y"])]
    model = make_model(nodes, {"x": x}, ["y"], {"s": np.array([1, 1, 2, 2], np.float32)})
    assert_translation_matches(model, {"x": x})


def test_resize_opset18_axes():
    x = _x(1, 2, 3, 4)
    model = _resize_model(x, sizes=[6, 8], opset=18, axes=[2, 3], mode="linear")
    assert_translation_matches(model, {"x": x}, rtol=1e-5, atol=1e-5)
    model = _resize_model(x, scales=[2.0], opset=19, axes=[-2], mode="nearest")
    assert_translation_matches(model, {"x": x})


def test_resize_opset11_yolox_style():
    """yolox_nano: Resize-11 with an empty roi constant, asymmetric + floor, scale 2."""
    x = _x(1, 4, 5, 5)
    node = helper.make_node("Resize", ["x", "roi", "scales"], ["y"], mode="nearest",
                            coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    model = make_model([node], {"x": x}, ["y"],
                       {"roi": np.zeros((0,), np.float32),
                        "scales": np.array([1, 1, 2, 2], np.float32)}, opset=11)
    assert_translation_matches(model, {"x": x})


def test_resize_opset10_and_upsample():
    x = _x(1, 2, 3, 4)
    node = helper.make_node("Resize", ["x", "s"], ["y"], mode="nearest")
    model = make_model([node], {"x": x}, ["y"], {"s": np.array([1, 1, 2, 3], np.float32)},
                       opset=10)
    assert_translation_matches(model, {"x": x})
    node = helper.make_node("Upsample", ["x"], ["y"], scales=[1.0, 1.0, 2.0, 2.0])
    assert_translation_matches(make_model([node], {"x": x}, ["y"], opset=7), {"x": x})
    node = helper.make_node("Upsample", ["x", "s"], ["y"], mode="nearest")
    model = make_model([node], {"x": x}, ["y"], {"s": np.array([1, 1, 3, 2], np.float32)},
                       opset=9)
    assert_translation_matches(model, {"x": x})


@pytest.mark.parametrize("attrs,size,words", [
    ({"mode": "nearest", "coordinate_transformation_mode": "align_corners"},
     {"sizes": [1, 2, 7, 4]}, "align_corners"),
    ({"mode": "nearest", "coordinate_transformation_mode": "tf_half_pixel_for_nn",
      "nearest_mode": "floor"}, {"sizes": [1, 2, 6, 4]}, "tf_half_pixel_for_nn"),
    ({"mode": "nearest", "nearest_mode": "round_prefer_ceil"},
     {"scales": [1, 1, 0.5, 0.5]}, "round_prefer_ceil"),
    ({"mode": "linear", "coordinate_transformation_mode": "asymmetric"},
     {"scales": [1, 1, 2, 2]}, "asymmetric"),
    ({"mode": "linear", "coordinate_transformation_mode": "align_corners"},
     {"sizes": [1, 2, 7, 9]}, "align_corners"),
    ({"mode": "cubic"}, {"scales": [1, 1, 2, 2]}, "cubic"),
    ({"mode": "linear", "coordinate_transformation_mode": "tf_crop_and_resize"},
     {"scales": [1, 1, 2, 2]}, "tf_crop_and_resize"),
    ({"mode": "nearest"}, {"scales": [1, 2, 2, 2]}, "3 axes"),
    ({"mode": "linear", "antialias": 1}, {"scales": [1, 1, 0.5, 0.5]}, "antialias"),
])
def test_resize_refusals(attrs, size, words):
    x = _x(1, 2, 4, 4)
    opset = 18 if "antialias" in attrs else 21
    verdict = node_verdict(_resize_model(x, **size, opset=opset, **attrs))
    assert not verdict.supported and words in verdict.reason, verdict.reason


def test_resize_refusals_dtype_and_rank():
    x8 = np.zeros((1, 1, 2, 2), np.uint8)
    verdict = node_verdict(_resize_model(x8, scales=[1, 1, 2, 2], mode="linear"))
    assert not verdict.supported and verdict.kind == "dtype"
    x3 = _x(1, 2, 4)
    verdict = node_verdict(_resize_model(x3, scales=[1, 1, 2]))
    assert not verdict.supported and verdict.kind == "shape"


def test_upsample_linear_is_refused():
    """Upsample's linear mode uses asymmetric coordinates, not WebNN's half-pixel ones."""
    x = _x(1, 1, 3, 3)
    node = helper.make_node("Upsample", ["x", "s"], ["y"], mode="linear")
    model = make_model([node], {"x": x}, ["y"], {"s": np.array([1, 1, 2, 2], np.float32)},
                       opset=9)
    verdict = node_verdict(model)
    assert not verdict.supported and "asymmetric" in verdict.reason


@pytest.mark.parametrize("mode,opset", [("DCR", 13), ("CRD", 13), (None, 1)])
def test_depth_to_space(mode, opset):
    x = _x(2, 8, 3, 4)
    attrs = {"blocksize": 2} | ({"mode": mode} if mode else {})
    node = helper.make_node("DepthToSpace", ["x"], ["y"], **attrs)
    assert_translation_matches(make_model([node], {"x": x}, ["y"], opset=opset), {"x": x})


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_space_to_depth_round_trip(dtype):
    x = (rng.standard_normal((1, 3, 6, 9)) * 10).astype(dtype)
    nodes = [helper.make_node("SpaceToDepth", ["x"], ["d"], blocksize=3),
             helper.make_node("DepthToSpace", ["d"], ["y"], blocksize=3, mode="DCR")]
    model = make_model(nodes, {"x": x}, ["y", "d"])
    assert_translation_matches(model, {"x": x})


def test_space_to_depth_indivisible_is_refused():
    x = _x(1, 1, 5, 4)
    node = helper.make_node("SpaceToDepth", ["x"], ["y"], blocksize=2)
    model = make_model([node], {"x": x}, ["y"])
    verdict = node_verdict(model)
    assert not verdict.supported
