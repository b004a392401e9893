"""Reading an ``OrtGraph`` (ORT's graph API) into the neutral :class:`GraphInfo`.

Pointers ORT hands out (graphs, nodes, value infos, initializer data) are valid only during
the callback that received them: :func:`read_graph` returns constant initializers as
zero-copy numpy views unless ``copy_constants`` is set, so whatever outlives the callback
must be read with copies (or only used to build WebNN graphs, whose constants are copies).
"""

from __future__ import annotations

import ctypes
import heapq
from ctypes import byref, c_bool, c_char_p, c_int, c_int64, c_size_t, c_void_p
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..onnx import GraphInfo, NodeInfo, ValueInfo
from ..partition import graph_predecessors
from ..runtime import wrap
from . import _abi
from ._abi import OrtApi

#: ONNX tensor element type -> numpy dtype (types numpy lacks are absent)
NUMPY_DTYPES: dict[int, np.dtype] = {
    1: np.dtype(np.float32), 2: np.dtype(np.uint8), 3: np.dtype(np.int8),
    4: np.dtype(np.uint16), 5: np.dtype(np.int16), 6: np.dtype(np.int32),
    7: np.dtype(np.int64), 9: np.dtype(np.bool_), 10: np.dtype(np.float16),
    11: np.dtype(np.float64), 12: np.dtype(np.uint32), 13: np.dtype(np.uint64),
}


def _str(value: bytes | None) -> str:
    return value.decode("utf-8") if value else ""


@dataclass
class TensorType:
    onnx_type: int
    shape: tuple[int | str | None, ...] | None


def tensor_type(api: OrtApi, type_info: int | None) -> TensorType:
    """Element type and shape of an OrtTypeInfo (non-tensors: type 0, shape None)."""
    if not type_info:
        return TensorType(0, None)
    onnx_type = c_int()
    api.GetOnnxTypeFromTypeInfo(type_info, byref(onnx_type))
    if onnx_type.value != _abi.ONNX_TYPE_TENSOR:
        return TensorType(0, None)
    info = c_void_p()
    api.CastTypeInfoToTensorInfo(type_info, byref(info))
    return shape_info(api, info.value)


def shape_info(api: OrtApi, info: int) -> TensorType:
    """Element type and shape of an OrtTensorTypeAndShapeInfo (symbolic dims by name)."""
    elem = c_int()
    api.GetTensorElementType(info, byref(elem))
    if not api.TensorTypeAndShape_HasShape(info):
        return TensorType(elem.value, None)
    rank = c_size_t()
    api.GetDimensionsCount(info, byref(rank))
    n = rank.value
    if n == 0:
        return TensorType(elem.value, ())
    dims = (c_int64 * n)()
    api.GetDimensions(info, dims, n)
    names = (c_char_p * n)()
    api.GetSymbolicDimensions(info, names, n)
    shape: list[int | str | None] = []
    for d, name in zip(dims, names):
        if d >= 0:
            shape.append(int(d))
        else:
            shape.append(_str(name) or None)
    return TensorType(elem.value, tuple(shape))


def value_array(api: OrtApi, value: int, copy: bool) -> np.ndarray | None:
    """The contents of a tensor OrtValue (None for element types numpy lacks)."""
    info = c_void_p()
    api.GetTensorTypeAndShape(value, byref(info))
    try:
        t = shape_info(api, info.value)
    finally:
        api.ReleaseTensorTypeAndShapeInfo(info)
    dtype = NUMPY_DTYPES.get(t.onnx_type)
    if dtype is None or t.shape is None or not all(isinstance(d, int) for d in t.shape):
        return None
    shape = tuple(int(d) for d in t.shape)
    if 0 in shape:
        return np.zeros(shape, dtype)
    data = c_void_p()
    api.GetTensorData(value, byref(data))
    array = wrap(data.value, shape, dtype, readonly=True)
    return array.copy() if copy else array


def _count_and_list(api: OrtApi, count_fn: Any, list_fn: Any, handle: int) -> list[int | None]:
    count = c_size_t()
    count_fn(handle, byref(count))
    n = count.value
    if n == 0:
        return []
    items = (c_void_p * n)()
    list_fn(handle, items, n)
    return list(items)


