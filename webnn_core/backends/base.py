"""What a backend provides to MLContext: its context options, op support, tensor storage and
compiled graphs.

A backend is a :class:`Backend` subclass registered by name (see :mod:`webnn_core.backends`).
``create_context`` validates only the spec's MLContextOptions (webnn-spec
§api-ml-createcontext) and hands every other option to :meth:`Backend.create`, so each
backend owns its options. A backend receives only validated graphs (see
:mod:`webnn_core.builder`); its job is to translate ``Node``s and run them. Each backend keeps
a registry op -> implementation in one module per operator family, found through
:class:`Registry`. It also owns the memory of its MLTensors (:class:`TensorStorage`; spec
§api-mltensor: a tensor's data lives with the context's device), so a device backend can
keep them in device buffers.
"""

from __future__ import annotations

import functools
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..errors import ValidationError
from ..graph import MLGraph
from ..types import DATA_TYPES, MLOperandDescriptor

#: the ``precision`` value asking for the fastest precision the context's device runs (each
#: backend resolves it into a :class:`PrecisionChoice`)
FAST = "fast"
#: values of the ``precision`` context option (a backend may support fewer)
PRECISIONS = ("float32", "bfloat16", "float16", FAST)


@dataclass(frozen=True)
class PrecisionChoice:
    """What a context computes float32 graphs in: ``precision`` for the ``requested``
    option value, and why. "float32" is exact; anything else is a reduced precision the
    user allowed: explicitly, or through "fast", which a backend resolves per device to the
    fastest precision it measured that keeps the accuracy rule, else float32."""

    requested: str
    precision: str
    reason: str = ""

    def __str__(self) -> str:
        if self.requested == self.precision:
            return self.precision
        return f"{self.precision} (asked for {self.requested}: {self.reason})"


EXACT = PrecisionChoice("float32", "float32")


