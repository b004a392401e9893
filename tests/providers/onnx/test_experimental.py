"""ImageScaler, Crop, Affine and Scale (experimental ops ONNX removed; ONNX Runtime runs them
as contrib kernels of the default domain, version 1) through the WebNN translator vs ORT's
CPU EP, and the support check's shape propagation past them (``check_graph``): ONNX shape
inference knows nothing of these ops, so every value downstream lacks a shape."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper
from webnn_providers.onnx import (
    ValueInfo,
    Verdict,
    check_graph,
    check_node,
    fill_output_info,
    from_onnx_model,
    run_graph,
)

from tests.helpers import BACKENDS, context
from tests.providers.onnx.helpers import check, make_model, refused, run_ort

rng = np.random.default_rng(0)


def _x(*shape: int, dtype: type = np.float32) -> np.ndarray:
    return (rng.standard_normal(shape) * 3).astype(dtype)


def _reason(verdict: Verdict, *words: str) -> None:
    for word in words:
        assert word in verdict.reason, verdict.reason


def _graph_matches(model: onnx.ModelProto, inputs: dict[str, np.ndarray], *,
                   free_dimension: int | tuple[int, ...] | None = None,
                   rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """Every node supported by ``check_graph`` (with shape propagation) on both backends,
    and the whole graph on WebNN equal to ORT's CPU EP."""
    expected = run_ort(model, inputs)
    for backend in BACKENDS:
        graph = from_onnx_model(model)
        verdicts = check_graph(context(backend), graph, free_dimension=free_dimension)
        assert all(v.supported for v in verdicts), [v.reason for v in verdicts]
        got = run_graph(context(backend), graph, inputs)
        for name, want in expected.items():
            assert got[name].shape == want.shape and got[name].dtype == want.dtype, name
            np.testing.assert_allclose(got[name], want, rtol=rtol, atol=atol,
                                       err_msg=f"{backend} {name}")


# -- ImageScaler -------------------------------------------------------------------------------
@pytest.mark.parametrize("opset", [1, 7, 9])
@pytest.mark.parametrize("attrs", [
    {"scale": 2.5, "bias": [1.0, -2.0, 0.25]},
    {"bias": [-103.939, -116.779, -123.68]},  # scale defaults to 1 (candy's preprocessing)
    {"scale": 1.0 / 255, "bias": [0.0, 0.0, 0.0]},
    {"scale": -0.5, "bias": [3.0, 0.0, -1.0]},
])
def test_image_scaler(attrs, opset):
    x = _x(2, 3, 4, 5)
    check([helper.make_node("ImageScaler", ["x"], ["y"], **attrs)], {"x": x}, ["y"],
          opset=opset)


def test_image_scaler_one_channel_float16():
    node = helper.make_node("ImageScaler", ["x"], ["y"], scale=0.5, bias=[7.0])
    check([node], {"x": _x(1, 1, 3, 3)}, ["y"], opset=9)
    node = helper.make_node("ImageScaler", ["x"], ["y"], scale=0.5, bias=[1.0, 2.0, -3.0])
    check([node], {"x": _x(2, 3, 4, 4, dtype=np.float16)}, ["y"], opset=9, rtol=1e-3,
          atol=1e-3)


@pytest.mark.parametrize(("attrs", "shape", "words"), [
    ({"scale": 2.0}, (1, 3, 2, 2), ("bias attribute is required",)),
    ({"bias": [1.0, 2.0]}, (1, 3, 2, 2), ("bias has 2 values for 3 channels",)),
    ({"bias": [1.0, 2.0, 3.0]}, (2, 3, 4), ("input rank 3",)),
    ({"bias": [1.0, 2.0, 3.0]}, (2, 3, 4, 4, 1), ("input rank 5",)),
])
def test_image_scaler_refused(attrs, shape, words):
    verdict = refused([helper.make_node("ImageScaler", ["x"], ["y"], **attrs)],
                      {"x": _x(*shape)}, ["y"], opset=9)
    _reason(verdict, *words)


def test_image_scaler_integer_input_refused():
    verdict = refused([helper.make_node("ImageScaler", ["x"], ["y"], bias=[1.0])],
                      {"x": np.ones((1, 1, 2, 2), np.int32)}, ["y"], opset=9)
    assert verdict.kind == "dtype"


