"""OpenCV 5: Python layers never get getMemoryShapes called; OpenCV 5 gives a Python layer
as many outputs as inputs, each of input 0's shape. A partition node is therefore laid out
so that OpenCV can size it alone (providers/opencv/_plan.py ``Layout``): no carrier when
every output has input 0's shape, else a constant shape carrier as input 0, outputs of
different shapes flattened into one [1, K] shape and restored by Slice/Reshape nodes
(issue 14). Runs only where opencv-python 5 is installed (CI's OpenCV 5 job)."""

from __future__ import annotations

import cv2
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from webnn_providers import opencv as webnn_cv

pytestmark = pytest.mark.skipif(webnn_cv.OPENCV_MAJOR < 5, reason="OpenCV 5 behaviour only")

WEBNN = cv2.dnn.DNN_BACKEND_WEBNN
RNG = np.random.default_rng(11)
ENGINES = [getattr(cv2.dnn, n, None) for n in ("ENGINE_AUTO", "ENGINE_OPENCV", "ENGINE_ORT")]


def _model(tail: str) -> onnx.ModelProto:
    """conv1 (WebNN) -> float64 round trip (OpenCV) -> a tail WebNN takes: the tail's
    partition sizes its outputs in different ways."""
    w = numpy_helper.from_array(RNG.standard_normal((8, 3, 3, 3)).astype(np.float32), "w")
    inits = [w]
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1], kernel_shape=[3, 3],
                              name="conv1"),
             helper.make_node("Cast", ["c"], ["cd"], to=TensorProto.DOUBLE, name="to64"),
             helper.make_node("Cast", ["cd"], ["c2"], to=TensorProto.FLOAT, name="to32"),
             helper.make_node("Sigmoid", ["c2"], ["s"], name="sig")]
    outputs = [("y", [1, 8, 8, 8])]
    if tail == "same_shape":
        nodes.append(helper.make_node("Relu", ["s"], ["y"], name="relu"))
    elif tail == "two_inputs":
        nodes.append(helper.make_node("Mul", ["s", "c"], ["y"], name="mul"))
    elif tail == "new_shape":  # one output of another shape: a carrier
        nodes.append(helper.make_node("GlobalAveragePool", ["s"], ["y"], name="gap"))
        outputs = [("y", [1, 8, 1, 1])]
    else:  # two outputs of different shapes (one 2-D): flattened, then Slice/Reshape
        nodes += [helper.make_node("Relu", ["s"], ["y"], name="relu"),
                  helper.make_node("GlobalAveragePool", ["s"], ["g"], name="gap"),
                  helper.make_node("Flatten", ["g"], ["z"], name="flat")]
        outputs = [("y", [1, 8, 8, 8]), ("z", [1, 8])]
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in outputs], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


@pytest.mark.parametrize("engine", ENGINES, ids=["auto", "opencv", "ort"])
@pytest.mark.parametrize("tail", ["same_shape", "two_inputs", "new_shape", "two_outputs"])
def test_opencv5_partitions_inside_the_net_match(tail: str, engine: int) -> None:
    model = _model(tail)
    x = RNG.standard_normal((1, 3, 8, 8)).astype(np.float32)
    data = model.SerializeToString()
    plain = cv2.dnn.readNetFromONNX(np.frombuffer(data, np.uint8), engine=engine)
    names = list(plain.getUnconnectedOutLayersNames())
    plain.setInput(x)
    expected = plain.forward(names)
    net = webnn_cv.readNetFromONNX(data, engine=engine)
    report = net.partition_report()
    assert {n.name for n in report.fallback} == {"to64", "to32"}
    assert len(report.partitions) == 2
    net.setPreferableBackend(WEBNN)
    net.setInput(x)
    got = net.forward(names)
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(np.asarray(g).reshape(e.shape), e, rtol=1e-5, atol=1e-5)
    # a second forward reuses the layers' buffers
    net.setInput(x * 2)
    plain.setInput(x * 2)
    for g, e in zip(net.forward(names), plain.forward(names), strict=True):
        np.testing.assert_allclose(np.asarray(g).reshape(e.shape), e, rtol=1e-5, atol=1e-5)


def test_opencv5_error_inside_a_partition_raises_layer_error() -> None:
    """An error in a partition OpenCV 5 runs as a layer: NaN outputs of the laid-out
    shapes inside OpenCV (never an exception through it), LayerError from forward."""
    net = webnn_cv.readNetFromONNX(_model("two_outputs").SerializeToString())
    net.setPreferableBackend(WEBNN)
    x = RNG.standard_normal((1, 3, 8, 8)).astype(np.float32)
    net.setInput(x)
    net.forward(["y", "z"])
    assert net._state.direct is None
    partition = net._state.partitions[-1]

    def fail(*_: object) -> None:
        raise RuntimeError("boom")

    partition._last.dispatch = fail
    with pytest.raises(webnn_cv.LayerError, match="boom"):
        net.forward(["y", "z"])