def _attributes(api: OrtApi, node: int) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for attr in _count_and_list(api, api.Node_GetNumAttributes, api.Node_GetAttributes, node):
        if not attr:
            continue
        name = c_char_p()
        api.OpAttr_GetName(attr, byref(name))
        kind = c_int()
        api.OpAttr_GetType(attr, byref(kind))
        value = read_attribute(api, attr, kind.value)
        if value is not _SKIP:
            attrs[_str(name.value)] = value
    return attrs


_SKIP = object()


def _read_bytes(api: OrtApi, attr: int, kind: int) -> bytes:
    size = c_size_t()
    probe = ctypes.create_string_buffer(8)
    try:
        api.ReadOpAttr(attr, kind, probe, 0, byref(size))
    except _abi.OrtError:
        pass  # "not large enough" with the size needed
    buffer = ctypes.create_string_buffer(max(size.value, 8))
    if size.value:
        api.ReadOpAttr(attr, kind, buffer, size.value, byref(size))
    return buffer.raw[:size.value]


def read_attribute(api: OrtApi, attr: int, kind: int) -> Any:
    """One OrtOpAttr as a Python value (tensors as numpy arrays, graphs skipped)."""
    if kind == _abi.ATTR_INT:
        return int(np.frombuffer(_read_bytes(api, attr, kind), np.int64)[0])
    if kind == _abi.ATTR_INTS:
        return [int(v) for v in np.frombuffer(_read_bytes(api, attr, kind), np.int64)]
    if kind == _abi.ATTR_FLOAT:
        return float(np.frombuffer(_read_bytes(api, attr, kind), np.float32)[0])
    if kind == _abi.ATTR_FLOATS:
        return [float(v) for v in np.frombuffer(_read_bytes(api, attr, kind), np.float32)]
    if kind == _abi.ATTR_STRING:
        return _read_bytes(api, attr, kind).rstrip(b"\0").decode("utf-8", "replace")
    if kind == _abi.ATTR_STRINGS:
        raw = _read_bytes(api, attr, kind)
        return [s.decode("utf-8", "replace") for s in raw.split(b"\0")[:-1]] if raw else []
    if kind == _abi.ATTR_TENSOR:
        value = c_void_p()
        api.OpAttr_GetTensorAttributeAsOrtValue(attr, byref(value))
        if not value.value:
            return _SKIP
        try:
            array = value_array(api, value.value, copy=True)
        finally:
            api.ReleaseValue(value)
        return _SKIP if array is None else array
    return _SKIP  # graphs (If/Loop bodies): no translator uses them


class ValueReader:
    """Reads OrtValueInfos into :class:`ValueInfo` s, constant initializers with their data.

    An *overridable* initializer (an initializer that is also a graph input, ONNX IR >= 4,
    common in older exports) is read as a constant holding its default, and its name and
    data address are kept in :attr:`overridable`: a call may feed another value for it, so
    whoever compiles it as a constant must check each call that the default is what came
    (see ``FusedKernel``). Treating such weights as graph inputs instead would move every
    weight to the device on every call."""

    def __init__(self, api: OrtApi, copy_constants: bool) -> None:
        self.api = api
        self.copy = copy_constants
        self.values: dict[str, ValueInfo] = {}
        #: overridable initializer name -> the address of its default's data
        self.overridable: dict[str, int] = {}

    def value(self, vi: int | None) -> str:
        """Register an OrtValueInfo; returns its name ("" for an absent optional value)."""
        if not vi:
            return ""
        api = self.api
        name = c_char_p()
        api.GetValueInfoName(vi, byref(name))
        key = _str(name.value)
        if not key or key in self.values:
            return key
        type_info = c_void_p()
        api.GetValueInfoTypeInfo(vi, byref(type_info))
        t = tensor_type(api, type_info.value)
        constant = None
        is_const = c_bool()
        api.ValueInfo_IsConstantInitializer(vi, byref(is_const))
        if is_const.value:
            constant = self._initializer(vi)
        else:
            api.ValueInfo_IsOptionalGraphInput(vi, byref(is_const))
            if is_const.value:
                constant = self._initializer(vi, overridable=key)
        self.values[key] = ValueInfo(key, t.onnx_type, t.shape, constant)
        return key

    def _initializer(self, vi: int, overridable: str = "") -> np.ndarray | None:
        """An initializer's data (None when ORT gives none or numpy lacks its type)."""
        value = c_void_p()
        self.api.ValueInfo_GetInitializerValue(vi, byref(value))
        if not value.value:
            return None
        array = value_array(self.api, value.value, copy=self.copy)
        if array is not None and overridable:
            data = c_void_p()
            self.api.GetTensorData(value, byref(data))
            self.overridable[overridable] = data.value or 0
        return array


