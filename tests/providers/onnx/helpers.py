"""Build small ONNX models with onnx.helper and compare the WebNN translation with ORT CPU."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper
from webnn_providers.onnx import check_node, from_onnx_model, run_graph

from tests.helpers import context

OPSET = 21


def make_model(nodes: Sequence[onnx.NodeProto], inputs: Mapping[str, np.ndarray],
               outputs: Sequence[str], initializers: Mapping[str, np.ndarray] | None = None,
               opset: int = OPSET) -> onnx.ModelProto:
    """A model whose input value infos come from example arrays; output types are left to
    ONNX shape inference."""
    graph = helper.make_graph(
        list(nodes), "test",
        [helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(a.dtype),
                                       a.shape) for name, a in inputs.items()],
        [helper.make_empty_tensor_value_info(name) for name in outputs],
        [onnx.numpy_helper.from_array(a, name) for name, a in (initializers or {}).items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 10
    return model


def run_ort(model: onnx.ModelProto, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(model.SerializeToString(), options,
                                providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(names, dict(inputs)), strict=True))


def assert_translation_matches(model: onnx.ModelProto, inputs: Mapping[str, np.ndarray], *,
                               rtol: float = 1e-5, atol: float = 1e-6,
                               backends: Sequence[str] = ("reference", "openvino")) -> None:
    """Every node is supported, and WebNN on each backend matches ORT's CPU EP."""
    graph = from_onnx_model(model)
    for backend in backends:
        for node in graph.nodes:
            verdict = check_node(context(backend), graph, node.index)
            assert verdict.supported, f"{backend}: {verdict.reason}"
    expected = run_ort(model, inputs)
    for backend in backends:
        got = run_graph(context(backend), graph, inputs)
        for name, want in expected.items():
            have = got[name]
            assert have.dtype == want.dtype, f"{backend} {name}: {have.dtype} != {want.dtype}"
            assert have.shape == want.shape, f"{backend} {name}: {have.shape} != {want.shape}"
            if want.dtype.kind == "f":
                np.testing.assert_allclose(have, want, rtol=rtol, atol=atol,
                                           err_msg=f"{backend} {name}")
            else:
                np.testing.assert_array_equal(have, want, err_msg=f"{backend} {name}")


def node_verdict(model: onnx.ModelProto, backend: str = "openvino", index: int = 0):
    graph = from_onnx_model(model)
    return check_node(context(backend), graph, index)


def check(nodes: Sequence[onnx.NodeProto], inputs: Mapping[str, np.ndarray],
          outputs: Sequence[str], initializers: Mapping[str, np.ndarray] | None = None,
          opset: int = OPSET, **tolerance: float) -> None:
    """Build the model and assert the translation matches ORT's CPU EP."""
    model = make_model(nodes, inputs, outputs, initializers, opset=opset)
    assert_translation_matches(model, inputs, **tolerance)


def refused(nodes: Sequence[onnx.NodeProto], inputs: Mapping[str, np.ndarray],
            outputs: Sequence[str], initializers: Mapping[str, np.ndarray] | None = None,
            opset: int = OPSET, index: int = 0):
    """Build the model and assert node ``index`` is refused; return the verdict."""
    model = make_model(nodes, inputs, outputs, initializers, opset=opset)
    verdict = node_verdict(model, index=index)
    assert not verdict.supported
    return verdict
