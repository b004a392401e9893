"""Overridable initializers (an initializer that is also a graph input, ONNX IR >= 4; older
exporters wrote every weight that way): the EP compiles them as constants holding their
defaults, so weights are not graph inputs bound or moved on every call, and a call that
feeds another value for one runs on ONNX Runtime's CPU kernels with that value."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from tests.providers.onnxruntime._ort_models import (
    EP,
    cpu_run,
    make_model,
    tensor,
    webnn_session,
)

RNG = np.random.default_rng(11)
W = RNG.standard_normal((4, 3)).astype(np.float32)
B = np.array([0.5, -1.0, 2.0], np.float32)
SHAPE = np.array([3, 2], np.int64)


def _model() -> onnx.ModelProto:
    """x[2, 4] -> MatMul(w) -> Add(b) -> Relu -> Reshape(shape) -> y[3, 2]; w, b and the
    Reshape's shape are initializers listed among the graph inputs."""
    inits = [numpy_helper.from_array(W, "w"), numpy_helper.from_array(B, "b"),
             numpy_helper.from_array(SHAPE, "shape")]
    nodes = [helper.make_node("MatMul", ["x", "w"], ["m"]),
             helper.make_node("Add", ["m", "b"], ["a"]),
             helper.make_node("Relu", ["a"], ["r"]),
             helper.make_node("Reshape", ["r", "shape"], ["y"])]
    inputs = [tensor("x", TensorProto.FLOAT, [2, 4]), tensor("w", TensorProto.FLOAT, [4, 3]),
              tensor("b", TensorProto.FLOAT, [3]), tensor("shape", TensorProto.INT64, [2])]
    return make_model(nodes, inputs, [tensor("y", TensorProto.FLOAT, [3, 2])], inits)


def _session(model: onnx.ModelProto) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.add_session_config_entry("session.record_ep_graph_assignment_info", "1")
    return webnn_session(model, {"backend": "openvino"}, session_options=so)


def test_the_model_has_overridable_initializers():
    session = ort.InferenceSession(_model().SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    assert {i.name for i in session.get_overridable_initializers()} == {"w", "b", "shape"}


def test_defaults_compile_as_constants(webnn_ort):
    """Every node runs on WebNN (the Reshape needs its shape as a constant), and the WebNN
    graph's only input is x."""
    model = _model()
    session = _session(model)
    assert [s.ep_name for s in session.get_provider_graph_assignment_info()] == [EP]
    report = webnn_ort.partition_report(model)
    assert report.partitions == [[0, 1, 2, 3]]
    x = RNG.standard_normal((2, 4)).astype(np.float32)
    (got,) = session.run(None, {"x": x})
    np.testing.assert_allclose(got, cpu_run(model, {"x": x})[0], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("override", ["w", "b", "shape", "w+b"])
def test_overridden_calls_use_the_fed_values(webnn_ort, override):
    """A call feeding other values gets them (computed on ORT's CPU kernels); calls before
    and after, feeding nothing or the defaults' bytes in a buffer of the caller's, get the
    defaults."""
    model = _model()
    session = _session(model)
    x = RNG.standard_normal((2, 4)).astype(np.float32)
    fed = {"w": -2 * W, "b": B + 1, "shape": np.array([2, 3], np.int64)}
    feeds = {"x": x, **{k: fed[k] for k in override.split("+")}}
    for call in ({"x": x}, feeds, {"x": x, "w": W.copy(), "b": B.copy()}, feeds, {"x": x}):
        (got,) = session.run(None, call)
        (want,) = cpu_run(model, call)
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_override_changed_in_place_between_calls(webnn_ort):
    """The same caller buffer fed twice with different contents: each call sees its own."""
    model = _model()
    session = _session(model)
    x = RNG.standard_normal((2, 4)).astype(np.float32)
    w = W.copy()
    for scale in (1.0, 3.0, 1.0, -1.0):
        w[...] = W * scale
        (got,) = session.run(None, {"x": x, "w": w})
        (want,) = cpu_run(model, {"x": x, "w": w})
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_empty_overridable_initializer(webnn_ort):
    """Resize's empty ``roi`` as an overridable initializer (older exports): the node runs on
    WebNN and each run's empty roi counts as the default."""
    roi = numpy_helper.from_array(np.zeros(0, np.float32), "roi")
    scales = numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scales")
    nodes = [helper.make_node("Resize", ["x", "roi", "scales"], ["y"], mode="nearest")]
    inputs = [tensor("x", TensorProto.FLOAT, [1, 1, 2, 2]), tensor("roi", TensorProto.FLOAT, [0]),
              tensor("scales", TensorProto.FLOAT, [4])]
    model = make_model(nodes, inputs, [tensor("y", TensorProto.FLOAT, [1, 1, 4, 4])],
                       [roi, scales], opset=13)
    session = _session(model)
    assert [s.ep_name for s in session.get_provider_graph_assignment_info()] == [EP]
    x = RNG.standard_normal((1, 1, 2, 2)).astype(np.float32)
    for call in ({"x": x}, {"x": x, "roi": np.zeros(0, np.float32)}, {"x": x}):
        (got,) = session.run(None, call)
        np.testing.assert_array_equal(got, cpu_run(model, call)[0])
