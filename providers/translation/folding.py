"""The constant folder shared by the hosts: one driver, a host adapter, one evaluator.

WebNN graphs have static shapes (WebNN §api-mloperanddescriptor), while exported models
compute shapes at run time (ONNX's Shape -> Gather -> Concat -> Reshape, TFLite's SHAPE ->
STRIDED_SLICE -> PACK -> RESHAPE). Folding those computations into constants lets the
translators see a constant new shape. The driver decides for every host:

- which nodes fold: those the host calls foldable (:meth:`FoldHost.foldable`) whose value is
  known without evaluating them (:meth:`FoldHost.shortcut`: ONNX Constant, Shape/Size of a
  static shape) or whose inputs are all known (at least one), evaluated by the host;
- the size limit: an evaluated node folds only when no output has more than
  ``max_elements`` elements (folding is for shape-sized data, not for precomputing weights);
- graph outputs: a node producing one of the ``keep`` values is not folded (the graph needs
  its producer), and its values are not known downstream;
- what the report lists: the folded nodes' labels, in graph order.

Evaluation is the host's: :func:`evaluate_on_reference` runs the node's own translator,
with its inputs as constants, on the numpy reference backend (exact spec semantics), so a
folded value is what WebNN itself would compute; the TFLite translator folds this way. The
ONNX folder plugs in onnx.reference instead, because ONNX shape arithmetic passes through
empty tensors WebNN cannot hold (see ``webnn_providers.onnx.folding``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

import numpy as np

import webnn_core as webnn

Node = TypeVar("Node")
Key = TypeVar("Key", bound=Hashable)
Values = dict[Key, np.ndarray]


class FoldHost(Protocol[Node, Key]):
    """What the driver needs to know of a host's nodes."""

    def inputs(self, node: Node) -> Sequence[Key]:
        """The node's present inputs."""

    def outputs(self, node: Node) -> Sequence[Key]:
        """The node's present outputs."""

    def foldable(self, node: Node) -> bool:
        """Whether the node may fold at all (its kind, domain, output types)."""

    def shortcut(self, node: Node) -> dict[Key, np.ndarray] | None:
        """The node's values when they are known without evaluating it, else None."""

    def evaluate(self, node: Node, inputs: Mapping[Key, np.ndarray],
                 max_elements: int) -> dict[Key, np.ndarray] | None:
        """The node's output values from its known inputs; None when it does not evaluate
        (or an output would exceed ``max_elements``)."""

    def label(self, node: Node, position: int) -> str:
        """The node in reports ("Shape 'shape'", "Gather #4")."""


@dataclass
class Folded(Generic[Key]):
    """A folding pass: ``values`` of the folded nodes' outputs, the folded nodes'
    ``positions`` and ``labels`` (graph order)."""

    values: dict[Key, np.ndarray] = field(default_factory=dict)
    positions: list[int] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


class ConstantFolder(Generic[Node, Key]):
    """The folding driver (see the module docstring)."""

    def __init__(self, host: FoldHost[Node, Key], max_elements: int) -> None:
        self.host = host
        self.max_elements = max_elements

    def node_values(self, node: Node, known: Callable[[Key], np.ndarray | None]
                    ) -> dict[Key, np.ndarray] | None:
        """The values of ``node``'s outputs when it folds, given the values ``known`` so
        far, else None."""
        host = self.host
        if not host.foldable(node):
            return None
        values = host.shortcut(node)
        if values is not None:
            return values
        names = list(dict.fromkeys(host.inputs(node)))
        inputs = {name: known(name) for name in names}
        if not inputs or any(value is None for value in inputs.values()):
            return None
        values = host.evaluate(node, inputs, self.max_elements)  # type: ignore[arg-type]
        if values is None or any(v.size > self.max_elements for v in values.values()):
            return None
        return values

    def fold(self, nodes: Sequence[Node], known: Mapping[Key, np.ndarray],
             keep: Collection[Key] = ()) -> Folded[Key]:
        """One pass over ``nodes`` (in topological order) from the values ``known`` (read
        only for the inputs of nodes that may fold: a lazy mapping is never read whole)."""
        values: dict[Key, np.ndarray] = {}

        def lookup(key: Key) -> np.ndarray | None:
            value = values.get(key)
            return known.get(key) if value is None else value

        result: Folded[Key] = Folded()
        for position, node in enumerate(nodes):
            folded = self.node_values(node, lookup)
            if folded is None or any(k in keep for k in self.host.outputs(node)):
                continue
            values.update(folded)
            result.values.update(folded)
            result.positions.append(position)
            result.labels.append(self.host.label(node, position))
        return result


# -- the reference-backend evaluator -----------------------------------------------------------
_REFERENCE: list[webnn.MLContext] = []


def reference_context() -> webnn.MLContext:
    """The shared context of the numpy reference backend (exact spec semantics)."""
    if not _REFERENCE:
        _REFERENCE.append(webnn.ml.create_context(backend="reference"))
    return _REFERENCE[0]


def evaluate_on_reference(
        emit: Callable[[webnn.MLGraphBuilder], Mapping[str, webnn.MLOperand] | None],
        max_elements: int) -> dict[str, np.ndarray] | None:
    """Translate with ``emit`` (a node with constant inputs: it returns its named output
    operands, or None when it cannot be evaluated) on a reference-backend builder and
    compute the outputs; None when an output would have more than ``max_elements`` elements
    (nothing is computed then)."""
    builder = webnn.MLGraphBuilder(reference_context())
    outputs = emit(builder)
    if outputs is None or any(int(np.prod(o.shape, dtype=np.int64)) > max_elements
                              for o in outputs.values()):
        return None
    named = {name: builder.identity(o) for name, o in outputs.items()}
    computed = reference_context().compute(builder.build(named), {})
    return {name: np.asarray(computed[name]) for name in outputs}
