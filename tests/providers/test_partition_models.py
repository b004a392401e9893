"""The partitioner on real models: valid groups, never more than topological runs.

Uses the real ONNX models in ../shared/models/onnx and the light models of the onnx wheel,
with the translator's real verdicts and, to make partitions alternate, with every k-th
supported node refused as well.
"""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest
from webnn_providers.onnx import check_node, from_onnx_model
from webnn_providers.partition import graph_predecessors, is_convex, partition, topological_runs
from webnn_providers.testing import SHARED_MODELS

from tests.helpers import context

SHARED = SHARED_MODELS / "onnx"
LIGHT = Path(onnx.__file__).resolve().parent / "backend" / "test" / "data" / "light"
MODELS = sorted(SHARED.glob("*.onnx")) + sorted(LIGHT.glob("light_*.onnx"))[:5]


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
@pytest.mark.parametrize("refuse_every", [0, 3, 7])
def test_partition_of_model(path, refuse_every):
    graph = from_onnx_model(str(path))
    preds = graph_predecessors(graph)
    supported = [check_node(context("openvino"), graph, n.index, free_dimension=1).supported
                 for n in graph.nodes]
    if refuse_every:
        supported = [s and i % refuse_every != 0 for i, s in enumerate(supported)]
    groups = partition(preds, supported)
    runs = topological_runs(preds, supported)
    assert len(groups) <= len(runs)
    assert sorted(i for g in groups for i in g) == [i for i, s in enumerate(supported) if s]
    assert all(is_convex(g, preds) for g in groups)


def test_models_present_or_reason():
    if not SHARED.is_dir():
        pytest.skip(f"real models folder {SHARED} is absent")
    assert MODELS
