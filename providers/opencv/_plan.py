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
- OpenCV 5's Python layers never get ``getMemoryShapes`` called: OpenCV 5 gives such a
  layer as many outputs as it has inputs, each of input 0's shape. There a partition must
  read values of static shape (a model with symbolic input sizes is built for the sizes
  ``setInput`` gives, see ._net) and its node is laid out so that OpenCV can size it alone
  (:class:`Layout`): no carrier when every output has input 0's shape; else a constant
  zero "shape carrier" of the outputs' shape as input 0; outputs of different shapes are
  handed back flattened into one [1, K] carrier shape and restored by OpenCV Slice/Reshape
  nodes; repeats of input 0 or padding outputs make the counts equal. The cost: OpenCV
  copies the carrier into the layer and the padding outputs out of it (about 40 us per
  0.8 MB on OpenCV 5.1, next to a bridge cost of about 95 us per call for such a layer).

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

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from ..onnx import GraphInfo, group_io
from ..onnx.model import copy_fields
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


@dataclass
class Layout:
    """How an OpenCV 5 partition node lays out its values (see :func:`layout`): OpenCV 5
    gives a Python layer as many outputs as inputs, every one of input 0's shape."""

    #: input 0 is a constant ``shape`` carrier (else input 0 is the partition's first input)
    carrier: bool
    #: the shape of every output of the node
    shape: tuple[int, ...]
    #: the real outputs are handed back flattened into ``shape`` ([1, K]) and reshaped by
    #: OpenCV Slice/Reshape nodes after the partition
    flat: bool
    #: node inputs (carrier, partition inputs, repeats of input 0) = node outputs
    num_values: int
    #: the real outputs' shapes
    output_shapes: list[tuple[int, ...]]


def layout(input_shapes: Sequence[tuple[int, ...] | None],
           output_shapes: Sequence[tuple[int, ...]]) -> Layout:
    """The OpenCV 5 layout of a partition reading ``input_shapes`` and writing
    ``output_shapes``: no carrier when every output has input 0's shape; a carrier of the
    outputs' shape when they share one; else a [1, K] carrier, K the largest output size."""
    outs = [tuple(int(d) for d in s) for s in output_shapes]
    first = input_shapes[0] if input_shapes else None
    n, m = len(input_shapes), len(outs)
    if all(len(s) >= 2 for s in outs) and len(set(outs)) == 1:
        if first is not None and outs[0] == tuple(first):
            return Layout(False, outs[0], False, max(n, m), outs)
        return Layout(True, outs[0], False, max(n + 1, m), outs)
    size = max(int(np.prod(s)) for s in outs)
    return Layout(True, (1, size), True, max(n + 1, m), outs)


def _carrier_name(key: str) -> str:
    return f"{partition_node_name(key)}_shape"


def rewrite(model: onnx.ModelProto, graph: GraphInfo, groups: list[Group], keys: list[str],
            predecessors: Sequence[Sequence[int]], extra_outputs: Iterable[str] = (),
            layouts: Sequence[Layout | None] | None = None) -> onnx.ModelProto:
    """The model OpenCV imports: each group replaced by one ``WebNNPartition`` node
    (laid out for OpenCV 5 where ``layouts`` gives a :class:`Layout`)."""
    extra = set(extra_outputs)
    producers = graph.producers()
    source = model.graph
    nodes: list[onnx.NodeProto] = []
    carriers: list[onnx.TensorProto] = []
    for unit in _condensed_order(len(source.node), groups, predecessors):
        if isinstance(unit, int):
            nodes.append(source.node[unit])
            continue
        index = groups.index(unit)
        key = keys[index]
        outputs = [f"{name}{EXPOSED_SUFFIX}" if name in extra else name for name in unit.outputs]
        lay = layouts[index] if layouts else None
        if lay is None:
            nodes.append(helper.make_node(LAYER_TYPE, unit.inputs, outputs,
                                          name=partition_node_name(key),
                                          **{KEY_ATTRIBUTE: key}))
        else:
            nodes.extend(_laid_out(key, unit, outputs, lay, carriers))
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
        [init for init in source.initializer if init.name in used] + carriers,
        value_info=[vi for vi in source.value_info],
    )
    # IR < 4 lists initializers among the inputs too: drop the ones no longer used
    removed = {init.name for init in source.initializer} - used
    kept_inputs = [vi for vi in new_graph.input if vi.name not in removed]
    del new_graph.input[:]
    new_graph.input.extend(kept_inputs)
    result = onnx.ModelProto()
    copy_fields(model, result, ("graph",))  # not the source graph's weights: 100 MB each
    result.graph.CopyFrom(new_graph)
    return result


def _laid_out(key: str, group: Group, outputs: list[str], lay: Layout,
              carriers: list[onnx.TensorProto]) -> list[onnx.NodeProto]:
    """The partition node as OpenCV 5 can size it without asking the layer (see
    :class:`Layout`), and the Slice/Reshape nodes that restore flattened outputs."""
    name = partition_node_name(key)
    inputs = list(group.inputs)
    if lay.carrier:
        carrier = _carrier_name(key)
        carriers.append(numpy_helper.from_array(np.zeros(lay.shape, np.float32), carrier))
        inputs.insert(0, carrier)
    inputs += [inputs[0]] * (lay.num_values - len(inputs))
    node_outputs = [f"{out}__flat" for out in outputs] if lay.flat else list(outputs)
    node_outputs += [f"{name}_pad{j}" for j in range(lay.num_values - len(outputs))]
    nodes = [helper.make_node(LAYER_TYPE, inputs, node_outputs, name=name,
                              **{KEY_ATTRIBUTE: key})]
    if lay.flat:
        for k, (out, shape) in enumerate(zip(outputs, lay.output_shapes, strict=True)):
            size = int(np.prod(shape))
            source = node_outputs[k]
            if size != lay.shape[1]:
                consts = [numpy_helper.from_array(np.array(v, np.int64), f"{name}_o{k}_{tag}")
                          for tag, v in (("starts", [0]), ("ends", [size]), ("axes", [1]))]
                carriers.extend(consts)
                nodes.append(helper.make_node("Slice", [source, *(c.name for c in consts)],
                                              [f"{out}__slice"], name=f"{name}_slice{k}"))
                source = f"{out}__slice"
            target = numpy_helper.from_array(np.array(shape, np.int64), f"{name}_o{k}_shape")
            carriers.append(target)
            nodes.append(helper.make_node("Reshape", [source, target.name], [out],
                                          name=f"{name}_out{k}"))
    return nodes