@functools.cache
def cpu_flags() -> frozenset[str]:
    """The host CPU's feature flags as Linux reports them (empty where /proc/cpuinfo is
    absent): what "fast" precision choices look at (``amx_bf16``, ``avx512_bf16``)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.partition(":")[2].split())
    return frozenset()


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


class TensorStorage(ABC):
    """The memory behind one MLTensor (spec §api-mltensor: the tensor's data is owned by its
    context's device). ``MLContext.read_tensor``/``write_tensor`` copy through :meth:`read`
    and :meth:`write`; ``MLContext.dispatch`` hands storages to
    :meth:`CompiledGraph.dispatch_tensors`, so a device backend keeps device buffers here and
    data crosses to the host only on read and write."""

    __slots__ = ("descriptor",)

    def __init__(self, descriptor: MLOperandDescriptor) -> None:
        self.descriptor = descriptor

    @abstractmethod
    def read(self) -> np.ndarray:
        """A new host array of the descriptor's dtype and shape holding the data
        (spec §api-mlcontext-readtensor copies the data out)."""

    @abstractmethod
    def write(self, array: np.ndarray) -> None:
        """Copy ``array`` (the descriptor's dtype and shape) in
        (spec §api-mlcontext-writetensor)."""

    def read_into(self, output: np.ndarray) -> None:
        """Copy the data into ``output`` (the descriptor's dtype, any layout)."""
        np.copyto(output, self.read().reshape(output.shape))

    def host_array(self) -> np.ndarray | None:
        """The host array holding the data when there is one (no copy), else None."""
        return None

    def release(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Free the memory (spec §api-mltensor-destroy); the storage is not used again."""


class HostTensorStorage(TensorStorage):
    """Tensor memory as a host numpy array (``array``), for backends that compute on host
    memory: dispatch reads and writes ``array`` in place, without a copy."""

    __slots__ = ("array",)

    def __init__(self, descriptor: MLOperandDescriptor) -> None:
        super().__init__(descriptor)
        # the spec initialises a new tensor's data to zeros
        self.array: np.ndarray = np.zeros(descriptor.shape, dtype=descriptor.numpy_dtype)

    def read(self) -> np.ndarray:
        return self.array.copy()

    def write(self, array: np.ndarray) -> None:
        np.copyto(self.array, array)

    def read_into(self, output: np.ndarray) -> None:
        np.copyto(output, self.array.reshape(output.shape))

    def host_array(self) -> np.ndarray | None:
        return self.array

    def release(self) -> None:
        self.array = None  # type: ignore[assignment]


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

    def dispatch_tensors(self, inputs: Mapping[str, TensorStorage],
                         outputs: Mapping[str, TensorStorage]) -> None:
        """Run on MLTensor storages, writing into the output storages (spec
        §api-mlcontext-dispatch). This default serves :class:`HostTensorStorage` through
        :meth:`dispatch`; a backend with device storage overrides it."""
        self.dispatch({name: s.array for name, s in inputs.items()},  # type: ignore[attr-defined]
                      {name: s.array for name, s in outputs.items()})  # type: ignore[attr-defined]


class Backend(ABC):
    """A WebNN backend: one per MLContext, made by :meth:`create` from the context options.

    Subclasses set ``name``, ``registry`` and ``context_options``, implement
    :meth:`compile`, and override :meth:`create` when they take options,
    :meth:`create_tensor_storage` when their tensors live off the host and
    :meth:`clear_cache` when they cache compiled graphs.
    """

    name: str = ""
    #: largest tensor rank the backend runs
    max_rank: int = 8
    #: largest tensor in bytes (inputs, constants, MLTensors): what op_support_limits()
    #: reports as max_tensor_byte_length and what the builder and context enforce
    max_tensor_byte_length: int = 2**31 - 1
    #: data types of graph inputs, constants and outputs
    io_data_types: tuple[str, ...] = DATA_TYPES
    #: the create_context options this backend takes besides the spec's MLContextOptions
    context_options: ClassVar[tuple[str, ...]] = ()
    registry: Registry
    #: the precision float32 graphs compute in (set by backends that take ``precision``)
    precision_choice: PrecisionChoice = EXACT

    # -- context creation (spec §api-ml-createcontext) ----------------------------------------
    @classmethod
    def create(cls, options: Mapping[str, Any], power_preference: str) -> Backend:
        """The backend of a new context. ``options`` are the create_context options other
        than the spec's and ``backend``; ``power_preference`` is the spec's, validated.
        Raises :class:`ValidationError` (a TypeError, as the spec's option conversion does)
        for an unknown or ill-typed option and :class:`NotSupportedError` for a value this
        backend or machine cannot serve. This default takes no options."""
        cls.check_option_names(options)
        return cls()

    @classmethod
    def check_option_names(cls, options: Mapping[str, Any]) -> None:
        """Reject options not in ``context_options`` (ValidationError)."""
        unknown = sorted(set(options) - set(cls.context_options))
        if unknown:
            raise ValidationError(f"create_context: unknown option(s) {unknown} for the "
                                  f"{cls.name} backend; its options: "
                                  f"{sorted(cls.context_options)}")

    # -- compilation ------------------------------------------------------------------------
    @abstractmethod
    def compile(self, graph: MLGraph) -> CompiledGraph:
        """Compile ``graph`` (called once per build)."""

    @classmethod  # noqa: B027 - optional hook, nothing cached by default
    def clear_cache(cls) -> None:
        """Drop compiled graphs this backend class keeps between builds (graphs already
        built keep theirs); a benchmark calls it so that a first build includes the
        compile. This default keeps nothing."""

    # -- tensors (spec §api-mltensor) -------------------------------------------------------
    def create_tensor_storage(self, descriptor: MLOperandDescriptor) -> TensorStorage:
        """The memory of a new MLTensor, zero-filled (spec §api-mlcontext-createtensor).
        This default allocates host memory, which :meth:`CompiledGraph.dispatch_tensors`
        serves without copies."""
        return HostTensorStorage(descriptor)

    def supported_data_types(self, op: str, key: str) -> tuple[str, ...] | None:
        """Data types supported for ``op``'s operand ``key``; None for all the spec allows."""
        entry = self.registry.entries.get(op)
        if entry is None:
            return ()
        return entry.data_types.get(key)

    def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release backend resources."""


def check_device_option(options: Mapping[str, Any], default: str = "CPU") -> str:
    """The ``device`` option: a string (ValidationError otherwise); its value is for the
    backend to check."""
    device = options.get("device", default)
    if not isinstance(device, str):
        raise ValidationError(f"create_context: device must be a string, got "
                              f"{type(device).__name__}")
    return device


def check_cache_dir_option(options: Mapping[str, Any]) -> str | None:
    """The ``cache_dir`` option: None, a string or an ``os.PathLike`` (ValidationError
    otherwise), as a string."""
    cache_dir = options.get("cache_dir")
    if cache_dir is None:
        return None
    if not isinstance(cache_dir, (str, os.PathLike)):
        raise ValidationError(f"create_context: cache_dir must be a path, got "
                              f"{type(cache_dir).__name__}")
    return os.fsdecode(cache_dir)
