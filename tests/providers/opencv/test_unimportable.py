"""Models OpenCV cannot import or run by itself (issue 14): with DNN_BACKEND_WEBNN the
ONNX graph is partitioned first and OpenCV imports only the rewritten model (its own
nodes plus the WebNN partition nodes), never the original, so a node its importer rejects
but WebNN takes never reaches it. Compared with onnxruntime's CPU EP. A model neither can
run fails with a WebNNBackendError naming the nodes left to OpenCV."""

from __future__ import annotations

import cv2
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper
from webnn_providers import opencv as webnn_cv

from .helpers import run_ort

WEBNN = cv2.dnn.DNN_BACKEND_WEBNN
RNG = np.random.default_rng(3)
SHAPE = [2, 3, 4, 5]

#: ops this repository's OpenCV versions reject (4.14: Trilu, Hardmax; 5.1:
#: MeanVarianceNormalization, GlobalLpPool) and WebNN runs
CORES = {
    "trilu": lambda: [helper.make_node("Trilu", ["a"], ["b"], upper=1, name="core")],
    "hardmax": lambda: [helper.make_node("Hardmax", ["a"], ["b"], axis=-1, name="core")],
    "mvn": lambda: [helper.make_node("MeanVarianceNormalization", ["a"], ["b"], name="core")],
    "global_lp_pool": lambda: [helper.make_node("GlobalLpPool", ["a"], ["b"], p=2,
                                                name="core")],
}


def _model(core: str, mixed: bool) -> onnx.ModelProto:
    """x -> Relu -> core -> Sigmoid -> y; ``mixed`` adds a float64 round trip (OpenCV's)
    after the core, so OpenCV runs part of the rewritten model."""
    nodes = [helper.make_node("Relu", ["x"], ["a"], name="relu"), *CORES[core]()]
    src = "b"
    if mixed:
        nodes += [helper.make_node("Cast", ["b"], ["b64"], to=TensorProto.DOUBLE, name="to64"),
                  helper.make_node("Cast", ["b64"], ["b32"], to=TensorProto.FLOAT, name="to32")]
        src = "b32"
    nodes.append(helper.make_node("Sigmoid", [src], ["y"], name="sig"))
    out = [2, 3, 1, 1] if core == "global_lp_pool" else SHAPE
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, SHAPE)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, out)],
        value_info=[helper.make_tensor_value_info("b", TensorProto.FLOAT, out)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    return onnx.shape_inference.infer_shapes(model)


def _plain_runs(data: bytes, x: np.ndarray) -> bool:
    try:
        net = cv2.dnn.readNetFromONNX(np.frombuffer(data, np.uint8))
        net.setInput(x)
        net.forward()
    except cv2.error:
        return False
    return True


@pytest.mark.parametrize("mixed", [False, True], ids=["whole", "mixed"])
@pytest.mark.parametrize("core", sorted(CORES))
def test_runs_what_plain_opencv_rejects(core: str, mixed: bool) -> None:
    model = _model(core, mixed)
    data = model.SerializeToString()
    x = RNG.standard_normal(SHAPE).astype(np.float32)
    if _plain_runs(data, x):
        pytest.skip(f"OpenCV {cv2.__version__} runs {core} itself: nothing to show")
    net = webnn_cv.readNetFromONNX(data)
    net.setPreferableBackend(WEBNN)
    rewritten = net.rewritten_model()
    assert "core" not in {n.name for n in rewritten.graph.node}  # OpenCV never sees it
    net.setInput(x)
    (want,) = run_ort(data, {"x": x})
    np.testing.assert_allclose(net.forward(), want, rtol=1e-4, atol=1e-5)
    report = net.partition_report()
    assert {n.name for n in report.fallback} == ({"to64", "to32"} if mixed else set())
    # the original model is OpenCV's only when another backend is asked for
    assert net._plain is None and net._plain_error is None
    with pytest.raises(webnn_cv.WebNNBackendError, match="only cv2.dnn.DNN_BACKEND_WEBNN"):
        net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)


def test_neither_can_run_names_the_nodes() -> None:
    """A node WebNN does not take and OpenCV cannot import: the error names it."""
    nodes = [helper.make_node("Relu", ["x"], ["a"], name="relu"),
             helper.make_node("Mystery", ["a"], ["b"], domain="com.example", name="odd"),
             helper.make_node("Sigmoid", ["b"], ["y"], name="sig")]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info(
        "x", TensorProto.FLOAT, SHAPE)], [helper.make_tensor_value_info("y", TensorProto.FLOAT,
                                                                        SHAPE)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("com.example", 1)])
    net = webnn_cv.readNetFromONNX(model.SerializeToString())
    with pytest.raises(webnn_cv.WebNNBackendError, match=r"OpenCV cannot import.*odd \(Mystery"):
        net.setPreferableBackend(WEBNN)
