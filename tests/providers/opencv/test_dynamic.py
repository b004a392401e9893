"""Dynamic input sizes (issue 14): a model with symbolic input dimensions gets its sizes
from setInput (or setInputShape); the WebNN backend builds the model for each new set of
sizes once (the partitions compiled for them, OpenCV's net imported from the rewritten
model) in a bounded cache, and later forwards with the same sizes reuse it. One net, three
input sizes, alternating; on OpenCV 4 and 5."""

from __future__ import annotations

import os

import cv2
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from webnn_providers import opencv as webnn_cv
from webnn_providers.runtime import MAX_SHAPES
from webnn_providers.testing import SHARED_MODELS

from .helpers import run_ort

WEBNN = cv2.dnn.DNN_BACKEND_WEBNN
RNG = np.random.default_rng(5)
PNET = str(SHARED_MODELS / "onnx" / "mtcnn_pnet.onnx")


def _model(refused: bool) -> onnx.ModelProto:
    """x [N, 3, H, W] -> Conv -> Relu -> (float64 round trip: OpenCV's) -> MaxPool ->
    GlobalAveragePool -> Flatten -> y [N, 8], and the pooled map p [N, 8, H/2, W/2]."""
    w = numpy_helper.from_array(RNG.standard_normal((8, 3, 3, 3)).astype(np.float32), "w")
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1],
                              kernel_shape=[3, 3], name="conv"),
             helper.make_node("Relu", ["c"], ["r"], name="relu")]
    src = "r"
    if refused:
        nodes += [helper.make_node("Cast", ["r"], ["r64"], to=TensorProto.DOUBLE, name="to64"),
                  helper.make_node("Cast", ["r64"], ["r32"], to=TensorProto.FLOAT, name="to32")]
        src = "r32"
    nodes += [helper.make_node("MaxPool", [src], ["p"], kernel_shape=[2, 2], strides=[2, 2],
                               name="pool"),
              helper.make_node("GlobalAveragePool", ["p"], ["g"], name="gap"),
              helper.make_node("Flatten", ["g"], ["y"], name="flatten")]
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 8]),
         helper.make_tensor_value_info("p", TensorProto.FLOAT, ["N", 8, "H2", "W2"])], [w])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


SIZES = [(1, 3, 16, 16), (2, 3, 24, 20), (1, 3, 32, 40)]


@pytest.mark.parametrize("refused", [False, True], ids=["whole", "partitions"])
def test_three_sizes_alternating(refused: bool) -> None:
    model = _model(refused)
    data = model.SerializeToString()
    net = webnn_cv.readNetFromONNX(data)
    net.setPreferableBackend(WEBNN)
    states = {}
    for shape in [*SIZES, *SIZES, SIZES[1]]:
        x = RNG.standard_normal(shape).astype(np.float32)
        net.setInput(x)
        got = net.forward(["y", "p"])
        want = run_ort(data, {"x": x}, ["y", "p"])
        for g, w in zip(got, want, strict=True):
            np.testing.assert_allclose(np.asarray(g).reshape(w.shape), w, rtol=1e-4, atol=1e-4)
        state = net._state
        assert states.setdefault(shape, state) is state  # built once per size, then reused
        report = net.partition_report()
        assert report.num_supported == len(model.graph.node) - (2 if refused else 0)
        if not refused:
            assert state.last_direct  # the whole model: the direct path
    assert len(set(map(id, states.values()))) == len(SIZES)


def test_cache_is_bounded() -> None:
    net = webnn_cv.readNetFromONNX(_model(False).SerializeToString())
    net.setPreferableBackend(WEBNN)
    for k in range(MAX_SHAPES + 2):
        net.setInput(np.ones((1, 3, 8, 8 + 2 * k), np.float32))
        assert net.forward("y").shape == (1, 8)
    assert len(net._states.values()) == MAX_SHAPES


def test_set_input_shape_builds_before_set_input() -> None:
    net = webnn_cv.readNetFromONNX(_model(True).SerializeToString())
    net.setPreferableBackend(WEBNN)
    net.setInputShape("x", (1, 3, 16, 16))
    assert net._state is not None
    assert net._state_key == ((1, 3, 16, 16),)
    net.setInput(np.ones((1, 3, 16, 16), np.float32))
    assert net.forward("y").shape == (1, 8)


def test_forward_before_any_size_is_a_clear_error() -> None:
    net = webnn_cv.readNetFromONNX(_model(True).SerializeToString())
    net.setPreferableBackend(WEBNN)
    with pytest.raises(webnn_cv.WebNNBackendError, match="symbolic dimensions"):
        net.forward()


def test_wrong_rank_is_a_clear_error() -> None:
    net = webnn_cv.readNetFromONNX(_model(True).SerializeToString())
    net.setPreferableBackend(WEBNN)
    with pytest.raises(webnn_cv.WebNNBackendError, match="declares"):
        net.setInput(np.ones((3, 16, 16, 1, 1), np.float32))
    net.setInput(np.ones((1, 3, 16, 16), np.float32))
    assert net.forward("y").shape == (1, 8)


@pytest.mark.skipif(not os.path.isfile(PNET), reason="../shared/models/onnx/mtcnn_pnet.onnx")
def test_mtcnn_pnet_three_sizes() -> None:
    """MTCNN's P-Net (input [N, H, W, 3], all symbolic but the channels), as an image
    pyramid feeds it; compared with onnxruntime's CPU EP."""
    with open(PNET, "rb") as f:
        data = f.read()
    net = webnn_cv.readNet(PNET)
    net.setPreferableBackend(WEBNN)
    names = [o.name for o in onnx.load_from_string(data).graph.output]
    for shape in [(1, 48, 64, 3), (1, 24, 32, 3), (1, 96, 80, 3), (1, 48, 64, 3)]:
        x = RNG.random(shape).astype(np.float32)
        net.setInput(x)
        got = net.forward(names)
        want = run_ort(data, {"input_1": x})
        for g, w in zip(got, want, strict=True):
            np.testing.assert_allclose(np.asarray(g).reshape(w.shape), w, rtol=1e-3, atol=1e-4)
    assert net.partition_report().num_supported == len(onnx.load_from_string(data).graph.node)
