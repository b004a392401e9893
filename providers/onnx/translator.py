"""ONNX -> WebNN translation: one translator per ONNX op, support and emission side by side.

A translator is a function ``emit(n: NodeView) -> list[MLOperand | None]`` registered with
:func:`translator` for one or more ONNX op types of a domain and a range of schema versions
(the spine's :class:`~webnn_providers.translation.Registry`, keyed ``(domain, op_type)``). It
raises :class:`Unsupported` (with the reason) for what WebNN cannot express; everything else
is checked by the WebNN builder itself, which validates every call against the spec and the
context's ``op_support_limits()`` and raises ``webnn_core.ValidationError``. Any other
exception is a translator bug (see :mod:`webnn_providers.translation.errors`).

Support is decided by *running the translator* on a scratch builder with the node's input
descriptors (:func:`check_node`), so "is this node supported?" and "emit it" can never
drift apart. :func:`build_graph` then translates a group of nodes into one MLGraph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

import webnn_core as webnn

from ..translation import (
    OpEntry,
    Registry,
    TranslatedGraph,
    TranslatorView,
    Unsupported,
    Verdict,
    constant_operand,
    descriptor,
    finish_graph,
    guard,
    judge,
)
from .model import WEBNN_TO_ONNX, Dim, GraphInfo, NodeInfo, ValueInfo

__all__ = ["REGISTRY", "NodeView", "OpEntry", "TranslatedGraph", "Unsupported", "Verdict",
           "build_graph", "check_graph", "check_node", "fill_output_info",
           "group_io", "run_graph", "supported_op_types", "translator"]

Emitter = Callable[["NodeView"], Sequence["webnn.MLOperand | None"]]

#: the ONNX translators: ``webnn_providers.onnx.ops`` and its subpackages (com_microsoft)
REGISTRY = Registry([f"{__package__}.ops"])
#: the registry's table and loader under their former names (tests patch a translator in)
_REGISTRY = REGISTRY.table
_load_ops = REGISTRY.load


def translator(*op_types: str, domain: str = "", since: int = 1,
               until: int | None = None) -> Callable[[Emitter], Emitter]:
    """Register ``emit`` for ``op_types`` of ``domain`` with schema versions
    ``since <= since_version <= until`` (ONNX IR "Operator Sets": a node resolves to the
    newest schema version at most its model's opset, reported as its since-version)."""
    return REGISTRY.translator(*op_types, domain=domain, since=since, until=until)


def supported_op_types() -> list[str]:
    """Every ONNX op type with a translator ("domain:Op" for non-default domains)."""
    return REGISTRY.names()


def _find(node: NodeInfo) -> OpEntry:
    return REGISTRY.find(node.domain, node.op_type, node.since_version)


class NodeView(TranslatorView):
    """What a translator sees: the node, its attributes, its inputs as WebNN operands (or
    constant arrays) and the builder ``b``."""

    def __init__(self, node: NodeInfo, graph: GraphInfo, builder: webnn.MLGraphBuilder,
                 operands: dict[str, webnn.MLOperand]) -> None:
        self.node = node
        self.graph = graph
        self.b = builder
        self.prefix = node.op_type
        self._operands = operands

    # attributes -------------------------------------------------------------------------
    def attr(self, name: str, default: Any = None) -> Any:
        return self.node.attributes.get(name, default)

    @property
    def version(self) -> int:
        return self.node.since_version

    # inputs -----------------------------------------------------------------------------
    @property
    def num_inputs(self) -> int:
        return len(self.node.inputs)

    def has_input(self, i: int) -> bool:
        return i < len(self.node.inputs) and self.node.inputs[i] != ""

    def value(self, i: int) -> ValueInfo:
        return self.graph.values[self.node.inputs[i]]

    def input(self, i: int) -> webnn.MLOperand:
        """Input ``i`` as an operand (a constant initializer becomes a WebNN constant the
        first time a translator asks for it as an operand)."""
        if not self.has_input(i):
            raise self.unsupported(f"input {i} is required")
        name = self.node.inputs[i]
        if name not in self._operands:
            self._operands[name] = _constant_operand(self.b, self.graph.values[name], self.node)
        return self._operands[name]

    def const(self, i: int) -> np.ndarray | None:
        """The value of input ``i`` when it is a constant initializer, else None."""
        if not self.has_input(i):
            return None
        return self.graph.values[self.node.inputs[i]].constant

    def require_const(self, i: int, what: str) -> np.ndarray:
        """Input ``i``'s constant value; Unsupported when it is computed at run time."""
        value = self.const(i)
        if value is None:
            raise self.unsupported(f"{what} (input {i}) must be a constant", "dynamic shape")
        return value

    def data_type(self, i: int) -> str:
        return self.input(i).data_type

    def is_bool(self, i: int) -> bool:
        return self.has_input(i) and self.value(i).is_bool

    def output_is_bool(self, i: int = 0) -> bool:
        info = self.graph.values.get(self.node.outputs[i])
        return info is not None and info.is_bool

    def requested(self, i: int) -> bool:
        """Whether the node's optional output ``i`` is wanted (present and named)."""
        return i < len(self.node.outputs) and self.node.outputs[i] != ""


def _constant_operand(builder: webnn.MLGraphBuilder, info: ValueInfo,
                      node: NodeInfo) -> webnn.MLOperand:
    """A WebNN constant for a constant initializer (bool becomes uint8 0/1)."""
    return constant_operand(builder, info.constant, info.data_type, is_bool=info.is_bool,
                            label=node.describe(),
                            what=f"{info.name!r} (ONNX element type {info.onnx_type})")


def _descriptor(info: ValueInfo, shape: Sequence[int] | None) -> webnn.MLOperandDescriptor:
    """A group input's descriptor: ``shape`` (a concrete shape for symbolic dimensions) or
    the value's static shape; a dynamic or unknown shape is refused."""
    what = f"value {info.name!r}"
    if shape is None and info.data_type is not None:
        shape = info.static_shape
        if shape is None:
            raise Unsupported(f"{what}: dynamic or unknown shape {info.shape}",
                              "dynamic shape")
    return descriptor(info.data_type, shape if shape is not None else (),
                      f"{what} (ONNX element type {info.onnx_type})")


def group_io(graph: GraphInfo, nodes: Iterable[int]) -> tuple[list[str], list[str]]:
    """(inputs, outputs) of a node group: values read from outside the group (excluding
    constant initializers), and values produced inside that are graph outputs or read
    outside."""
    members = set(nodes)
    produced = {out for i in members for out in graph.nodes[i].outputs if out}
    inputs: list[str] = []
    for i in sorted(members):
        for name in graph.nodes[i].inputs:
            if (name and name not in produced and name not in inputs
                    and graph.values[name].constant is None):
                inputs.append(name)
    consumers = graph.consumers()
    graph_outputs = set(graph.outputs)
    outputs = []
    for i in sorted(members):
        for name in graph.nodes[i].outputs:
            if name and (name in graph_outputs or
                         any(c not in members for c in consumers.get(name, []))):
                outputs.append(name)
    return inputs, outputs


def build_graph(context: webnn.MLContext, graph: GraphInfo, nodes: Iterable[int],
                input_shapes: Mapping[str, Sequence[int]] | None = None
                ) -> TranslatedGraph[str]:
    """Translate the nodes ``nodes`` (indices) into one built MLGraph.

    ``input_shapes`` gives concrete shapes for group inputs with symbolic dimensions.
    Raises :class:`Unsupported` when a node cannot be translated.
    """
    order = sorted(set(nodes))
    inputs, outputs = group_io(graph, order)
    builder = webnn.MLGraphBuilder(context)
    operands: dict[str, webnn.MLOperand] = {}
    for name in inputs:
        shape = (input_shapes or {}).get(name)
        operands[name] = builder.input(name, _descriptor(graph.values[name], shape))
    for i in order:
        _emit_node(graph.nodes[i], graph, builder, operands)
    return finish_graph(builder, operands, inputs, outputs)


def _emit_node(node: NodeInfo, graph: GraphInfo, builder: webnn.MLGraphBuilder,
               operands: dict[str, webnn.MLOperand]) -> None:
    """Run the node's translator (under the spine's guard) and record its outputs."""
    with guard(node.describe()):
        entry = _find(node)
        for name in node.inputs:
            if name and name not in operands:
                info = graph.values.get(name)
                if info is None or info.constant is None:
                    raise Unsupported(f"{node.describe()}: input {name!r} is not available",
                                      "shape")
        results = entry.emit(NodeView(node, graph, builder, operands))
        if len(results) > len(node.outputs):
            raise RuntimeError(f"{node.describe()}: translator returned {len(results)} "
                               "outputs")
        for name, operand in zip(node.outputs, results, strict=False):
            if name and operand is not None:
                operands[name] = operand
        missing = [n for n in node.outputs[:len(results)] if n and n not in operands]
        if missing:
            raise Unsupported(f"{node.describe()}: outputs {missing} are not produced",
                              "attribute")


def check_node(context: webnn.MLContext, graph: GraphInfo, index: int,
               free_dimension: int | Sequence[int] | None = None) -> Verdict:
    """Translate node ``index`` alone on a scratch builder.

    Inputs take their ONNX value info; with ``free_dimension`` set, symbolic dimensions
    take that size for the check (the real graph is then translated per concrete shape).
    Given several sizes, the node is supported when it translates at one of them (a 3x3
    convolution over symbolic H x W does not fit 1 x 1 but does fit 64 x 64); the verdict
    at the first size is reported otherwise.

    A supported verdict carries the output descriptors WebNN inferred (``outputs``). When
    symbolic dimensions took a free size, the node is translated once more at another size
    (``2 * size + 1``) and every output dimension that differs between the two becomes None
    (it depends on a symbolic dimension); a substituted size never passes for a static one.
    """
    sizes = ([free_dimension] if free_dimension is None or isinstance(free_dimension, int)
             else list(free_dimension))
    first = None
    for size in sizes:
        verdict = _check_node_at(context, graph, index, size)
        if verdict.supported:
            if size is not None and _has_symbolic_input(graph, index):
                verdict.outputs = _free_outputs(context, graph, index, size, verdict.outputs)
            return verdict
        first = first or verdict
        if not _has_symbolic_input(graph, index):
            break
    return first


def _free_outputs(context: webnn.MLContext, graph: GraphInfo, index: int, size: int,
                  outputs: dict[str, tuple[str, tuple[int | None, ...]]]
                  ) -> dict[str, tuple[str, tuple[int | None, ...]]]:
    """``outputs`` (inferred with symbolic dimensions at ``size``) with the dimensions that
    change when they take another size set to None; empty when the node does not translate
    at the other size (then nothing is known of its output shapes).

    A limit of probing: a dimension that depends on a symbolic one yet comes out equal at
    both sizes (behind a stride larger than ``size``) passes for static; it only steers the
    support check, the real graph is still built per concrete input shape.
    """
    other = _check_node_at(context, graph, index, 2 * size + 1)
    if not other.supported:
        return {}
    result = {}
    for name, (data_type, shape) in outputs.items():
        probe = other.outputs.get(name)
        if probe is None or probe[0] != data_type or len(probe[1]) != len(shape):
            continue
        result[name] = (data_type, tuple(a if a == b else None
                                         for a, b in zip(shape, probe[1], strict=True)))
    return result


def check_graph(context: webnn.MLContext, graph: GraphInfo,
                free_dimension: int | Sequence[int] | None = None) -> list[Verdict]:
    """:func:`check_node` for every node of ``graph``, in its (topological) order.

    Shape propagation: ONNX shape inference knows nothing of ops without a schema in the
    ``onnx`` package (ImageScaler, Crop, Affine: removed experimental ops that ONNX Runtime
    still runs as contrib kernels of the default domain) and so leaves every value
    downstream of them without a shape. When a supported node's output has no static shape
    (or no element type) in ``graph``, the descriptor WebNN inferred while translating the
    node is filled into ``graph.values`` (:func:`fill_output_info`) before its consumers are
    checked. This mutates ``graph``: the filled shapes are what WebNN computes, which is
    what its consumers on WebNN receive; a host still reads each fused node's outputs'
    shapes from the built WebNN graph.
    """
    verdicts = []
    for node in graph.nodes:
        verdict = check_node(context, graph, node.index, free_dimension=free_dimension)
        if verdict.supported:
            fill_output_info(graph, verdict)
        verdicts.append(verdict)
    return verdicts


def fill_output_info(graph: GraphInfo, verdict: Verdict) -> None:
    """Complete the value info of a supported node's outputs from ``verdict.outputs``.

    Only what ONNX left unknown is filled: a missing shape, unknown (None) dimensions, and
    an undefined element type (not for uint8, which may be ONNX bool). Known dimensions
    (static or symbolic names) are kept; when they contradict WebNN's, nothing is filled.
    """
    for name, (data_type, shape) in verdict.outputs.items():
        info = graph.values.get(name)
        if info is None:
            info = graph.values[name] = ValueInfo(name, 0, None)
        if info.constant is not None:
            continue
        if info.onnx_type == 0 and data_type != "uint8":
            info.onnx_type = WEBNN_TO_ONNX.get(data_type, 0)
        if info.shape is None:
            info.shape = shape
            continue
        if info.static_shape is not None or len(info.shape) != len(shape):
            continue
        if any(isinstance(d, int) and d != w for d, w in zip(info.shape, shape, strict=True)):
            continue
        merged: tuple[Dim, ...] = tuple(d if d is not None else w
                                        for d, w in zip(info.shape, shape, strict=True))
        info.shape = merged


def _has_symbolic_input(graph: GraphInfo, index: int) -> bool:
    for name in graph.nodes[index].inputs:
        info = graph.values.get(name) if name else None
        if info is not None and info.constant is None and info.shape is not None and \
                info.static_shape is None:
            return True
    return False


def _check_node_at(context: webnn.MLContext, graph: GraphInfo, index: int,
                   free_dimension: int | None) -> Verdict:
    node = graph.nodes[index]
    return judge(node.describe(),
                 lambda: _translate_alone(context, graph, node, free_dimension))


def _translate_alone(context: webnn.MLContext, graph: GraphInfo, node: NodeInfo,
                     free_dimension: int | None
                     ) -> dict[str, tuple[str, tuple[int | None, ...]]]:
    """``node`` translated alone on a scratch builder (symbolic dimensions of its inputs at
    ``free_dimension``): its outputs' data types and shapes."""
    builder = webnn.MLGraphBuilder(context)
    operands: dict[str, webnn.MLOperand] = {}
    for name in node.inputs:
        if not name or name in operands:
            continue
        info = graph.values.get(name)
        if info is None:
            raise Unsupported(f"input {name!r} has no type information", "shape")
        if info.constant is not None:
            continue
        shape = info.static_shape
        if shape is None and free_dimension is not None and info.shape is not None:
            shape = tuple(d if isinstance(d, int) and d >= 0 else free_dimension
                          for d in info.shape)
        operands[name] = builder.input(name, _descriptor(info, shape))
    _emit_node(node, graph, builder, operands)
    outputs = {}
    for name in node.outputs:
        if name and name in operands:
            _check_output(graph.values.get(name), operands[name], node)
            outputs[name] = (operands[name].data_type, tuple(operands[name].shape))
    return outputs


def _check_output(info: ValueInfo | None, operand: webnn.MLOperand, node: NodeInfo) -> None:
    """The translated output must have the ONNX output's data type (and static shape)."""
    if info is None or info.onnx_type == 0:
        return
    if info.data_type != operand.data_type:
        raise Unsupported(f"{node.describe()}: output {info.name!r} would be "
                          f"{operand.data_type}, ONNX says {info.data_type}", "dtype")
    shape = info.static_shape
    if shape is not None and tuple(shape) != operand.shape:
        raise Unsupported(f"{node.describe()}: output {info.name!r} shape {list(operand.shape)} "
                          f"differs from ONNX's {list(shape)}", "shape")


def run_graph(context: webnn.MLContext, graph: GraphInfo,
              inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Translate the whole graph as one WebNN graph and run it (for tests and tools)."""
    shapes = {name: np.shape(value) for name, value in inputs.items()}
    translated = build_graph(context, graph, range(len(graph.nodes)), shapes)
    feeds = {}
    for name in translated.inputs:
        value = np.asarray(inputs[name])
        if graph.values[name].is_bool:
            value = value.astype(np.uint8)
        feeds[name] = value
    results = context.compute(translated.graph, feeds)
    out = {}
    for name in graph.outputs:
        if name in results:
            value = results[name]
            out[name] = value.astype(bool) if graph.values[name].is_bool else value
        elif name in inputs:
            out[name] = np.asarray(inputs[name])
    return out