@pytest.mark.parametrize("op", ["ImageScaler", "Crop", "Affine", "Scale"])
def test_opset_10_and_later_refused(op):
    """ONNX Runtime defines these ops in opsets 1-9 only (a model importing opset 10 fails
    to load there); from_onnx_model reports the model's opset as the node's version."""
    attrs = {"ImageScaler": {"bias": [1.0]}, "Crop": {"border": [0, 0, 0, 0]}}.get(op, {})
    verdict = refused([helper.make_node(op, ["x"], ["y"], **attrs)], {"x": _x(1, 1, 2, 2)},
                      ["y"], opset=10)
    assert verdict.kind == "opset"


# -- Crop ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("opset", [7, 9])
@pytest.mark.parametrize("attrs", [
    {"border": [2, 2, 2, 2]},
    {"border": [1, 2, 0, 1]},  # asymmetric: left 1, top 2, right 0, bottom 1
    {"border": [0, 0, 3, 1]},
    {"border": [0, 0, 0, 0]},  # the whole input
    {"border": [1, 2, 0, 1], "scale": [2, 3]},  # 2 x 3 window from (top 2, left 1)
    {"border": [1, 1, 4, 1], "scale": [2, 2]},  # right/bottom only bound the checks
    {"border": [0, 0, 0, 0], "scale": [5, 6]},
    {"border": [5, 4, 0, 0]},  # the last row and column
])
def test_crop(attrs, opset):
    check([helper.make_node("Crop", ["x"], ["y"], **attrs)], {"x": _x(2, 3, 5, 6)}, ["y"],
          opset=opset)


def test_crop_float16():
    node = helper.make_node("Crop", ["x"], ["y"], border=[1, 0, 2, 3], scale=[1, 2])
    check([node], {"x": _x(1, 2, 7, 9, dtype=np.float16)}, ["y"], opset=9)


@pytest.mark.parametrize(("attrs", "shape", "words"), [
    ({"border": [1, 2, 0]}, (1, 2, 5, 6), ("border has 3 values",)),
    ({"border": [1, 2, 0, 1, 5]}, (1, 2, 5, 6), ("border has 5 values",)),
    ({}, (1, 2, 5, 6), ("border has 0 values",)),
    ({"border": [-1, 0, 0, 0]}, (1, 2, 5, 6), ("negative border",)),
    ({"border": [1, 2, 0, 1], "scale": [2]}, (1, 2, 5, 6), ("scale has 1 values",)),
    ({"border": [0, 3, 0, 3]}, (1, 2, 5, 6), ("exceeds",)),  # top + bottom > H
    ({"border": [4, 0, 3, 0]}, (1, 2, 5, 6), ("exceeds",)),  # left + right > W
    ({"border": [1, 1, 0, 0], "scale": [5, 2]}, (1, 2, 5, 6), ("exceeds",)),  # top + h > H
    ({"border": [3, 0, 3, 0]}, (1, 2, 5, 6), ("empty",)),  # ORT gives a [1, 2, 5, 0] tensor
    ({"border": [0, 0, 0, 0], "scale": [0, 2]}, (1, 2, 5, 6), ("empty",)),
    ({"border": [1, 1, 1, 1]}, (2, 5, 6), ("input rank 3",)),
    ({"border": [1, 1, 1, 1]}, (1, 2, 5, 6, 1), ("input rank 5",)),
])
def test_crop_refused(attrs, shape, words):
    verdict = refused([helper.make_node("Crop", ["x"], ["y"], **attrs)], {"x": _x(*shape)},
                      ["y"], opset=9)
    _reason(verdict, *words)


# -- Affine, Scale -------------------------------------------------------------------------------
@pytest.mark.parametrize("attrs", [{}, {"alpha": 2.0}, {"beta": -0.5},
                                   {"alpha": 0.5, "beta": 1.0}, {"alpha": -3.0, "beta": 150.0}])
def test_affine(attrs):
    check([helper.make_node("Affine", ["x"], ["y"], **attrs)], {"x": _x(2, 3, 4)}, ["y"],
          opset=7)


@pytest.mark.parametrize("attrs", [{}, {"scale": 0.125}, {"scale": -2.0}])
def test_scale(attrs):
    check([helper.make_node("Scale", ["x"], ["y"], **attrs)], {"x": _x(3, 5)}, ["y"],
          opset=7)


def test_affine_scale_float16():
    nodes = [helper.make_node("Affine", ["x"], ["a"], alpha=0.5, beta=1.0),
             helper.make_node("Scale", ["x"], ["s"], scale=2.0)]
    check(nodes, {"x": _x(4, 4, dtype=np.float16)}, ["a", "s"], opset=7, rtol=1e-3,
          atol=1e-3)


def test_affine_integer_refused():
    verdict = refused([helper.make_node("Affine", ["x"], ["y"], alpha=2.0)],
                      {"x": np.ones((2, 2), np.int32)}, ["y"], opset=7)
    assert verdict.kind == "dtype"


