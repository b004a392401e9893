"""The model OpenCV imports: each partition replaced by one ``WebNNPartition`` node.

The node's type is looked up bare (default domain) by the classic importer and OpenCV 5's
alike. Its inputs are the partition's non-constant inputs: the partition's weights stay on
the Python side (``../shared/reference/opencv_dnn.md``: OpenCV 4 hands constant inputs to
a layer as blobs, int64 turned to int32 and 1-D widened). Its attribute ``webnn_key`` names
the compiled partition in the layer registry (see ._layer). On OpenCV 5 the node is laid
out so that OpenCV can size it alone (see ._layout). Values that callers want from inside
a partition (``forward(names)``) become extra partition outputs, each renamed and passed
through an ``Identity`` node that carries the original node's name and output value, so
OpenCV names that layer as it named the original node.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import onnx
from onnx import helper

from ..onnx import GraphInfo
from ..onnx.model import copy_fields
from ._layout import Layout, laid_out
from ._plan import Group

#: the op type of the rewritten model's partition nodes (see the module docstring)
LAYER_TYPE = "WebNNPartition"
#: the node attribute naming a partition in the layer registry
KEY_ATTRIBUTE = "webnn_key"
#: suffix of a partition output that an Identity re-exposes under its own name
EXPOSED_SUFFIX = "__webnn"


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
            predecessors: Sequence[Sequence[int]], extra_outputs: Iterable[str] = (),
            layouts: Sequence[Layout | None] | None = None) -> onnx.ModelProto:
    """The model OpenCV imports: each group replaced by one ``WebNNPartition`` node
    (laid out for OpenCV 5 where ``layouts`` gives a :class:`~._layout.Layout`)."""
    extra = set(extra_outputs)
    producers = graph.producers()
    source = model.graph
    nodes: list[onnx.NodeProto] = []
    constants: list[onnx.TensorProto] = []  # of the OpenCV 5 layouts
    for unit in _condensed_order(len(source.node), groups, predecessors):
        if isinstance(unit, int):
            nodes.append(source.node[unit])
            continue
        index = groups.index(unit)
        key = keys[index]
        outputs = [f"{name}{EXPOSED_SUFFIX}" if name in extra else name for name in unit.outputs]
        node = helper.make_node(LAYER_TYPE, unit.inputs, outputs, name=partition_node_name(key),
                                **{KEY_ATTRIBUTE: key})
        lay = layouts[index] if layouts else None
        nodes.extend([node] if lay is None else laid_out(node, lay, constants))
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
        [init for init in source.initializer if init.name in used] + constants,
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
