"""Building the WebNN side of a :class:`~._net.WebNNNet` for one set of input sizes.

The folded model is partitioned with the analysis and partitioner the ONNX Runtime EP uses,
under OpenCV's own rules (see ._plan); each partition is compiled (see ._layer), laid out on
OpenCV 5 (see ._layout), the model rewritten with one ``WebNNPartition`` node per partition
(see ._rewrite) and imported by OpenCV (see ._importer). An import failure is reported with
the partition's own error when a layer recorded one (OpenCV's message only says that a
Python layer failed), and with the nodes left to OpenCV.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

import cv2
import onnx

import webnn_core as webnn

from ..onnx import GraphInfo, from_onnx_model
from ..onnx.analysis import analyze
from ..onnx.folding import FoldResult, fold_constants
from ..partition import graph_predecessors
from ..report import PartitionReport
from ._errors import WebNNBackendError
from ._importer import OPENCV_MAJOR, first_line, read_net
from ._layer import Partition, add_partition, register_layer
from ._layout import layout
from ._plan import Group, plan_groups
from ._rewrite import rewrite
from ._state import WebNNState

_LOG = logging.getLogger("webnn")


def plan(context: webnn.MLContext, graph: GraphInfo, extra_outputs: Iterable[str],
         folded: Sequence[str] = ()
         ) -> tuple[PartitionReport, list[Group], list[list[int]], GraphInfo]:
    """Report, groups, predecessors, and the graph as the partitions see it (the values
    asked for from inside partitions are among its outputs). ``graph`` is the folded
    model's; ``folded`` names the nodes folding removed (for the report)."""
    predecessors = graph_predecessors(graph)
    report = analyze(context, graph, predecessors, provider="WebNN", host="OpenCV DNN")
    report.folded = list(folded)
    view = GraphInfo(graph.nodes, graph.values, graph.inputs,
                     list(dict.fromkeys([*graph.outputs, *sorted(extra_outputs)])))
    # OpenCV 5 sizes a layer at import: partitions need static input shapes, which a
    # model with symbolic input sizes has once the net is built for the sizes set (the
    # report before any input assumes that)
    static = all(graph.values[name].static_shape is not None for name in graph.inputs)
    groups = plan_groups(view, report, predecessors, static_inputs=OPENCV_MAJOR >= 5 and static)
    return report, groups, predecessors, view


def partition_report(model: onnx.ModelProto, context: webnn.MLContext) -> PartitionReport:
    """The WebNN backend's partitioning of ``model`` (nothing imported or compiled)."""
    folding = fold_constants(model)
    return plan(context, from_onnx_model(folding.model), set(), folding.folded)[0]


def build_state(context: webnn.MLContext, folding: FoldResult, graph: GraphInfo,
                extra_outputs: set[str], key_prefix: str, engine: int | None,
                settings: Sequence[tuple[str, tuple, dict[str, Any]]]) -> WebNNState:
    """The WebNN state of the folded model (``graph``: its GraphInfo): partitions
    compiled and registered under ``key_prefix``/k, the rewritten model imported with
    ``engine`` and the net configured with ``settings`` (name, args, kwargs)."""
    register_layer()
    report, groups, predecessors, view = plan(context, graph, extra_outputs, folding.folded)
    keys = [f"{key_prefix}/{k}" for k in range(len(groups))]
    partitions = []
    for key, group in zip(keys, groups, strict=True):
        partition = Partition(key, context, view, group.nodes, group.inputs, group.outputs)
        add_partition(partition)
        partitions.append(partition)
    layouts = None
    if OPENCV_MAJOR >= 5:
        layouts = [layout([view.values[n].static_shape for n in p.inputs],
                          p.static_output_shapes()) for p in partitions]
        for partition, lay in zip(partitions, layouts, strict=True):
            partition.set_layout(lay)
    model = rewrite(folding.model, graph, groups, keys, predecessors, extra_outputs, layouts)
    try:
        net = read_net(model.SerializeToString(), engine)
    except cv2.error as exc:
        cause = next((p.take_error() for p in partitions if p.error is not None), None)
        raise WebNNBackendError(f"OpenCV cannot import the WebNN-partitioned model: "
                                f"{cause or first_line(exc)}; {left_to_opencv(report)}"
                                ) from (cause or exc)
    for name, args, kwargs in settings:
        getattr(net, name)(*args, **kwargs)
    _LOG.info("webnn: OpenCV DNN model partitioned:\n%s", report.summary())
    state = WebNNState(report, groups, partitions, model, net, graph)
    state.extra = len(extra_outputs)
    return state


def left_to_opencv(report: PartitionReport, limit: int = 12) -> str:
    """The nodes a rewritten model left to OpenCV, for an import error."""
    nodes = report.fallback
    if not nodes:
        return "WebNN takes every node"
    shown = ", ".join(f"{n.name or '?'} ({n.op_type}: {n.reason})" for n in nodes[:limit])
    more = f" and {len(nodes) - limit} more" if len(nodes) > limit else ""
    return f"nodes left to OpenCV: {shown}{more}"