# -- shape propagation past ops ONNX cannot infer ------------------------------------------------
def _pipeline(batch: int | str = 2) -> tuple[onnx.ModelProto, dict[str, np.ndarray]]:
    """candy's pattern: ImageScaler -> Conv -> Relu -> Crop -> Add (residual with another
    Crop) -> Affine -> Mul; ONNX infers no shape after ImageScaler."""
    x = _x(2, 3, 10, 10) * 20
    w = (rng.standard_normal((4, 3, 3, 3)) * 0.1).astype(np.float32)
    nodes = [
        helper.make_node("ImageScaler", ["x"], ["s"], scale=0.5, bias=[-10.0, 0.0, 10.0]),
        helper.make_node("Conv", ["s", "w"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("Crop", ["r"], ["k1"], border=[1, 1, 1, 1]),
        helper.make_node("Crop", ["c"], ["k2"], border=[0, 0, 2, 2], scale=[8, 8]),
        helper.make_node("Add", ["k1", "k2"], ["a"]),
        helper.make_node("Affine", ["a"], ["f"], alpha=0.5, beta=0.25),
        helper.make_node("Mul", ["f", "f"], ["y"]),
    ]
    model = make_model(nodes, {"x": x}, ["y"], {"w": w}, opset=9)
    if isinstance(batch, str):
        model.graph.input[0].type.tensor_type.shape.dim[0].dim_param = batch
    return model, {"x": x}


def test_consumers_of_uninferable_ops_have_no_shape_alone():
    """What check_graph fixes: ONNX shape inference leaves the Conv's input without a
    shape, and checking the Conv alone refuses it."""
    model, _ = _pipeline()
    graph = from_onnx_model(model)
    assert graph.values["s"].shape is None
    verdict = check_node(context("reference"), graph, 1)
    assert not verdict.supported and verdict.kind in ("dtype", "dynamic shape")


def test_shape_propagation_static():
    model, inputs = _pipeline()
    _graph_matches(model, inputs, rtol=1e-4, atol=1e-5)
    graph = from_onnx_model(model)
    check_graph(context("openvino"), graph)
    assert graph.values["s"].static_shape == (2, 3, 10, 10)
    assert graph.values["k1"].static_shape == (2, 4, 8, 8)
    assert graph.values["y"].static_shape == (2, 4, 8, 8)
    assert graph.values["y"].onnx_type == TensorProto.FLOAT


def test_shape_propagation_symbolic_batch():
    """A symbolic batch: the dimension that follows it stays unknown (None) in the filled
    shapes, the static ones become ints, and every node is supported at free sizes."""
    model, inputs = _pipeline(batch="N")
    _graph_matches(model, inputs, free_dimension=(1, 64), rtol=1e-4, atol=1e-5)
    graph = from_onnx_model(model)
    verdicts = check_graph(context("openvino"), graph, free_dimension=(1, 64))
    assert all(v.supported for v in verdicts)
    assert graph.values["k2"].shape == (None, 4, 8, 8)
    assert graph.values["y"].shape in ((None, 4, 8, 8), ("N", 4, 8, 8))


def test_no_propagation_without_free_dimension():
    """Without free sizes a symbolic input refuses the first node and nothing downstream
    gets a shape."""
    model, _ = _pipeline(batch="N")
    graph = from_onnx_model(model)
    verdicts = check_graph(context("reference"), graph)
    assert not any(v.supported for v in verdicts)
    assert graph.values["c"].shape is None


def test_fill_output_info_keeps_what_onnx_knows():
    values = {
        "a": ValueInfo("a", 0, None),
        "b": ValueInfo("b", TensorProto.FLOAT, ("N", None, 5)),
        "c": ValueInfo("c", TensorProto.FLOAT, (2, 7)),  # contradicts WebNN's (2, 3)
        "d": ValueInfo("d", 0, (None,)),
    }
    from webnn_providers.onnx import GraphInfo

    graph = GraphInfo([], values, [], [])
    fill_output_info(graph, Verdict(True, outputs={
        "a": ("float16", (1, 2)), "b": ("float32", (3, 4, 5)), "c": ("float32", (2, None)),
        "d": ("uint8", (6,))}))
    assert (values["a"].onnx_type, values["a"].shape) == (TensorProto.FLOAT16, (1, 2))
    assert values["b"].shape == ("N", 4, 5)
    assert values["c"].shape == (2, 7)
    # uint8 may be ONNX bool: the element type stays unknown, the shape is filled
    assert (values["d"].onnx_type, values["d"].shape) == (0, (6,))
