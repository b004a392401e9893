"""Every ONNX backend node test case (onnx.backend.test.case.node) through the translator.

A case whose nodes all translate runs as one WebNN graph on the OpenVINO backend and must
match the expected outputs within the case's tolerances; a case with a refused node is
counted as left to the host with the refusal's kind. Counts are printed at the end of the
run (tests/conftest.py). The ORT-session version of this test lives in tests/providers/onnxruntime/.
"""

from __future__ import annotations

import pytest
from webnn_providers.onnx import check_node, from_onnx_model, run_graph

from tests.helpers import context
from tests.providers.onnx.node_cases import as_array, assert_outputs_match, node_cases, record

SUITE = "onnx node cases (translator, openvino)"


@pytest.mark.parametrize("case", node_cases(), ids=lambda c: c.name)
def test_node_case(case):
    ctx = context("openvino")
    graph = from_onnx_model(case.model)
    for node in graph.nodes:
        verdict = check_node(ctx, graph, node.index)
        if not verdict.supported:
            record(SUITE, "left to host", verdict.kind)
            return
    inputs_info = [i.name for i in case.model.graph.input
                   if i.name not in {t.name for t in case.model.graph.initializer}]
    outputs = [o.name for o in case.model.graph.output]
    for inputs, expected in case.data_sets:
        feeds = dict(zip(inputs_info, (as_array(a) for a in inputs), strict=False))
        expected = [as_array(a) for a in expected]
        got = run_graph(ctx, graph, feeds)
        try:
            assert_outputs_match(case, [got[n] for n in outputs], expected, case.name)
        except AssertionError:
            record(SUITE, "taken, failed")
            raise
    record(SUITE, "taken, passed")
