"""Partitioning an ONNX model for OpenCV DNN: which nodes each ``WebNNPartition`` holds.

The shared analysis (:func:`webnn_providers.onnx.analysis.analyze`) decides which nodes
WebNN can run and groups them into the fewest convex partitions. OpenCV then adds its own
rules for what may cross between its graph and a Python layer
(``../shared/reference/opencv_dnn.md``):

- only float32 tensors reach a Python layer's ``forward`` reliably, so every value a
  partition reads from OpenCV or hands back to it must be float32 (and of known, non-zero
  rank: OpenCV has no 0-d blobs);
- a layer whose inputs are all constant runs at import time and loses its output names, so
  a partition must read at least one value that depends on the model's inputs;
- OpenCV 5's Python layers never get ``getMemoryShapes`` called: OpenCV 5 gives such a
  layer as many outputs as it has inputs, each of input 0's shape. There a partition must
  read values of static shape (a model with symbolic input sizes is built for the sizes
  ``setInput`` gives, see ._sizes) so that its node can be laid out for OpenCV to size it
  alone (see ._layout).

A node of a partition that breaks a rule goes back to OpenCV (with the rule as reason) and
the partitioning is redone, until every partition obeys them. The model OpenCV imports is
written by ._rewrite.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from onnx import TensorProto

from ..onnx import GraphInfo, group_io
from ..partition import partition
from ..report import PartitionReport

#: the report's kind for nodes refused by OpenCV's own rules
KIND = "opencv"


@dataclass
class Group:
    """One partition: node indices, the values it reads from OpenCV and hands back."""

    nodes: list[int]
    inputs: list[str]
    outputs: list[str]


def _dynamic_values(graph: GraphInfo) -> set[str]:
    """Values that depend on a graph input (the rest OpenCV computes at import)."""
    dynamic = set(graph.inputs)
    for node in graph.nodes:
        if any(name in dynamic for name in node.inputs if name):
            dynamic.update(out for out in node.outputs if out)
    return dynamic


def _boundary_problem(graph: GraphInfo, name: str) -> str | None:
    info = graph.values.get(name)
    if info is None or info.onnx_type != TensorProto.FLOAT:
        dtype = "unknown type" if info is None else (info.data_type or f"ONNX type "
                                                      f"{info.onnx_type}")
        return (f"value {name!r} ({dtype}) would cross between OpenCV and WebNN; OpenCV "
                "passes only float32 tensors to Python layers")
    if info.shape is not None and len(info.shape) == 0:
        return f"value {name!r} is a scalar; OpenCV has no 0-d tensors to pass it"
    return None


class _Refusals:
    """Nodes sent back to OpenCV by its own rules, with the reason."""

    def __init__(self, report: PartitionReport) -> None:
        self.report = report
        self.changed = False

    def refuse(self, index: int, reason: str) -> None:
        node = self.report.nodes[index]
        if node.supported:
            node.supported, node.reason, node.kind = False, reason, KIND
            self.changed = True


def _check_group(graph: GraphInfo, group: Group, dynamic: set[str], static_inputs: bool,
                 refusals: _Refusals, producers: dict[str, int],
                 consumers: dict[str, list[int]]) -> None:
    members = set(group.nodes)
    for name in group.outputs:
        problem = _boundary_problem(graph, name)
        if problem:
            refusals.refuse(producers[name], problem)
    for name in group.inputs:
        problem = _boundary_problem(graph, name)
        if problem:
            for c in consumers.get(name, []):
                if c in members:
                    refusals.refuse(c, problem)
    if not any(name in dynamic for name in group.inputs):
        for i in group.nodes:
            refusals.refuse(i, "the partition computes only from constants (OpenCV runs "
                               "such a layer once at import and loses its outputs' names)")
        return
    if static_inputs:
        for name in group.inputs:
            if graph.values[name].static_shape is None:
                for i in group.nodes:
                    refusals.refuse(i, f"OpenCV 5 never asks a Python layer for its output "
                                       f"shapes, so they must be known before import, and "
                                       f"input {name!r} of the partition has no static shape")
                return


def plan_groups(graph: GraphInfo, report: PartitionReport, predecessors: Sequence[Sequence[int]],
                *, static_inputs: bool = False) -> list[Group]:
    """Partitions that obey OpenCV's rules; ``report`` is updated in place (its partitions,
    and the refused nodes' reasons). Values wanted from inside partitions are among
    ``graph.outputs``."""
    dynamic = _dynamic_values(graph)
    producers, consumers = graph.producers(), graph.consumers()
    while True:
        report.partitions = partition(predecessors, [n.supported for n in report.nodes])
        groups = [Group(nodes, *group_io(graph, nodes)) for nodes in report.partitions]
        refusals = _Refusals(report)
        for group in groups:
            _check_group(graph, group, dynamic, static_inputs, refusals, producers,
                         consumers)
        if not refusals.changed:
            return groups
