"""OpenCV 5: Python layers never get getMemoryShapes called; OpenCV 5 gives a Python layer
as many outputs as inputs, each of input 0's shape. A partition node is therefore laid out
so that OpenCV can size it alone (providers/opencv/_layout.py): input 0 a partition
input of the outputs' shape where there is one (else a constant shape carrier), outputs
of other shapes flattened into that shape and restored by Slice/Reshape nodes, padding
inputs (a tiny constant) or padding outputs to make the counts equal (issue 14). Runs
only where opencv-python 5 is installed (CI's OpenCV 5 job)."""

from __future__ import annotations

import re

import cv2
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from webnn_providers import opencv as webnn_cv
from webnn_providers.opencv._layout import CARRIER, PAD, layout

from .helpers import ACCUM, build_model, check, node, run_ort, webnn_net

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


# -- the layouts that spare copies (providers/opencv/_layout.py) ----------------------------

#: large enough that copies outweigh an extra OpenCV node (see _layout.NODE_COST)
X = [1, 8, 64, 64]


def _layout_model(tail: str) -> tuple[onnx.ModelProto, dict[str, np.ndarray], list[str]]:
    """``x -> Cast(DOUBLE) -> Cast(FLOAT) -> s`` (OpenCV), then a tail WebNN takes whose
    partition has an input of an output's shape, but not first, or more outputs than
    inputs."""
    nodes = [node("Cast", ["x"], ["xd"], "to64", to=TensorProto.DOUBLE),
             node("Cast", ["xd"], ["s"], "to32", to=TensorProto.FLOAT)]
    inputs: dict[str, object] = {"x": X}
    if tail == "second_input_first":  # reads a [1, 8, 1, 1] graph input, then s
        inputs["a"] = [1, 8, 1, 1]
        nodes.append(node("Mul", ["a", "s"], ["y"], "mul"))
        outputs = ["y"]
    elif tail == "flattened_into_input":  # y has s's shape, z is flattened into it
        nodes += [node("Relu", ["s"], ["y"], "relu"),
                  node("GlobalAveragePool", ["s"], ["g"], "gap"),
                  node("Flatten", ["g"], ["z"], "flat")]
        outputs = ["y", "z"]
    elif tail == "padding_inputs":  # three outputs, one input
        nodes += [node("Relu", ["s"], ["y"], "relu"),
                  node("Sigmoid", ["s"], ["y2"], "sig"),
                  node("Neg", ["s"], ["y3"], "neg")]
        outputs = ["y", "y2", "y3"]
    elif tail == "same_size":  # one output of s's size in another shape: a Reshape only
        nodes += [node("Relu", ["s"], ["r"], "relu"),
                  node("Flatten", ["r"], ["y"], "flat", axis=2)]
        outputs = ["y"]
    else:  # 3-D: outputs [1, 8, 4096] (as it is) and [1, 8, 1] (flattened)
        inputs["x"] = [1, 8, 4096]
        nodes += [node("Relu", ["s"], ["y"], "relu"),
                  node("ReduceMean", ["s"], ["z"], "mean", axes=[2], keepdims=1)]
        outputs = ["y", "z"]
    model = build_model(nodes, inputs, outputs)
    feeds = {name: RNG.standard_normal(shape).astype(np.float32)  # type: ignore[arg-type]
             for name, shape in inputs.items()}
    return model, feeds, outputs


@pytest.mark.parametrize("engine", ENGINES, ids=["auto", "opencv", "ort"])
@pytest.mark.parametrize("tail,slots,flat", [
    ("second_input_first", (1, 0), (False,)),        # reordered: no carrier, no padding
    ("flattened_into_input", (0, PAD), (False, True)),  # y as it is, z in s's shape
    ("padding_inputs", (0, PAD, PAD), (False, False, False)),  # tiny constants, not s
    ("same_size", (0,), (True,)),
    ("three_d", (0, PAD), (False, True)),
])
def test_opencv5_layout_without_carrier_matches_ort(tail: str, slots: tuple[int, ...],
                                                     flat: tuple[bool, ...], engine: int) -> None:
    """Where a partition input has the shape the node's outputs take, it goes first and no
    shape carrier is added; padding inputs are one tiny constant; an output of that shape is
    handed back as it is. The WebNN backend's outputs match ONNX Runtime's CPU EP."""
    model, feeds, outputs = _layout_model(tail)
    taken = [n.name for n in model.graph.node if n.op_type != "Cast"]
    check(model, feeds, ACCUM, names=outputs, taken=taken, oracle="ort", engine=engine)
    net = webnn_net(model.SerializeToString(), engine=engine)
    for name, array in feeds.items():
        net.setInput(array, name)
    got = net.forward(outputs)
    partition = net._state.partitions[-1]
    assert partition.layout.inputs == slots
    assert partition.layout.flat == flat
    assert not partition.layout.carrier
    rewritten = net.rewritten_model()
    inits = {i.name: i for i in rewritten.graph.initializer}
    assert not [name for name in inits if re.fullmatch(r"webnn_partition_\d+_shape", name)]
    layer = next(n for n in rewritten.graph.node if n.op_type == "WebNNPartition")
    assert len(layer.input) == len(layer.output) == len(slots)
    for name in layer.input[len(partition.inputs):]:
        assert tuple(inits[name].dims) == (1, 1)  # padding: a tiny constant
    # the layer's buffers are reused: a second forward of other inputs is right too
    feeds2 = {name: array * 2 for name, array in feeds.items()}
    for name, array in feeds2.items():
        net.setInput(array, name)
    want = run_ort(model.SerializeToString(), feeds2, outputs)
    got = net.forward(outputs)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(np.asarray(g).reshape(w.shape), w, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("inputs,outputs,shape,slots,flat", [
    # an input of the output's shape, after another: reordered
    ([(1, 8, 1, 1), (1, 8, 4, 4)], [(1, 8, 4, 4)], (1, 8, 4, 4), (1, 0), (False,)),
    # a small output: a carrier beats flattening it into the large input's shape
    ([(1, 8, 4, 4)], [(1, 8, 1, 1)], (1, 8, 1, 1), (CARRIER, 0), (False,)),
    # outputs of several shapes: the largest's, taken from the input
    ([(1, 8, 4, 4)], [(1, 8), (1, 8, 4, 4)], (1, 8, 4, 4), (0, PAD), (True, False)),
    # outputs of several shapes, none an input's: the largest output's with a carrier
    ([(1, 3, 4, 4)], [(1, 8, 4, 4), (1, 8)], (1, 8, 4, 4), (CARRIER, 0), (False, True)),
    # 1-D outputs only: a [1, K] carrier
    ([(1, 8, 4, 4)], [(5,), (3,)], (1, 5), (CARRIER, 0), (True, True)),
])
def test_opencv5_layout_choice(inputs: list, outputs: list, shape: tuple, slots: tuple,
                               flat: tuple) -> None:
    lay = layout(inputs, outputs)
    assert (lay.shape, lay.inputs, lay.flat) == (shape, slots, flat)
    assert lay.num_values == max(len(slots), len(outputs))
    assert lay.input_slots() == tuple(slots.index(j) for j in range(len(inputs)))
