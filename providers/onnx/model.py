"""A neutral description of an ONNX graph, independent of the host runtime.

The ONNX Runtime EP fills it from ORT's OrtGraph API, the OpenCV backend and the tests from
an ``onnx.ModelProto`` (:func:`from_onnx_model`). Translators (``webnn_providers.onnx.ops``)
only ever see these classes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import onnx
import onnx.defs
import onnx.numpy_helper

#: ONNX TensorProto element type -> WebNN data type (bool travels as uint8 0/1)
ONNX_TO_WEBNN = {
    onnx.TensorProto.FLOAT: "float32",
    onnx.TensorProto.FLOAT16: "float16",
    onnx.TensorProto.INT32: "int32",
    onnx.TensorProto.UINT32: "uint32",
    onnx.TensorProto.INT64: "int64",
    onnx.TensorProto.UINT64: "uint64",
    onnx.TensorProto.INT8: "int8",
    onnx.TensorProto.UINT8: "uint8",
    onnx.TensorProto.BOOL: "uint8",
}
WEBNN_TO_ONNX = {v: k for k, v in ONNX_TO_WEBNN.items() if k != onnx.TensorProto.BOOL}

Dim = int | str | None


class InvalidModelError(ValueError):
    """The ONNX model breaks the format's rules (ONNX IR: a dimension is >= 0, an
    initializer's data matches its dims); the message names the tensor. ONNX Runtime and
    OpenCV refuse such models as well."""


@dataclass
class ValueInfo:
    """A tensor value: ONNX element type, shape (None: unknown rank; a dim is an int, a
    symbolic name, or None when unknown) and, for constant initializers, the value."""

    name: str
    onnx_type: int
    shape: tuple[Dim, ...] | None
    constant: np.ndarray | None = None

    @property
    def data_type(self) -> str | None:
        """The WebNN data type, or None when WebNN has none (double, string ...)."""
        return ONNX_TO_WEBNN.get(self.onnx_type)

    @property
    def is_bool(self) -> bool:
        return self.onnx_type == onnx.TensorProto.BOOL

    @property
    def static_shape(self) -> tuple[int, ...] | None:
        if self.shape is None or not all(isinstance(d, int) and d >= 0 for d in self.shape):
            return None
        return tuple(int(d) for d in self.shape)


@dataclass
class NodeInfo:
    """One node: ``since_version`` is the version of the operator schema the node uses
    (what ORT reports as the node's since-version)."""

    index: int
    name: str
    op_type: str
    domain: str
    since_version: int
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    attributes: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        name = f" {self.name!r}" if self.name else ""
        return f"{self.op_type}{name}"


@dataclass
class GraphInfo:
    """Nodes in topological order, every value's info, and the graph's inputs/outputs."""

    nodes: list[NodeInfo]
    values: dict[str, ValueInfo]
    inputs: list[str]
    outputs: list[str]

    def producers(self) -> dict[str, int]:
        """value name -> index of the node producing it."""
        return {out: n.index for n in self.nodes for out in n.outputs if out}

    def consumers(self) -> dict[str, list[int]]:
        """value name -> indices of the nodes reading it."""
        result: dict[str, list[int]] = {}
        for n in self.nodes:
            for name in n.inputs:
                if name:
                    result.setdefault(name, []).append(n.index)
        return result


def attribute_value(attr: onnx.AttributeProto) -> Any:
    """An ONNX attribute as a Python value (tensors as numpy arrays)."""
    value = onnx.helper.get_attribute_value(attr)
    if isinstance(value, onnx.TensorProto):
        return initializer_array(value, f"tensor attribute {attr.name!r}")
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, list) and value and isinstance(value[0], bytes):
        return [v.decode() for v in value]
    if isinstance(value, list) and value and isinstance(value[0], onnx.TensorProto):
        return [onnx.numpy_helper.to_array(v) for v in value]
    return value


def _shape_of(type_proto: onnx.TypeProto) -> tuple[int, tuple[Dim, ...] | None]:
    tensor = type_proto.tensor_type
    if not tensor.HasField("shape"):
        return tensor.elem_type, None
    dims: list[Dim] = []
    for d in tensor.shape.dim:
        if d.HasField("dim_value"):
            if d.dim_value < 0:
                # invalid ONNX (the checker refuses it), yet ONNX Runtime and OpenCV run
                # the model, reading the dimension as unknown: so does this reader, as
                # the ORT EP's (onnxruntime._graph) does
                dims.append(None)
                continue
            dims.append(int(d.dim_value))
        elif d.HasField("dim_param"):
            dims.append(d.dim_param)
        else:
            dims.append(None)
    return tensor.elem_type, tuple(dims)