@dataclass
class OrtGraphInfo:
    """An OrtGraph read into a :class:`GraphInfo` (nodes in topological order), with each
    node's OrtNode pointer and implicit inputs (outer-scope values its subgraphs read)."""

    graph: GraphInfo
    pointers: list[int]
    implicit: list[tuple[str, ...]]
    #: overridable initializer name -> its default's data address (see ValueReader)
    overridable: dict[str, int]

    def predecessors(self) -> list[list[int]]:
        """``predecessors`` for the partitioner, implicit inputs included."""
        result = graph_predecessors(self.graph)
        producers = self.graph.producers()
        for i, names in enumerate(self.implicit):
            extra = {producers[n] for n in names if n in producers and producers[n] != i}
            if extra - set(result[i]):
                result[i] = sorted(set(result[i]) | extra)
        return result


def read_graph(api: OrtApi, graph: int, *, copy_constants: bool = False) -> OrtGraphInfo:
    """Read an OrtGraph (see :class:`OrtGraphInfo`)."""
    reader = ValueReader(api, copy_constants)
    raw = []
    for node in _count_and_list(api, api.Graph_GetNumNodes, api.Graph_GetNodes, graph):
        op_type, domain, name = c_char_p(), c_char_p(), c_char_p()
        api.Node_GetOperatorType(node, byref(op_type))
        api.Node_GetDomain(node, byref(domain))
        api.Node_GetName(node, byref(name))
        since = c_int()
        api.Node_GetSinceVersion(node, byref(since))
        inputs = tuple(reader.value(v) for v in _count_and_list(
            api, api.Node_GetNumInputs, api.Node_GetInputs, node))
        outputs = tuple(reader.value(v) for v in _count_and_list(
            api, api.Node_GetNumOutputs, api.Node_GetOutputs, node))
        domain_name = _str(domain.value)
        if domain_name == "ai.onnx":
            domain_name = ""
        implicit = tuple(reader.value(v) for v in _count_and_list(
            api, api.Node_GetNumImplicitInputs, api.Node_GetImplicitInputs, node))
        raw.append((node, _str(name.value), _str(op_type.value), domain_name, since.value,
                    inputs, outputs, _attributes(api, node), implicit))
    graph_inputs = [reader.value(v) for v in _count_and_list(
        api, api.Graph_GetNumInputs, api.Graph_GetInputs, graph)]
    graph_outputs = [reader.value(v) for v in _count_and_list(
        api, api.Graph_GetNumOutputs, api.Graph_GetOutputs, graph)]
    order = _topological(raw)
    nodes = []
    pointers = []
    implicit_inputs = []
    for index, i in enumerate(order):
        ptr, name, op_type, domain, since, inputs, outputs, attrs, implicit = raw[i]
        nodes.append(NodeInfo(index, name, op_type, domain, since, inputs, outputs, attrs))
        pointers.append(ptr)
        implicit_inputs.append(tuple(n for n in implicit if n))
    values = reader.values
    inputs = [n for n in graph_inputs if n and values[n].constant is None]
    info = GraphInfo(nodes, values, inputs, [n for n in graph_outputs if n])
    return OrtGraphInfo(info, pointers, implicit_inputs, reader.overridable)


def _topological(raw: list[tuple]) -> list[int]:
    """Node positions in a topological order (stable: ORT's order when it already is one)."""
    producer = {out: i for i, r in enumerate(raw) for out in r[6] if out}
    deps = [{producer[n] for n in r[5] if n in producer and producer[n] != i}
            for i, r in enumerate(raw)]
    users: list[list[int]] = [[] for _ in raw]
    for i, d in enumerate(deps):
        for j in d:
            users[j].append(i)
    remaining = [len(d) for d in deps]
    heap = [i for i, r in enumerate(remaining) if r == 0]
    order: list[int] = []
    while heap:
        i = heapq.heappop(heap)
        order.append(i)
        for u in users[i]:
            remaining[u] -= 1
            if remaining[u] == 0:
                heapq.heappush(heap, u)
    if len(order) != len(raw):  # a cycle cannot happen in ORT; keep every node anyway
        seen = set(order)
        order += [i for i in range(len(raw)) if i not in seen]
    return order

