"""Partitioning an ONNX model for OpenCV DNN, and the rewritten model OpenCV imports.

The shared analysis (:func:`webnn_providers.onnx.analysis.analyze`) decides which nodes
WebNN can run and groups them into the fewest convex partitions. OpenCV then adds its own
rules for what may cross between its graph and a Python layer
(``../shared/reference/opencv_dnn.md``):

- only float32 tensors reach a Python layer's ``forward`` reliably, so every value a
  partition reads from OpenCV or hands back to it must be float32 (and of known, non-zero
  rank: OpenCV has no 0-d blobs);
- a layer whose inputs are all constant runs at import time and loses its output names, so
  a partition must read at least one value that depends on the model's inputs;
- OpenCV 5's Python layers never get ``getMemoryShapes`` called: every output takes the
  shape of input 0, and the layer gets as many outputs as it has inputs while their types
  count only its real outputs (an assertion fails), so there a partition must keep input
  0's shape on all its outputs and read no more values than it writes.

A node of a partition that breaks a rule goes back to OpenCV (with the rule as reason) and
the partitioning is redone, until every partition obeys them.

The rewrite replaces each partition by one node ``WebNNPartition`` (default domain; the
classic importer and OpenCV 5's both look up that bare type name) whose inputs are the
partition's non-constant inputs: the partition's weights stay on the Python side. Its
attribute ``webnn_key`` names the compiled partition in the layer registry. Values that
callers want from inside a partition (``forward(names)``) become extra partition outputs,
each renamed and passed through an ``Identity`` node that carries the original node's name
and output value, so OpenCV names that layer as it named the original node.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import onnx
from onnx import TensorProto, helper

from ..onnx import GraphInfo, group_io
from ..partition import partition
from ..report import PartitionReport

#: the op type of the rewritten model's partition nodes (see the module docstring)
LAYER_TYPE = "WebNNPartition"
#: the node attribute naming a partition in the layer registry
KEY_ATTRIBUTE = "webnn_key"
KIND = "opencv"
#: suffix of a partition output that an Identity re-exposes under its own name
EXPOSED_SUFFIX = "__webnn"


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


def _check_group(graph: GraphInfo, group: Group, dynamic: set[str], shapes_from_input0: bool,
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
    if shapes_from_input0:
        if len(group.inputs) > len(group.outputs):
            for i in group.nodes:
                refusals.refuse(i, f"OpenCV 5 sizes a Python layer's outputs by its number of "
                                   f"inputs but types them by its number of outputs, so a "
                                   f"partition cannot read more values ({len(group.inputs)}) "
                                   f"than it writes ({len(group.outputs)})")
            return
        first = graph.values[group.inputs[0]].static_shape
        for name in group.outputs:
            shape = graph.values[name].static_shape
            if first is None or shape != first:
                for i in group.nodes:
                    refusals.refuse(i, f"OpenCV 5 gives every output of a Python layer the "
                                       f"shape of its first input ({first}), and output "
                                       f"{name!r} has shape {shape}")
                return


def plan_groups(graph: GraphInfo, report: PartitionReport, predecessors: Sequence[Sequence[int]],
                *, shapes_from_input0: bool = False) -> list[Group]:
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
            _check_group(graph, group, dynamic, shapes_from_input0, refusals, producers,
                         consumers)
        if not refusals.changed:
            return groups


def _condensed_order(num_nodes: int, groups: list[Group],
                     predecessors: Sequence[Sequence[int]]) -> list[int | Group]:
    """Groups and the remaining nodes in a topological order of the condensed graph."""
    owner: dict[int, int] = {i: -1 - k for k, g in enumerate(groups) for i in g.nodes}
    units = [owner.get(i, i) for i in range(num_nodes)]
    preds: dict[int, set[int]] = {}
    for i, ps in enumerate(predecessors):
        unit = units[i]
        preds.setdefault(unit, set()).update(units[p] for p in ps if units[p] != unit)
    pending = {u: set(p) for u, p in preds.items()}
    users: dict[int, list[int]] = {}
    for u, ps in pending.items():
        for p in ps:
            users.setdefault(p, []).append(u)
    first_seen = list(dict.fromkeys(units))
    ready = [u for u in first_seen if not pending[u]]
    order: list[int | Group] = []
    rank = {u: k for k, u in enumerate(first_seen)}
    while ready:
        ready.sort(key=rank.__getitem__)
        unit = ready.pop(0)
        order.append(groups[-1 - unit] if unit < 0 else unit)
        for u in users.get(unit, []):
            pending[u].discard(unit)
            if not pending[u]:
                ready.append(u)
    if len(order) != len(first_seen):
        raise RuntimeError("partitioning produced a cycle through OpenCV nodes")
    return order


def partition_node_name(key: str) -> str:
    """The name of the ``WebNNPartition`` node of the partition ``key`` (OpenCV's layer
    name ends with it)."""
    return f"webnn_partition_{key.rsplit('/', 1)[-1]}"


def rewrite(model: onnx.ModelProto, graph: GraphInfo, groups: list[Group], keys: list[str],
            predecessors: Sequence[Sequence[int]], extra_outputs: Iterable[str] = ()
            ) -> onnx.ModelProto:
    """The model OpenCV imports: each group replaced by one ``WebNNPartition`` node."""
    extra = set(extra_outputs)
    producers = graph.producers()
    source = model.graph
    nodes: list[onnx.NodeProto] = []
    for unit in _condensed_order(len(source.node), groups, predecessors):
        if isinstance(unit, int):
            nodes.append(source.node[unit])
            continue
        key = keys[groups.index(unit)]
        outputs = [f"{name}{EXPOSED_SUFFIX}" if name in extra else name for name in unit.outputs]
        nodes.append(helper.make_node(LAYER_TYPE, unit.inputs, outputs,
                                      name=partition_node_name(key),
                                      **{KEY_ATTRIBUTE: key}))
        for name in unit.outputs:
            if name in extra:
                # the layer OpenCV names after the original node, with its output value
                original = source.node[producers[name]]
                nodes.append(helper.make_node("Identity", [f"{name}{EXPOSED_SUFFIX}"], [name],
                                              name=original.name or None))
    used = {name for node in nodes for name in node.input if name}
    new_graph = helper.make_graph(
        nodes, source.name,
        [vi for vi in source.input],
        list(source.output),
        [init for init in source.initializer if init.name in used],
        value_info=[vi for vi in source.value_info],
    )
    # IR < 4 lists initializers among the inputs too: drop the ones no longer used
    removed = {init.name for init in source.initializer} - used
    kept_inputs = [vi for vi in new_graph.input if vi.name not in removed]
    del new_graph.input[:]
    new_graph.input.extend(kept_inputs)
    result = onnx.ModelProto()
    result.CopyFrom(model)
    result.graph.CopyFrom(new_graph)
    return result
