"""The computational graph: MLOperand, operators (nodes) and MLGraph.

webnn-spec §programming-model.

Backends receive an :class:`MLGraph` whose nodes are already validated, in topological
order, with every option filled in with its default (``Node.attrs``), so a backend only
translates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InvalidStateError
from .types import MLOperandDescriptor

if TYPE_CHECKING:
    from .backends.base import CompiledGraph
    from .builder import MLGraphBuilder
    from .context import MLContext


class MLOperand:
    """An operand of a graph being built (spec §api-mloperand).

    ``kind`` is "input", "constant" or "output" (an operator's result).
    """

    __slots__ = ("_builder", "descriptor", "id", "kind", "name", "node", "__weakref__")

    def __init__(self, builder: MLGraphBuilder, descriptor: MLOperandDescriptor, kind: str,
                 operand_id: int, name: str | None = None) -> None:
        self._builder = builder
        self.descriptor = descriptor
        self.kind = kind
        self.id = operand_id
        self.name = name
        self.node: Node | None = None

    @property
    def data_type(self) -> str:
        return self.descriptor.data_type

    @property
    def shape(self) -> tuple[int, ...]:
        return self.descriptor.shape

    @property
    def rank(self) -> int:
        return len(self.descriptor.shape)

    def __repr__(self) -> str:
        what = f" {self.name!r}" if self.name else ""
        return f"MLOperand({self.kind}{what}, {self.data_type}, {list(self.shape)})"


@dataclass(eq=False)
class Node:
    """One operator: ``op`` (snake_case spec name), its operand inputs in the order the
    builder method declares them (``None`` for an absent optional operand), its options
    with defaults resolved, and its outputs."""

    op: str
    inputs: tuple[MLOperand | None, ...]
    attrs: dict[str, Any]
    outputs: tuple[MLOperand, ...] = ()
    label: str = ""

    @property
    def output(self) -> MLOperand:
        return self.outputs[0]

    def describe(self) -> str:
        label = f" {self.label!r}" if self.label else ""
        return f"{self.op}{label}"


@dataclass(eq=False)
class MLGraph:
    """A built graph (spec §api-mlgraph): named inputs and outputs, the operators needed
    to compute the outputs in topological order, and constant data by operand id.

    The backend's compiled form is private (spec: an MLGraph is opaque); callers run a graph
    through its context (``compute``, ``dispatch``) or, for host runtimes,
    :meth:`dispatch_arrays`."""

    context: MLContext
    inputs: dict[str, MLOperand]
    outputs: dict[str, MLOperand]
    nodes: list[Node]
    constants: dict[int, np.ndarray]
    _compiled: CompiledGraph | None = field(default=None, repr=False)
    _destroyed: bool = False
    _fingerprint: str | None = field(default=None, repr=False)
    _structure_key: str | None = field(default=None, repr=False)
    _constant_order: list[int] = field(default_factory=list, repr=False)
    _constants_digest: str | None = field(default=None, repr=False)

    @property
    def input_descriptors(self) -> dict[str, MLOperandDescriptor]:
        return {name: op.descriptor for name, op in self.inputs.items()}

    @property
    def output_descriptors(self) -> dict[str, MLOperandDescriptor]:
        return {name: op.descriptor for name, op in self.outputs.items()}

    @property
    def is_destroyed(self) -> bool:
        return self._destroyed

    def destroy(self) -> None:
        """Release the compiled graph (spec §api-mlgraph-destroy); later compute/dispatch
        raise InvalidStateError."""
        self._destroyed = True
        self._compiled = None

    def check_alive(self) -> None:
        if self._destroyed:
            raise InvalidStateError("the MLGraph has been destroyed")

    def dispatch_arrays(self, inputs: Mapping[str, np.ndarray],
                        outputs: Mapping[str, np.ndarray]) -> None:
        """The providers' fast call path: run on host arrays, writing each output array in
        place. Unlike :meth:`MLContext.dispatch` nothing is validated but the graph's and
        the context's state (spec: a destroyed graph or a lost context cannot run); the
        caller guarantees every input and output is present, C-contiguous and of its
        descriptor's dtype and shape. The backend may keep the buffers bound between calls
        while their addresses stay the same."""
        compiled = self._compiled  # None once destroyed
        if compiled is None or self.context._lost:
            raise InvalidStateError("dispatch: the MLGraph has been destroyed or its context "
                                    "is lost")
        compiled.dispatch(inputs, outputs)

    def _structure(self) -> tuple[str, list[int]]:
        """The structure key (see :meth:`structure_key`) and the constant operand ids in
        the order it meets them (the order :meth:`constants_digest` hashes their bytes)."""
        if self._structure_key is None:
            h = hashlib.blake2b(digest_size=20)
            local: dict[int, int] = {}
            order: list[int] = []

            def ref(operand: MLOperand | None) -> str:
                if operand is None:
                    return "-"
                if operand.id not in local:
                    local[operand.id] = len(local)
                d = operand.descriptor
                return f"{local[operand.id]}:{d.data_type}{list(d.shape)}"

            for name, operand in sorted(self.inputs.items()):
                h.update(f"in {name} {ref(operand)}\n".encode())
            for node in self.nodes:
                for operand in node.inputs:
                    if operand is not None and operand.kind == "constant" and \
                            operand.id not in local:
                        h.update(f"const {ref(operand)}\n".encode())
                        order.append(operand.id)
                ins = ",".join(ref(o) for o in node.inputs)
                outs = ",".join(ref(o) for o in node.outputs)
                h.update(f"{node.op}({ins})->{outs} {sorted(node.attrs.items())!r}\n".encode())
            for name, operand in sorted(self.outputs.items()):
                h.update(f"out {name} {ref(operand)}\n".encode())
            self._structure_key = h.hexdigest()
            self._constant_order = order
        return self._structure_key, self._constant_order

    def structure_key(self) -> str:
        """A hash of topology, options and descriptors (constants' data types and shapes
        included, not their bytes): cheap, whatever the weights weigh. Graphs with equal
        fingerprints have equal structure keys; graphs with equal structure keys are equal
        when their :meth:`constants_digest` are too."""
        return self._structure()[0]

    def constants_digest(self) -> str:
        """A hash of every constant's bytes, in the order the structure key meets them (their
        sizes follow from the structure). Computed on first use only: a backend's cache
        asks for it when a graph of the same structure is already cached, so a first build
        never reads the weights to hash them."""
        if self._constants_digest is None:
            self._constants_digest = constants_digest(self.constants, self._structure()[1])
        return self._constants_digest

    def fingerprint(self) -> str:
        """A hash of topology, options, descriptors and constant bytes: equal graphs built
        twice share a compiled model (:meth:`structure_key` + :meth:`constants_digest`)."""
        if self._fingerprint is None:
            self._fingerprint = hashlib.blake2b(
                f"{self.structure_key()} {self.constants_digest()}".encode(),
                digest_size=20).hexdigest()
        return self._fingerprint


def constants_digest(constants: Mapping[int, np.ndarray], order: Sequence[int]) -> str:
    """The hash of the bytes of ``constants`` (operand id -> array) taken in ``order``:
    :meth:`MLGraph.constants_digest` (SHA-256, which CPUs with SHA extensions hash faster
    than blake2b)."""
    h = hashlib.sha256()
    for operand_id in order:
        data = np.ascontiguousarray(constants[operand_id])
        h.update(memoryview(data).cast("B"))  # no copy of the weights
    return h.hexdigest()
