"""The results of translation shared by the hosts: a node's :class:`Verdict` and a built
:class:`TranslatedGraph`, and the two steps around every translator call.

Support is decided by *running the translator* on a scratch builder (:func:`judge`), so "is
this node supported?" and "emit it" can never drift apart; :func:`finish_graph` turns the
operands of a translated group into one built MLGraph (WebNN §api-mlgraphbuilder-build).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import webnn_core as webnn

from .errors import Unsupported, guard

Key = TypeVar("Key", bound=Hashable)
#: an output's WebNN data type and shape (None where it follows a symbolic dimension)
OutputDescriptor = tuple[str, tuple[int | None, ...]]


@dataclass
class Verdict:
    """Whether one node can run on WebNN, and why not (``reason``, ``kind``: see
    :class:`~.errors.Unsupported`).

    ``outputs`` (supported ONNX nodes) maps each output to the WebNN data type and shape
    WebNN's own shape inference gave it on the scratch builder.
    """

    supported: bool
    reason: str = ""
    kind: str = ""
    outputs: dict[str, OutputDescriptor] = field(default_factory=dict)


@dataclass
class TranslatedGraph(Generic[Key]):
    """One WebNN graph for a group of host nodes: ``inputs``/``outputs`` are host value keys
    (ONNX value names, TFLite tensor indices), inputs in the order the graph reads them."""

    graph: webnn.MLGraph
    inputs: list[Key]
    outputs: list[Key]


def judge(label: str, check: Callable[[], Mapping[str, OutputDescriptor] | None]) -> Verdict:
    """Run ``check`` (translate node ``label`` alone) under :func:`~.errors.guard`: a
    verdict with its outputs, or the refusal's reason."""
    try:
        with guard(label):
            outputs = check()
    except Unsupported as exc:
        return Verdict(False, exc.reason, exc.kind)
    return Verdict(True, outputs=dict(outputs or {}))


def finish_graph(builder: webnn.MLGraphBuilder, operands: Mapping[Key, webnn.MLOperand],
                 inputs: Sequence[Key], outputs: Sequence[Key],
                 name: Callable[[Key], str] = str) -> TranslatedGraph[Key]:
    """Build the graph producing ``outputs`` (each named ``name(key)``). An output that is
    an input or a constant passed straight through gets an ``identity`` (a graph output must
    be computed, WebNN §api-mlgraphbuilder-build); an input no output depends on (e.g.
    CastLike's type donor) is not a graph input and is dropped from ``inputs``."""
    named = {}
    for key in outputs:
        operand = operands.get(key)
        if operand is None:
            raise RuntimeError(f"group output {key!r} is not produced by its nodes")
        if operand.kind != "output":
            operand = builder.identity(operand)
        named[name(key)] = operand
    built = builder.build(named)
    used = [key for key in inputs if name(key) in built.inputs]
    return TranslatedGraph(built, used, list(outputs))
