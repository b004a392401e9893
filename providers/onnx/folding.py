"""Constant folding of an ONNX model before partitioning: shape computations become
initializers.

Exporters compute reshape targets at run time (PyTorch's ``x.view(x.size(0), -1, 4)``
becomes Shape -> Gather -> Unsqueeze -> Concat -> Reshape) and write constants as
``Constant`` nodes. WebNN knows static shapes only, so such a Reshape is refused ("shape
must be a constant") and the int64 chain cuts the partition in two. ONNX Runtime folds
these before an execution provider sees the graph; a host that does not (OpenCV's DNN)
gets the same from :func:`fold_constants`, the spine's folding driver
(:class:`~webnn_providers.translation.ConstantFolder`) over the model's nodes:

- ``Constant`` nodes become initializers;
- ``Shape`` and ``Size`` of a value with a static inferred shape become initializers (so
  the model's declared input shapes are taken as given, as ONNX Runtime does);
- a node of :data:`FOLDABLE_OPS` whose inputs are all constant is evaluated with the
  ``onnx`` package's reference implementation (exact for these integer shape ops) and its
  outputs become initializers, unless an output has more than ``max_elements`` elements
  (folding is for shape-sized data, not for precomputing weights).

The evaluator is onnx.reference rather than the node's WebNN translator on the reference
backend (the TFLite translator's evaluator): ONNX shape arithmetic routinely goes through
empty int64 vectors (``Shape`` sliced to ``[:0]`` and concatenated, as in the expanded
LayerNormalization over axis 0, or a ``ConstantOfShape`` with a 0 dimension), which WebNN
cannot represent (every dimension is positive, WebNN §api-mloperanddescriptor), so those
chains, and the Reshape they feed, would stay with the host.

Nodes producing a graph output, nodes of other domains and nodes with subgraphs are kept.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import helper, numpy_helper

from ..translation import ConstantFolder
from .model import infer_shapes

_LOG = logging.getLogger("webnn")

#: ops evaluated when every input is constant (shape arithmetic and data movement)
FOLDABLE_OPS = frozenset({
    "Abs", "Add", "And", "Cast", "Ceil", "Concat", "ConstantOfShape", "Div", "Equal",
    "Expand", "Flatten", "Floor", "Gather", "Greater", "Identity", "Less", "Max", "Min",
    "Mod", "Mul", "Neg", "Not", "Or", "Range", "ReduceMax", "ReduceMin", "ReduceProd",
    "ReduceSum", "Reshape", "Slice", "Squeeze", "Sub", "Tile", "Transpose", "Unsqueeze",
    "Where",
})
#: ops whose value is known without evaluation (see :meth:`_Host.shortcut`)
_SHORTCUT_OPS = frozenset({"Constant", "Shape", "Size"})

#: largest output (elements) a folded node may have
MAX_ELEMENTS = 4096


@dataclass
class FoldResult:
    """The folded model and what was folded (node labels, in graph order)."""

    model: onnx.ModelProto
    folded: list[str] = field(default_factory=list)


def fold_constants(model: onnx.ModelProto, max_elements: int = MAX_ELEMENTS) -> FoldResult:
    """``model`` with its constant computations replaced by initializers (see the module
    docstring); ``model`` itself is not changed."""
    try:
        inferred = infer_shapes(model, data_prop=True)  # on the model without its weights
    except Exception:  # noqa: BLE001 - without inferred shapes only Constant nodes fold
        inferred = model
    graph = model.graph
    opsets = {o.domain if o.domain != "ai.onnx" else "": o.version for o in model.opset_import}
    host = _Host(_static_shapes(inferred.graph), opsets.get("", 1))
    known = _Initializers(graph)
    folded = ConstantFolder(host, max_elements).fold(
        list(graph.node), known, keep={o.name for o in graph.output})
    if not folded.positions:
        return FoldResult(model)
    removed = set(folded.positions)
    kept = [node for i, node in enumerate(graph.node) if i not in removed]
    result = onnx.ModelProto()
    result.CopyFrom(model)
    del result.graph.node[:]
    result.graph.node.extend(kept)
    existing = {init.name for init in graph.initializer}
    needed = {name for node in kept for name in _node_inputs(node)}
    result.graph.initializer.extend(
        numpy_helper.from_array(np.asarray(folded.values[name]), name)
        for name in sorted(needed - existing) if name in folded.values)
    _LOG.debug("webnn: folded %d constant node(s) of the ONNX model", len(folded.labels))
    return FoldResult(result, folded.labels)


class _Initializers(Mapping[str, np.ndarray]):
    """A graph's initializers as arrays, each read when the folder first asks for it (a
    node with constant inputs): the weights are never converted."""

    def __init__(self, graph: onnx.GraphProto) -> None:
        self._protos = {init.name: init for init in graph.initializer}
        self._arrays: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        array = self._arrays.get(name)
        if array is None:
            array = self._arrays[name] = numpy_helper.to_array(self._protos[name])
        return array

    def __contains__(self, name: object) -> bool:
        return name in self._protos

    def __iter__(self) -> Iterator[str]:
        return iter(self._protos)

    def __len__(self) -> int:
        return len(self._protos)


class _Host:
    """The folding driver's view of ONNX ``NodeProto`` s (``FoldHost``)."""

    def __init__(self, shapes: Mapping[str, tuple[int, ...]], opset: int) -> None:
        self.shapes = shapes
        self.opset = opset

    def inputs(self, node: onnx.NodeProto) -> list[str]:
        return [n for n in node.input if n]

    def outputs(self, node: onnx.NodeProto) -> list[str]:
        return [n for n in node.output if n]

    def foldable(self, node: onnx.NodeProto) -> bool:
        """Default-domain nodes without subgraphs, of the shortcut or foldable ops."""
        return node.domain in ("", "ai.onnx") and not any(
            a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS)
            for a in node.attribute) and (node.op_type in FOLDABLE_OPS
                                          or node.op_type in _SHORTCUT_OPS)

    def shortcut(self, node: onnx.NodeProto) -> dict[str, np.ndarray] | None:
        if node.op_type == "Constant":
            return _constant_value(node)
        if node.op_type in ("Shape", "Size"):
            return _shape_value(node, self.shapes)
        return None

    def evaluate(self, node: onnx.NodeProto, inputs: Mapping[str, np.ndarray],
                 max_elements: int) -> dict[str, np.ndarray] | None:
        if node.op_type not in FOLDABLE_OPS:
            return None
        if node.op_type in ("Unsqueeze", "Squeeze") and node.domain in ("", "ai.onnx"):
            fast = _squeeze_or_unsqueeze(node, inputs)
            if fast is not None:
                return fast
        return _evaluate(node, inputs, self.opset)

    def label(self, node: onnx.NodeProto, position: int) -> str:
        return f"{node.op_type} {node.name!r}" if node.name else f"{node.op_type} #{position}"


