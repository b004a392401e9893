"""The numpy reference backend: the spec's exact semantics, the oracle for tests.

Kernels live in one module per operator family and register with :data:`registry`:
``fn(node, *inputs) -> ndarray | list[ndarray]``, inputs being numpy arrays (None for an
absent optional operand). float16 inputs are widened to float32 before a kernel runs and
every result is cast to the output operand's data type, so a kernel computes a float16
operator as float32 then rounds once, as WPT expects.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from ...errors import NotSupportedError
from ...graph import MLGraph
from ...types import to_enum
from ..base import (
    FAST,
    PRECISIONS,
    Backend,
    CompiledGraph,
    PrecisionChoice,
    check_cache_dir_option,
    check_device_option,
)
from ._registry import registry

for _mod in pkgutil.iter_modules(__path__):
    if not _mod.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_mod.name}")


class ReferenceBackend(Backend):
    """Executes graphs node by node with numpy."""

    name = "reference"
    max_rank = 32
    #: the built-ins' option names, so that a context's options can move between them;
    #: ``cache_dir`` is accepted and unused (nothing is compiled)
    context_options: ClassVar[tuple[str, ...]] = ("device", "precision", "cache_dir")

    @classmethod
    def create(cls, options: Mapping[str, Any], power_preference: str) -> ReferenceBackend:
        """Runs on the host CPU (``device`` "CPU"), in each graph's own precision
        (``precision`` "float32": no reduced-precision permission), as the spec's
        algorithms define the results."""
        cls.check_option_names(options)
        device = check_device_option(options)
        if device not in ("CPU", "cpu"):
            raise NotSupportedError(f"create_context: the reference backend runs on CPU "
                                    f"only, not {device!r}")
        precision = to_enum(options.get("precision", "float32"), "precision", PRECISIONS)
        if precision not in ("float32", FAST):
            raise NotSupportedError("create_context: the reference backend computes in "
                                    "the graph's own precision only")
        check_cache_dir_option(options)
        backend = cls()
        if precision == FAST:
            backend.precision_choice = PrecisionChoice(
                FAST, "float32", "the reference backend computes each graph in its own "
                "precision")
        return backend

    def __init__(self) -> None:
        self.registry = registry

    def compile(self, graph: MLGraph) -> CompiledGraph:
        return ReferenceGraph(graph)


class ReferenceGraph(CompiledGraph):
    def __init__(self, graph: MLGraph) -> None:
        self._graph = graph
        self._constants = {k: _widen(v) for k, v in graph.constants.items()}

    def compute(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        graph = self._graph
        values: dict[int, np.ndarray] = dict(self._constants)
        for name, operand in graph.inputs.items():
            values[operand.id] = _widen(inputs[name])
        for node in graph.nodes:
            args = [None if o is None else values[o.id] for o in node.inputs]
            with np.errstate(all="ignore"):
                result = registry[node.op].fn(node, *args)
            results = result if isinstance(result, (list, tuple)) else [result]
            for operand, value in zip(node.outputs, results, strict=True):
                value = np.asarray(value)
                dtype = operand.descriptor.numpy_dtype
                if value.dtype != dtype:
                    with np.errstate(all="ignore"):
                        value = value.astype(dtype)
                # keep float16 results widened (exactly) for the next kernel
                values[operand.id] = _widen(value.reshape(operand.shape))
        return {
            name: np.array(values[o.id], dtype=o.descriptor.numpy_dtype, copy=True)
            for name, o in graph.outputs.items()
        }


def _widen(array: np.ndarray) -> np.ndarray:
    return array.astype(np.float32) if array.dtype == np.float16 else array
