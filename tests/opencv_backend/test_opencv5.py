"""OpenCV 5: Python layers never get getMemoryShapes called (every output takes input 0's
shape, and a layer with more inputs than outputs trips an assertion), so only partitions
that keep input 0's shape and read no more values than they write may run; the others stay
with OpenCV, with the reason in the report, and the results stay right (issue 5).

Runs only where opencv-python 5 is installed (the package pins 4.x; checked by hand with
opencv-python 5.0.0.93 in a separate environment)."""

from __future__ import annotations

import cv2
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from webnn_providers import opencv as webnn_cv

pytestmark = pytest.mark.skipif(webnn_cv.OPENCV_MAJOR < 5, reason="OpenCV 5 behaviour only")

RNG = np.random.default_rng(11)


def _model(tail: str) -> onnx.ModelProto:
    w = numpy_helper.from_array(RNG.standard_normal((8, 3, 3, 3)).astype(np.float32), "w")
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1], kernel_shape=[3, 3],
                              name="conv1"),
             helper.make_node("Cast", ["c"], ["cd"], to=TensorProto.DOUBLE, name="to64"),
             helper.make_node("Cast", ["cd"], ["c2"], to=TensorProto.FLOAT, name="to32"),
             helper.make_node("Sigmoid", ["c2"], ["s"], name="sig")]
    if tail == "one_input":
        nodes.append(helper.make_node("Relu", ["s"], ["y"], name="relu"))
    else:
        nodes.append(helper.make_node("Mul", ["s", "c"], ["y"], name="mul"))
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, 8, 8])], [w])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


@pytest.mark.parametrize("tail", ["one_input", "two_inputs"])
def test_opencv5_runs_what_it_can_and_matches(tail: str) -> None:
    model = _model(tail)
    x = RNG.standard_normal((1, 3, 8, 8)).astype(np.float32)
    plain = cv2.dnn.readNetFromONNX(np.frombuffer(model.SerializeToString(), np.uint8))
    plain.setInput(x)
    expected = plain.forward()
    net = webnn_cv.readNetFromONNX(model.SerializeToString())
    report = net.partition_report()
    refused = {n.name: n for n in report.fallback}
    assert refused["conv1"].kind == "opencv" and "OpenCV 5" in refused["conv1"].reason
    if tail == "one_input":
        assert report.num_supported == 2 and len(report.partitions) == 1
    else:
        assert report.num_supported == 0
        assert "cannot read more values" in refused["mul"].reason
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_WEBNN)
    net.setInput(x)
    np.testing.assert_allclose(net.forward(), expected, rtol=1e-5, atol=1e-5)