def check_initializer_dims(init: onnx.TensorProto, label: str | None = None) -> None:
    """Raise :class:`InvalidModelError` when a tensor's dims are negative (numpy would
    read a -3 as -1 and infer the size from the data). ``label`` names it in the message
    (default: ``initializer '<name>'``)."""
    if any(d < 0 for d in init.dims):
        label = label or f"initializer {init.name!r}"
        raise InvalidModelError(f"{label} has negative dims {list(init.dims)} (an ONNX "
                                "dimension is >= 0)")


def initializer_array(init: onnx.TensorProto, label: str | None = None) -> np.ndarray:
    """A tensor proto (an initializer, a Constant's value) as a numpy array of exactly its
    dims; :class:`InvalidModelError` naming it for negative dims or data that does not
    match them."""
    label = label or f"initializer {init.name!r}"
    check_initializer_dims(init, label)
    try:
        array = onnx.numpy_helper.to_array(init)
    except Exception as exc:  # noqa: BLE001 - onnx raises several kinds for bad data
        raise InvalidModelError(f"{label} (dims {list(init.dims)}) cannot be "
                                f"read: {exc}") from exc
    if tuple(array.shape) != tuple(init.dims):
        raise InvalidModelError(f"{label} has dims {list(init.dims)} but holds "
                                f"{array.size} values")
    return array


def check_model_dims(model: onnx.ModelProto) -> None:
    """Reject (:class:`InvalidModelError`, naming the tensor) a model whose main graph has
    an initializer with negative dims, without reading tensor data: a cheap check for
    readers that import the model lazily. ONNX Runtime and OpenCV refuse such a model; a
    negative dimension in a value's declared shape they read as unknown, as
    :func:`from_onnx_model` does."""
    for init in model.graph.initializer:
        check_initializer_dims(init)


def node_info(node: onnx.NodeProto, index: int, opsets: dict[str, int]) -> NodeInfo:
    """The :class:`NodeInfo` of ``node`` in a model importing ``opsets`` (domain ->
    version, "" for ai.onnx): its since-version is that of the schema the node resolves to
    (ONNX IR "Operator Sets"), the imported version for an operator without a schema."""
    domain = node.domain if node.domain != "ai.onnx" else ""
    try:
        since = onnx.defs.get_schema(node.op_type, opsets.get(domain, 1), domain).since_version
    except Exception:  # noqa: BLE001 - unknown operator: the translator refuses it
        since = opsets.get(domain, 1)
    attrs = {a.name: attribute_value(a) for a in node.attribute}
    return NodeInfo(index, node.name, node.op_type, domain, since, tuple(node.input),
                    tuple(node.output), attrs)


#: initializers with more elements than this are left out of the model shape inference reads
#: (:func:`shape_skeleton`): weights, never a shape, pads, axes or scales
SKELETON_MAX_ELEMENTS = 4096


def copy_fields(source: Any, target: Any, skip: tuple[str, ...]) -> None:
    """Copy the set fields of protobuf message ``source`` into ``target``, but ``skip``
    (e.g. a model without its graph: no copy of the weights)."""
    for fd, value in source.ListFields():
        if fd.name in skip:
            continue
        repeated = fd.is_repeated if hasattr(fd, "is_repeated") else \
            fd.label == fd.LABEL_REPEATED
        if repeated:
            getattr(target, fd.name).extend(value)
        elif fd.message_type is not None:
            getattr(target, fd.name).CopyFrom(value)
        else:
            setattr(target, fd.name, value)


def shape_skeleton(model: onnx.ModelProto,
                   max_elements: int = SKELETON_MAX_ELEMENTS) -> onnx.ModelProto:
    """``model`` for ONNX shape inference: initializers of more than ``max_elements``
    elements are declared as graph inputs of their type and dims instead of carrying their
    data. Shape inference (and its data propagation) reads the values of shape-like
    constants only, so it infers the same shapes, without serializing the weights to C++
    and back (ResNet-50: 100 MB each way). ``model`` itself when it has no such
    initializer."""
    graph = model.graph
    big = [init for init in graph.initializer
           if math.prod(init.dims) > max_elements]
    if not big:
        return model
    skeleton = onnx.ModelProto()
    copy_fields(model, skeleton, ("graph",))
    copy_fields(graph, skeleton.graph, ("initializer",))
    dropped = {init.name for init in big}
    skeleton.graph.initializer.extend(init for init in graph.initializer
                                      if init.name not in dropped)
    declared = {vi.name for vi in graph.input}
    skeleton.graph.input.extend(
        onnx.helper.make_tensor_value_info(init.name, init.data_type, list(init.dims))
        for init in big if init.name not in declared)
    return skeleton


