"""The EP past ops whose outputs ONNX Runtime's graph has no shape for.

ONNX Runtime runs the removed experimental ops (ImageScaler, Crop, Affine) as contrib
kernels; its schema for Crop has no shape inference, so every value downstream of a Crop
lacks a shape in the OrtGraph. GetCapability's support check fills them from WebNN's own
inference (``check_graph``); Compile only needs the fused node's input shapes. Both the
model as stored (symbolic batch: the EP builds per concrete shape) and with the batch
pinned (static: built at Compile) must put every node on WebNN and match the CPU EP.
"""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from tests.providers.onnxruntime._ort_models import EP, IR_VERSION, cpu_run


def _model(batch: int | str) -> onnx.ModelProto:
    """x -> ImageScaler -> Conv -> Relu -> Crop -> InstanceNormalization -> Add (residual
    through a Crop with ``scale``) -> Affine -> y (opset 9: ORT defines these ops up to
    opset 9)."""
    rng = np.random.default_rng(3)
    w = (rng.standard_normal((4, 3, 3, 3)) * 0.2).astype(np.float32)
    inits = [numpy_helper.from_array(w, "w"),
             numpy_helper.from_array(np.linspace(0.5, 2.0, 4).astype(np.float32), "g"),
             numpy_helper.from_array(np.linspace(-1.0, 1.0, 4).astype(np.float32), "b")]
    nodes = [
        helper.make_node("ImageScaler", ["x"], ["s"], scale=0.5, bias=[-10.0, 0.0, 10.0],
                         name="scaler"),
        helper.make_node("Conv", ["s", "w"], ["c"], pads=[1, 1, 1, 1], name="conv"),
        helper.make_node("Relu", ["c"], ["r"], name="relu"),
        helper.make_node("Crop", ["r"], ["k1"], border=[1, 1, 1, 1], name="crop1"),
        helper.make_node("InstanceNormalization", ["k1", "g", "b"], ["n"], name="norm"),
        helper.make_node("Crop", ["c"], ["k2"], border=[0, 1, 0, 0], scale=[8, 8],
                         name="crop2"),
        helper.make_node("Add", ["n", "k2"], ["a"], name="add"),
        helper.make_node("Affine", ["a"], ["y"], alpha=0.5, beta=0.25, name="affine"),
    ]
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, 3, 10, 10])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 9)],
                              ir_version=IR_VERSION)
    return model  # no onnx.checker: the onnx package has no schema for these ops


def _assignment(session) -> dict[str, int]:
    counts: dict[str, int] = {}
    for subgraph in session.get_provider_graph_assignment_info():
        counts[subgraph.ep_name] = counts.get(subgraph.ep_name, 0) + len(subgraph.get_nodes())
    return counts


@pytest.mark.parametrize("batch", [2, "N"], ids=["static", "symbolic"])
def test_every_node_on_webnn(webnn_ort, batch):
    model = _model(batch)
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    so.add_session_config_entry("session.record_ep_graph_assignment_info", "1")
    session = ort.InferenceSession(model.SerializeToString(), so,
                                   providers=[(EP, {"backend": "openvino"}),
                                              "CPUExecutionProvider"], enable_fallback=0)
    assert _assignment(session) == {EP: len(model.graph.node)}
    rng = np.random.default_rng(4)
    for n in ((2,) if batch == 2 else (1, 3)):
        x = (rng.uniform(0, 40, (n, 3, 10, 10))).astype(np.float32)
        (got,), (want,) = session.run(None, {"x": x}), cpu_run(model, {"x": x})
        assert got.dtype == want.dtype == np.float32 and got.shape == want.shape == (n, 4, 8, 8)
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_partition_report_of_the_model_as_stored(webnn_ort):
    """partition_report (ONNX shape inference, then propagation) takes every node too."""
    report = webnn_ort.partition_report(_model(2), backend="openvino")
    assert report.num_supported == len(report.nodes), report.summary()
