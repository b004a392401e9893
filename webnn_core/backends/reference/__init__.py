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

import numpy as np

from ...graph import MLGraph
from ..base import Backend, CompiledGraph
from ._registry import registry

for _mod in pkgutil.iter_modules(__path__):
    if not _mod.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_mod.name}")


class ReferenceBackend(Backend):
    """Executes graphs node by node with numpy."""

    name = "reference"
    max_rank = 32

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
