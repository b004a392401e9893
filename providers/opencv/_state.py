"""What the WebNN side of a :class:`~._net.WebNNNet` holds for one set of input sizes: the
rewritten model, its OpenCV net, the partitions its layers run and, when one partition
holds every node, the direct path (see ._direct).

OpenCV names layers, not values, in ``forward(names)`` and ``getLayerNames``; the direct
path and ``forward`` of a name inside a partition map them to ONNX values here
(:func:`value_of_layer`).
"""

from __future__ import annotations

import cv2
import onnx

from ..onnx import GraphInfo, from_onnx_model
from ..report import PartitionReport
from ._direct import DirectRunner
from ._importer import OPENCV_MAJOR
from ._layer import LayerError, Partition
from ._plan import Group
from ._rewrite import EXPOSED_SUFFIX


class WebNNState:
    """The rewritten model, its OpenCV net and the partitions its layers run."""

    def __init__(self, report: PartitionReport, groups: list[Group], partitions: list[Partition],
                 model: onnx.ModelProto, net: cv2.dnn.Net, graph: GraphInfo) -> None:
        self.report = report
        self.graph = graph
        #: how many values were exposed from inside partitions when it was built
        self.extra = 0
        #: input name -> the blob shape last set on this net (setInput's fast path)
        self.seen: dict[str, tuple[int, ...]] = {}
        self.groups = groups
        self.partitions = partitions
        self.model = model
        self.net = net
        self.layer_names = set(net.getLayerNames()) | set(model.graph.output[i].name
                                                           for i in range(len(model.graph.output)))
        self.direct = direct_runner(self, graph)
        #: whether the last forward took the direct path (for getPerfProfile)
        self.last_direct = False

    def sync(self) -> None:
        """Before OpenCV's net runs: the inputs only the direct path has seen."""
        if self.direct is not None:
            self.direct.sync(self.net)

    def raise_layer_error(self) -> None:
        """Raise the first error a partition recorded during OpenCV's forward."""
        for partition in self.partitions:
            error = partition.take_error()
            if error is not None:
                raise LayerError(f"WebNN partition {partition.key} ({len(partition.nodes)} "
                                 f"nodes) failed: {type(error).__name__}: {error}") from error


def direct_runner(state: WebNNState, graph: GraphInfo) -> DirectRunner | None:
    """The direct path when one partition holds every node (see ._direct)."""
    if len(state.partitions) != 1 or \
            len(state.partitions[0].nodes) != len(graph.nodes):
        return None
    partition = state.partitions[0]
    if OPENCV_MAJOR >= 5:
        # OpenCV 5's forward names tensors (values), and forward() is the first output's
        layer_values = {name: name for name in partition.outputs}
        last = state.model.graph.output[0].name if state.model.graph.output else ""
        if last not in layer_values:
            return None
        return DirectRunner(partition, graph.inputs, layer_values, last, scaled_inputs=False)
    rewritten = from_onnx_model(state.model, infer_shapes=False)
    layers = list(state.net.getLayerNames())
    layer_values = {}
    for layer in [*layers, *(o.name for o in state.model.graph.output)]:
        value = value_of_layer(rewritten, layer)
        value = value.removesuffix(EXPOSED_SUFFIX) if value else value
        if value in partition.outputs:
            layer_values[layer] = value
    if not layers or layers[-1] not in layer_values:
        return None
    return DirectRunner(partition, graph.inputs, layer_values, layers[-1])


def group_values(graph: GraphInfo, group: Group) -> list[str]:
    """The values the nodes of ``group`` produce."""
    return [out for i in group.nodes for out in graph.nodes[i].outputs if out]


def value_of_layer(graph: GraphInfo, layer: str) -> str | None:
    """The ONNX value an OpenCV layer name stands for: OpenCV 4.x names a node's layer
    ``onnx_node!<node name>`` or, for an unnamed node, ``onnx_node_output_<i>!<output>``;
    OpenCV 5 uses the node name itself; either way the layer's first output."""
    if layer.startswith("onnx_node_output_") and "!" in layer:
        value = layer.split("!", 1)[1]
        return value if value in graph.values else None
    name = layer[len("onnx_node!"):] if layer.startswith("onnx_node!") else layer
    for node in graph.nodes:
        if node.name and node.name == name and node.outputs:
            return node.outputs[0]
    return layer if layer in graph.values else None