def infer_shapes(model: onnx.ModelProto, data_prop: bool = False) -> onnx.ModelProto:
    """ONNX shape inference on :func:`shape_skeleton` of ``model``: a model whose
    ``graph.input``, ``graph.value_info`` and ``graph.output`` hold the inferred types and
    shapes (its big initializers are missing: read those from ``model``)."""
    return onnx.shape_inference.infer_shapes(shape_skeleton(model), data_prop=data_prop)


def from_onnx_model(model: onnx.ModelProto | str, *, infer_shapes: bool = True) -> GraphInfo:
    """The :class:`GraphInfo` of an ONNX model (file path or ModelProto).

    Runs ONNX shape inference first so that intermediate values have shapes (on the
    model's :func:`shape_skeleton`: the weights stay in Python). Raises
    :class:`InvalidModelError` (a ValueError naming the tensor) for an initializer or
    tensor attribute with negative dims or data that does not match its dims; a negative
    dimension in a declared shape is read as unknown (as ONNX Runtime and OpenCV do).
    """
    if isinstance(model, str):
        model = onnx.load(model)
    inferred = model
    if infer_shapes:
        try:
            inferred = _infer_shapes(model)
        except Exception:  # noqa: BLE001 - a model ONNX cannot infer still has its own info
            pass
    graph = model.graph
    typed = inferred.graph
    opsets = {o.domain if o.domain != "ai.onnx" else "": o.version for o in model.opset_import}
    values: dict[str, ValueInfo] = {}
    for vi in list(typed.input) + list(typed.value_info) + list(typed.output):
        elem, shape = _shape_of(vi.type)
        values[vi.name] = ValueInfo(vi.name, elem, shape)
    for init in graph.initializer:
        array = initializer_array(init)
        values[init.name] = ValueInfo(init.name, init.data_type, tuple(array.shape), array)
    nodes = []
    for i, node in enumerate(graph.node):
        nodes.append(node_info(node, i, opsets))
        for out in node.output:
            values.setdefault(out, ValueInfo(out, onnx.TensorProto.UNDEFINED, None))
    initializers = {init.name for init in graph.initializer}
    inputs = [vi.name for vi in graph.input if vi.name not in initializers]
    return GraphInfo(nodes, values, inputs, [vi.name for vi in graph.output])


_infer_shapes = infer_shapes  # from_onnx_model's keyword hides the function


def _attribute_proto(key: str, value: Any) -> onnx.AttributeProto:
    if isinstance(value, np.ndarray):
        return onnx.helper.make_attribute(key, onnx.numpy_helper.from_array(value))
    if isinstance(value, list) and not value:
        return onnx.helper.make_attribute(key, [], attr_type=onnx.AttributeProto.INTS)
    return onnx.helper.make_attribute(key, value)


def _value_proto(info: ValueInfo) -> onnx.ValueInfoProto:
    shape = None if info.shape is None else [d if isinstance(d, int | str) else None
                                              for d in info.shape]
    return onnx.helper.make_tensor_value_info(info.name, info.onnx_type, shape)


def to_onnx_model(graph: GraphInfo) -> onnx.ModelProto:
    """``graph`` as a standalone ONNX model: its nodes, its constants as initializers.

    Each domain is imported at the highest schema version its nodes use: every node then
    resolves to its own schema again (the host's opset is at least that high, and no node's
    schema changed between its version and the host's opset, so none changed below it).
    Used to let the host run a partition's nodes itself where WebNN cannot (empty tensors).
    """
    opsets: dict[str, int] = {}
    protos = []
    for node in graph.nodes:
        opsets[node.domain] = max(opsets.get(node.domain, 1), node.since_version)
        proto = onnx.helper.make_node(node.op_type, list(node.inputs), list(node.outputs),
                                      name=node.name or None, domain=node.domain or None)
        proto.attribute.extend(_attribute_proto(k, v) for k, v in node.attributes.items())
        protos.append(proto)
    if "" not in opsets:
        opsets[""] = onnx.defs.onnx_opset_version()
    read = {name for node in graph.nodes for name in node.inputs if name}
    initializers = [onnx.numpy_helper.from_array(info.constant, name)
                    for name, info in graph.values.items()
                    if info.constant is not None and name in read]
    constants = {init.name for init in initializers}
    body = onnx.helper.make_graph(
        protos, "partition",
        [_value_proto(graph.values[n]) for n in graph.inputs if n not in constants],
        [_value_proto(graph.values[n]) for n in graph.outputs], initializers)
    imports = [onnx.helper.make_opsetid(d, v) for d, v in opsets.items()]
    # the lowest IR version those opsets need, not this onnx's newest: the host that runs the
    # model (e.g. an older ONNX Runtime) may not load a newer IR
    ir_version = onnx.helper.find_min_ir_version_for(imports, ignore_unknown=True)
    return onnx.helper.make_model(body, opset_imports=imports, ir_version=ir_version)