def _static_shapes(graph: onnx.GraphProto) -> dict[str, tuple[int, ...]]:
    result = {}
    for vi in [*graph.input, *graph.value_info, *graph.output]:
        tensor = vi.type.tensor_type
        if tensor.HasField("shape") and all(d.HasField("dim_value") for d in tensor.shape.dim):
            result[vi.name] = tuple(int(d.dim_value) for d in tensor.shape.dim)
    return result


def _node_inputs(node: onnx.NodeProto) -> list[str]:
    """The node's inputs and the outer-scope names its subgraphs read."""
    names = [n for n in node.input if n]
    for attr in node.attribute:
        for sub in ([attr.g] if attr.HasField("g") else []) + list(attr.graphs):
            for inner in sub.node:
                names.extend(_node_inputs(inner))
    return names


def _shape_value(node: onnx.NodeProto, shapes: Mapping[str, tuple[int, ...]]
                 ) -> dict[str, np.ndarray] | None:
    """Shape (``start``/``end`` slice it since Shape-15) or Size of a static shape."""
    shape = shapes.get(node.input[0]) if node.input else None
    if shape is None:
        return None
    if node.op_type == "Size":
        return {node.output[0]: np.array(math.prod(shape), np.int64)}
    attrs = {a.name: a.i for a in node.attribute}
    dims = shape[attrs.get("start", 0):attrs["end"]] if "end" in attrs else \
        shape[attrs.get("start", 0):]
    return {node.output[0]: np.array(dims, np.int64)}


