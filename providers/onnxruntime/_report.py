"""Which nodes the EP takes: the shared ONNX analysis with ONNX Runtime's names."""

from __future__ import annotations

from collections.abc import Sequence

import webnn_core as webnn

from ..onnx import GraphInfo
from ..onnx.analysis import FREE_DIMENSION
from ..onnx.analysis import analyze as _analyze
from ..report import NodeReport, PartitionReport

__all__ = ["FREE_DIMENSION", "NodeReport", "PartitionReport", "analyze"]


def analyze(context: webnn.MLContext, graph: GraphInfo, predecessors: Sequence[Sequence[int]],
            free_dimension: int | tuple[int, ...] | None = FREE_DIMENSION) -> PartitionReport:
    """:func:`webnn_providers.onnx.analysis.analyze` reported as the WebNN EP vs ORT."""
    return _analyze(context, graph, predecessors, free_dimension,
                    provider="WebNNExecutionProvider", host="ONNX Runtime")
