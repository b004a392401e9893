"""Whole models through the WebNN EP, compared with ONNX Runtime's CPU EP."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest

from tests.providers.onnxruntime._ort_models import EP, cpu_run, small_cnn, webnn_session, with_if


def _assignment(session) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for subgraph in session.get_provider_graph_assignment_info():
        out.setdefault(subgraph.ep_name, []).extend(n.name for n in subgraph.get_nodes())
    return out


@pytest.mark.parametrize("level", [ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
                                   ort.GraphOptimizationLevel.ORT_ENABLE_ALL])
def test_small_cnn(webnn_ort, level):
    model = small_cnn()
    so = ort.SessionOptions()
    so.graph_optimization_level = level
    so.add_session_config_entry("session.record_ep_graph_assignment_info", "1")
    session = webnn_session(model, session_options=so)
    assert _assignment(session).get(EP)  # WebNN takes part of it at least
    rng = np.random.default_rng(1)
    for batch in (2, 3):
        x = rng.standard_normal((batch, 3, 8, 8)).astype(np.float32)
        for got, want in zip(session.run(None, {"x": x}), cpu_run(model, {"x": x})):
            assert got.shape == want.shape
            np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_control_flow_subgraphs(webnn_ort):
    """GetCapability runs per subgraph: If branches read values from the outer scope."""
    model = with_if()
    so = ort.SessionOptions()
    so.add_session_config_entry("session.record_ep_graph_assignment_info", "1")
    session = webnn_session(model, session_options=so)
    assigned = _assignment(session)
    assert {"abs", "neg", "then_add", "else_mul"} <= set(assigned[EP])
    assert assigned["CPUExecutionProvider"] == ["if"]
    x = np.array([-1.5, 2.0], np.float32)
    for cond in (True, False):
        feeds = {"x": x, "cond": np.array(cond)}
        np.testing.assert_array_equal(session.run(None, feeds)[0], cpu_run(model, feeds)[0])