def _constant_value(node: onnx.NodeProto) -> dict[str, np.ndarray] | None:
    if not node.attribute or node.attribute[0].type == onnx.AttributeProto.SPARSE_TENSOR:
        return None
    attr = node.attribute[0]
    value = helper.get_attribute_value(attr)
    if attr.name == "value":
        array = numpy_helper.to_array(value)
    elif attr.name in ("value_float", "value_floats"):
        array = np.array(value, np.float32)
    elif attr.name in ("value_int", "value_ints"):
        array = np.array(value, np.int64)
    else:  # value_string(s): no numeric value
        return None
    return {node.output[0]: array}


def _squeeze_or_unsqueeze(node: onnx.NodeProto, known: Mapping[str, np.ndarray]
                          ) -> dict[str, np.ndarray] | None:
    """Unsqueeze / Squeeze with explicit axes evaluated with numpy (exporters write one per
    BatchNormalization parameter: DenseNet-121 has 242, and onnx.reference's set-up costs
    ~0.1 ms each); None (onnx.reference decides) for anything unusual."""
    inputs = list(node.input)
    if not inputs or not inputs[0] or len(node.output) != 1:
        return None
    if len(inputs) > 1 and inputs[1]:
        axes_value = known.get(inputs[1])
        if axes_value is None or np.asarray(axes_value).dtype != np.int64:
            return None
        axes = [int(a) for a in np.asarray(axes_value).reshape(-1)]
    else:
        attrs = [a for a in node.attribute if a.name == "axes"]
        if not attrs:
            return None  # Squeeze without axes: every 1 dimension (left to onnx.reference)
        axes = [int(a) for a in attrs[0].ints]
    data = np.asarray(known[inputs[0]])
    rank = data.ndim + len(axes) if node.op_type == "Unsqueeze" else data.ndim
    normalized = [a + rank if a < 0 else a for a in axes]
    if not axes or len(set(normalized)) != len(normalized) or \
            any(not 0 <= a < rank for a in normalized):
        return None
    if node.op_type == "Unsqueeze":
        value = np.expand_dims(data, tuple(normalized))
    else:
        if any(data.shape[a] != 1 for a in normalized):
            return None
        value = np.squeeze(data, tuple(normalized))
    return {node.output[0]: np.ascontiguousarray(value)}


def _evaluate(node: onnx.NodeProto, known: Mapping[str, np.ndarray],
              opset: int) -> dict[str, np.ndarray] | None:
    """Run one node on constant inputs with onnx's reference implementation."""
    from onnx.reference import ReferenceEvaluator

    if node.domain == "ai.onnx":  # the default domain spelled out: the model imports ""
        node = onnx.NodeProto.FromString(node.SerializeToString())
        node.domain = ""
    inputs = list(dict.fromkeys(n for n in node.input if n))
    graph = helper.make_graph(
        [node], "fold", [],
        [helper.make_tensor_value_info(o, onnx.TensorProto.UNDEFINED, None)
         for o in node.output if o],
        [numpy_helper.from_array(np.asarray(known[n]), n) for n in inputs])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    try:
        results = ReferenceEvaluator(model).run(None, {})
    except Exception as exc:  # noqa: BLE001 - a node that does not evaluate is kept
        _LOG.debug("webnn: not folding %s: %s", node.op_type, exc)
        return None
    outputs = [o for o in node.output if o]
    return {name: np.asarray(value) for name, value in zip(outputs, results, strict=True)}
