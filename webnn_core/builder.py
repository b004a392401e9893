"""MLGraphBuilder (webnn-spec §api-mlgraphbuilder).

The core of the builder (``input``, ``constant``, ``build``) lives here; each family of
operators is a mixin in :mod:`webnn_core.ops` that validates its arguments as the spec says
and calls :meth:`MLGraphBuilder._emit`. Validation happens only here, before any backend.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InvalidStateError, ValidationError
from .graph import MLGraph, MLOperand, Node
from .ops import OperatorMixins
from .ops._checks import check_tensor_limits, fail
from .tensor import MLTensor
from .types import NUMPY_DTYPES, MLOperandDescriptor, cast_number, check_data_type, data_type_of

if TYPE_CHECKING:
    from .context import MLContext


class MLGraphBuilder(*OperatorMixins):  # type: ignore[misc]
    """Builds an :class:`MLGraph` for one :class:`MLContext`.

    ``MLGraphBuilder(context)``; then ``input``/``constant`` and operator methods; then
    ``build({name: operand})``. Operator methods take the spec's positional arguments and
    the spec's options as snake_case keyword arguments.
    """

    def __init__(self, context: MLContext) -> None:
        from .context import MLContext

        if not isinstance(context, MLContext):
            raise ValidationError(f"MLGraphBuilder: expected an MLContext, got "
                                  f"{type(context).__name__}")
        if context.is_lost:
            raise InvalidStateError("MLGraphBuilder: the context is lost")
        self._context = context
        self._has_built = False
        self._next_id = 0
        self._inputs: dict[str, MLOperand] = {}
        self._constants: dict[int, np.ndarray] = {}

    @property
    def context(self) -> MLContext:
        return self._context

    # -- spec §api-mlgraphbuilder-input ---------------------------------------------------
    def input(self, name: str, descriptor: MLOperandDescriptor | Mapping[str, Any]) -> MLOperand:
        """Create a named graph input."""
        self._check_can_build("input")
        if not isinstance(name, str) or not name:
            raise fail("input", "name must be a non-empty string")
        if name in self._inputs:
            raise fail("input", f"an input named {name!r} already exists")
        desc = MLOperandDescriptor.coerce(descriptor)
        self._check_descriptor("input", desc)
        operand = self._new_operand(desc, "input", name)
        self._inputs[name] = operand
        return operand

    # -- spec §api-mlgraphbuilder-constant ------------------------------------------------
    def constant(self, *args: Any, copy: bool = True) -> MLOperand:
        """``constant(descriptor, buffer)``, ``constant(data_type, value)`` (a scalar),
        ``constant(tensor)`` (a constant MLTensor) or ``constant(ndarray)``.

        The data is copied (the spec's semantics: the caller may reuse its buffer). With
        ``copy=False`` a numpy buffer that already has the descriptor's dtype and C order is
        taken by reference (the providers' path: host weights are not copied twice): the
        caller promises not to change it. At :meth:`build` the graph keeps such an array
        as is when numpy owns its memory (or an immutable ``bytes`` object holds it) and
        copies it once otherwise (a view of a host framework's memory, which the graph may
        outlive); a builder that never builds (a support check) copies nothing."""
        self._check_can_build("constant")
        if len(args) == 1 and isinstance(args[0], MLTensor):
            return self._constant_from_tensor(args[0])
        if len(args) == 1 and isinstance(args[0], np.ndarray):
            array = args[0]
            desc = MLOperandDescriptor(data_type_of(array.dtype), array.shape)
            return self._constant_from_buffer(desc, array, copy)
        if len(args) == 2 and isinstance(args[0], str):
            data_type = check_data_type(args[0], "constant: dataType")
            value = args[1]
            if isinstance(value, bool) or not isinstance(value, numbers.Number):
                raise fail("constant", f"value {value!r} is not a number")
            array = np.array(cast_number(value, data_type), dtype=NUMPY_DTYPES[data_type])
            desc = MLOperandDescriptor(data_type, ())
            operand = self._new_operand(desc, "constant")
            self._constants[operand.id] = array
            return operand
        if len(args) == 2:
            desc = MLOperandDescriptor.coerce(args[0])
            return self._constant_from_buffer(desc, args[1], copy)
        raise fail("constant", "expected (descriptor, buffer), (dataType, value), (tensor) "
                               "or (ndarray)")

    def _constant_from_buffer(self, desc: MLOperandDescriptor, buffer: Any,
                              copy: bool = True) -> MLOperand:
        self._check_descriptor("constant", desc)
        array = _buffer_to_array("constant", buffer, desc, copy)
        operand = self._new_operand(desc, "constant")
        self._constants[operand.id] = array
        return operand

    def _constant_from_tensor(self, tensor: MLTensor) -> MLOperand:
        if tensor.context is not self._context:
            raise fail("constant", "the tensor belongs to another context")
        if tensor.is_destroyed:
            raise fail("constant", "the tensor is destroyed")
        if not tensor.constant:
            raise fail("constant", "the tensor was not created with create_constant_tensor")
        operand = self._new_operand(MLOperandDescriptor(tensor.data_type, tensor.shape), "constant")
        self._constants[operand.id] = tensor._host_data()
        return operand

    # -- spec §api-mlgraphbuilder-build ---------------------------------------------------
    def build(self, outputs: Mapping[str, MLOperand]) -> MLGraph:
        """Build (and compile) the graph computing ``outputs``; synchronous."""
        self._check_can_build("build")
        if not isinstance(outputs, Mapping) or not outputs:
            raise fail("build", "outputs must be a non-empty mapping of name -> MLOperand")
        for name, operand in outputs.items():
            if not isinstance(name, str) or not name:
                raise fail("build", "output names must be non-empty strings")
            self._operand("build", operand, f"outputs[{name!r}]")
            if operand.kind != "output":
                raise fail("build", f"output {name!r} is a graph {operand.kind}; "
                                    "wrap it in identity() to output it")
        nodes, used_inputs = _collect(outputs.values())
        constants = {
            o.id: _owned(self._constants[o.id])
            for n in nodes for o in n.inputs if o is not None and o.kind == "constant"
        }
        inputs = {name: op for name, op in self._inputs.items() if op.id in used_inputs}
        graph = MLGraph(self._context, inputs, dict(outputs), nodes, constants)
        self._has_built = True
        self._context._compile(graph)
        return graph

    # -- helpers for operator mixins --------------------------------------------------
    def _check_can_build(self, op: str) -> None:
        if self._has_built:
            raise InvalidStateError(f"{op}: the builder has already built a graph")
        if self._context.is_lost:
            raise InvalidStateError(f"{op}: the context is lost")

    def _check_descriptor(self, op: str, desc: MLOperandDescriptor) -> None:
        if not desc.check_dimensions():
            raise fail(op, f"shape {list(desc.shape)} has an invalid dimension (each must be "
                           "> 0 and the element count within the long range)")
        limits = self._context._support_limits()
        key = "input" if op == "input" else "constant"
        if desc.data_type not in limits[key]["data_types"]:
            raise fail(op, f"data type {desc.data_type} is not supported by the "
                           f"{self._context.backend_name} backend")
        if desc.rank > limits[key]["rank_range"]["max"]:
            raise fail(op, f"rank {desc.rank} exceeds the {self._context.backend_name} backend's "
                           f"maximum rank {limits[key]['rank_range']['max']}")
        self._context._check_byte_length(op, desc)

    def _operand(self, op: str, value: object, what: str = "input",
                 optional: bool = False) -> MLOperand | None:
        """The spec's "validating operand": an MLOperand of this builder."""
        if value is None and optional:
            return None
        if not isinstance(value, MLOperand):
            raise fail(op, f"{what} must be an MLOperand, got {type(value).__name__}")
        if value._builder is not self:
            raise fail(op, f"{what} was created by another MLGraphBuilder")
        return value

    def _new_operand(self, desc: MLOperandDescriptor, kind: str,
                     name: str | None = None) -> MLOperand:
        operand = MLOperand(self, desc, kind, self._next_id, name)
        self._next_id += 1
        return operand

    def _emit(self, op: str, inputs: Sequence[MLOperand | None], attrs: dict[str, Any],
              output_descs: Sequence[MLOperandDescriptor], label: str = "",
              limits: Mapping[str, object] | None = None) -> list[MLOperand]:
        """Check the operands against the spec's tensor limits and the context's support
        limits, then make the graph connections. ``limits`` maps the spec's operand keys
        (``input``, ``a``, ``output`` ...) to operands or descriptors."""
        self._check_can_build(op)
        if not isinstance(label, str):
            raise fail(op, "label must be a string")
        if limits is not None:
            check_tensor_limits(op, limits)
            self._context._check_support(op, limits)
        for desc in output_descs:
            if not desc.check_dimensions():
                raise fail(op, f"output shape {list(desc.shape)} is not a valid shape")
        node = Node(op, tuple(inputs), attrs, label=label)
        node.outputs = tuple(self._new_operand(d, "output") for d in output_descs)
        for out in node.outputs:
            out.node = node
        return list(node.outputs)


def _collect(outputs: Sequence[MLOperand] | Any) -> tuple[list[Node], set[int]]:
    """The operators needed for ``outputs`` in topological order, and the input ids."""
    order: list[Node] = []
    seen: set[int] = set()
    inputs: set[int] = set()
    stack: list[tuple[MLOperand, bool]] = [(o, False) for o in outputs]
    while stack:
        operand, expanded = stack.pop()
        node = operand.node
        if node is None:
            if operand.kind == "input":
                inputs.add(operand.id)
            continue
        if id(node) in seen and not expanded:
            continue
        if expanded:
            if id(node) not in seen:
                seen.add(id(node))
                order.append(node)
            continue
        stack.append((operand, True))
        for dep in node.inputs:
            if dep is not None and (dep.node is None or id(dep.node) not in seen):
                stack.append((dep, False))
    return order, inputs


def _owns_memory(array: np.ndarray) -> bool:
    """Whether ``array``'s memory is numpy's own (the array's or a base array's) or an
    immutable ``bytes`` object's: memory that lives as long as the array does."""
    base: Any = array
    while isinstance(base, np.ndarray):
        if base.flags.owndata:
            return True
        base = base.base
    return isinstance(base, bytes)


def _owned(array: np.ndarray) -> np.ndarray:
    """``array`` when its memory lives as long as it does, else an owned copy (a constant
    taken with ``copy=False`` over a host framework's memory, copied once at build)."""
    return array if _owns_memory(array) else np.array(array, copy=True, order="C")


def _buffer_to_array(op: str, buffer: Any, desc: MLOperandDescriptor,
                     copy: bool = True) -> np.ndarray:
    """Copy ``buffer`` (numpy array, bytes-like or sequence of numbers) for ``desc``; with
    ``copy=False`` a numpy array of ``desc``'s dtype in C order is taken by reference (a
    reshaped view)."""
    dtype = desc.numpy_dtype
    if isinstance(buffer, np.ndarray):
        array = buffer
        if buffer.dtype != dtype:
            # raw bytes (an ArrayBuffer) of the right length, or the matching element type
            if buffer.dtype != np.uint8 or buffer.nbytes != desc.byte_length:
                raise fail(op, f"buffer dtype {buffer.dtype} does not match data type "
                               f"{desc.data_type}")
            array = np.ascontiguousarray(buffer).reshape(-1).view(dtype)
        if array.size != desc.element_count:
            raise fail(op, f"buffer has {array.size} elements, descriptor needs "
                           f"{desc.element_count}")
        if not copy and array.dtype == dtype and array.flags.c_contiguous:
            return array.reshape(desc.shape)
        return np.array(array, dtype=dtype, copy=True, order="C").reshape(desc.shape)
    if isinstance(buffer, (bytes, bytearray, memoryview)):
        raw = bytes(buffer)
        if len(raw) != desc.byte_length:
            raise fail(op, f"buffer has {len(raw)} bytes, descriptor needs {desc.byte_length}")
        return np.frombuffer(raw, dtype=dtype).reshape(desc.shape).copy()
    if isinstance(buffer, (list, tuple)):
        try:
            array = np.array(buffer, dtype=dtype)
        except (ValueError, TypeError, OverflowError) as exc:
            raise fail(op, f"buffer values do not fit {desc.data_type}: {exc}") from None
        if array.size != desc.element_count:
            raise fail(op, f"buffer has {array.size} elements, descriptor needs "
                           f"{desc.element_count}")
        return array.reshape(desc.shape)
    raise fail(op, f"buffer must be a numpy array, bytes-like or sequence, got "
                   f"{type(buffer).__name__}")
