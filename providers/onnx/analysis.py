"""Which nodes of an ONNX graph WebNN takes: per-node verdicts grouped into partitions.

Shared by every host that speaks ONNX (the ONNX Runtime EP, the OpenCV backend): the
translator decides support node by node (:func:`~webnn_providers.onnx.check_graph`), the
shared partitioner (:mod:`webnn_providers.partition`) groups the supported nodes.
"""

from __future__ import annotations

from collections.abc import Sequence

import webnn_core as webnn

from ..partition import partition
from ..report import NodeReport, PartitionReport, precision_note
from .model import GraphInfo
from .translator import check_graph

#: sizes symbolic dimensions take while checking support, tried in order (graphs with
#: symbolic dimensions are then compiled per concrete input shape): 1 suits batch and
#: sequence dimensions, 64 spatial ones that a kernel window must fit
FREE_DIMENSION = (1, 64)


def analyze(context: webnn.MLContext, graph: GraphInfo, predecessors: Sequence[Sequence[int]],
            free_dimension: int | tuple[int, ...] | None = FREE_DIMENSION, *,
            provider: str = "WebNN", host: str = "the host") -> PartitionReport:
    """Check every node and group the supported ones.

    The nodes are checked in topological order with shape propagation
    (:func:`~webnn_providers.onnx.check_graph`): outputs the host's graph has no shape
    for (downstream of ops without shape inference, such as Crop) take the shapes WebNN
    inferred, so their consumers are judged too. ``graph`` is completed in place.
    """
    verdicts = check_graph(context, graph, free_dimension=free_dimension)
    nodes = []
    for node, verdict in zip(graph.nodes, verdicts, strict=True):
        nodes.append(NodeReport(node.index, node.name, node.op_type, node.domain,
                                verdict.supported, verdict.reason, verdict.kind))
    report = PartitionReport(nodes, provider=provider, host=host,
                             precision=precision_note(context))
    report.partitions = partition(predecessors, [n.supported for n in nodes])
    return report
