"""The part of a translator's view of its node that does not depend on the host."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

import webnn_core as webnn

from .errors import Unsupported
from .operands import new_constant


class TranslatorView(ABC):
    """Base of ONNX's ``NodeView`` and TFLite's ``OpView``: the builder ``b`` and the
    helpers every translator uses. ``prefix`` starts every refusal's reason (the node)."""

    b: webnn.MLGraphBuilder
    prefix: str = ""

    def constant(self, array: np.ndarray | Any, data_type: str | None = None) -> webnn.MLOperand:
        """A new WebNN constant (``data_type`` defaults to the array's own)."""
        return new_constant(self.b, array, data_type)

    def unsupported(self, reason: str, kind: str = "attribute") -> Unsupported:
        """The refusal to raise: ``raise v.unsupported("why", "kind")``."""
        return Unsupported(f"{self.prefix}: {reason}", kind)

    def shape(self, i: int) -> tuple[int, ...]:
        """Input ``i``'s (static) shape."""
        return self.input(i).shape

    @abstractmethod
    def input(self, i: int) -> webnn.MLOperand:
        """Input ``i`` as a WebNN operand (each host's view reads its own graph)."""
