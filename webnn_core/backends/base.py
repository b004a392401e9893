"""What a backend provides to MLContext: op support and compiled graphs.

A backend receives only validated graphs (see :mod:`webnn_core.builder`); its job is to
translate ``Node``s and run them. Each backend keeps a registry op -> implementation in
one module per operator family, found through :class:`Registry`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..graph import MLGraph
from ..types import DATA_TYPES


@dataclass
class OpEntry:
    """One registered implementation and the data types it supports per operand key
    (spec operand names: ``input``, ``a``, ``indices`` ...); absent keys support every
    data type the spec allows."""

    fn: Callable[..., Any]
    data_types: dict[str, tuple[str, ...]] = field(default_factory=dict)


class Registry:
    """op name -> OpEntry, filled by ``@registry.register("op", ...)`` decorators."""

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self.entries: dict[str, OpEntry] = {}

    def register(self, *ops: str, data_types: Mapping[str, tuple[str, ...]] | None = None
                 ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
            for op in ops:
                if op in self.entries:
                    raise RuntimeError(f"{self.backend}: {op} registered twice")
                self.entries[op] = OpEntry(fn, dict(data_types or {}))
            return fn
        return decorate

    def __contains__(self, op: str) -> bool:
        return op in self.entries

    def __getitem__(self, op: str) -> OpEntry:
        return self.entries[op]


class CompiledGraph(ABC):
    """A graph ready to run; thread-safe."""

    @abstractmethod
    def compute(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Run with validated, C-contiguous inputs; return fresh output arrays."""

    def dispatch(self, inputs: Mapping[str, np.ndarray], outputs: Mapping[str, np.ndarray]) -> None:
        """Run and write results into the given output arrays."""
        results = self.compute(inputs)
        for name, array in outputs.items():
            np.copyto(array, results[name])


class Backend(ABC):
    """A WebNN backend."""

    name: str = ""
    #: largest tensor rank the backend runs
    max_rank: int = 8
    #: data types of graph inputs, constants and outputs
    io_data_types: tuple[str, ...] = DATA_TYPES
    registry: Registry

    @abstractmethod
    def compile(self, graph: MLGraph) -> CompiledGraph:
        """Compile ``graph`` (called once per build)."""

    def supported_data_types(self, op: str, key: str) -> tuple[str, ...] | None:
        """Data types supported for ``op``'s operand ``key``; None for all the spec allows."""
        entry = self.registry.entries.get(op)
        if entry is None:
            return ()
        return entry.data_types.get(key)

    def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release backend resources."""
