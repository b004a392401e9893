"""OpenVINO backend compile configuration: long element-wise chains compile without the CPU
plugin's Snippets tokenizer (its cost grows faster than quadratically with the chain), short
ones keep it. Build times themselves are measured outside the test suite (the closing note
of the issue has the figures); here the decision and the results are checked."""

from __future__ import annotations

import numpy as np
import pytest

import webnn_core as webnn

ov_backend = pytest.importorskip("webnn_core.backends.openvino")


def _chain(ctx: webnn.MLContext, n: int) -> tuple[webnn.MLGraph, int]:
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", webnn.MLOperandDescriptor("float32", [2, 8]))
    y = x
    for i in range(n):
        y = b.add(y, x) if i % 2 == 0 else b.relu(y)
    return b.build({"y": y}), n


def test_longest_elementwise_chain_counts_one_path():
    ctx = webnn.ml.create_context()
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", webnn.MLOperandDescriptor("float32", [1, 4]))
    a = b.relu(b.exp(x))                                   # 2 in a row
    w = b.constant(webnn.MLOperandDescriptor("float32", [4, 4]), np.eye(4, dtype=np.float32))
    c = b.add(b.matmul(a, w), x)                           # matmul breaks the chain
    graph = b.build({"c": c, "d": b.neg(b.neg(b.neg(x)))})  # 3 in a row
    assert ov_backend.longest_elementwise_chain(graph) == 3


@pytest.mark.parametrize("n, snippets", [(8, True), (ov_backend.LONG_ELEMENTWISE_CHAIN + 1, False),
                                         (600, False)])
def test_long_chains_compile_without_snippets(n, snippets):
    ctx = webnn.ml.create_context()
    graph, _ = _chain(ctx, n)
    runtime = ov_backend.OpenVINOBackend.compiled_model(graph).get_runtime_model()
    layers = {op.get_rt_info()["layerType"].astype(str) for op in runtime.get_ordered_ops()}
    assert ("Subgraph" in layers) == snippets, layers  # a Snippets kernel is a "Subgraph"
    x = np.random.default_rng(0).standard_normal((2, 8)).astype(np.float32)
    ref = webnn.ml.create_context(backend="reference")
    ref_graph, _ = _chain(ref, n)
    np.testing.assert_allclose(ctx.compute(graph, {"x": x})["y"],
                               ref.compute(ref_graph, {"x": x})["y"], rtol=1e-6)
