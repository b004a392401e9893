"""The XLA backend: a built MLGraph becomes one ``jax.jit``-compiled XLA executable.

Lowerings live in one module per operator family (as in the reference backend, whose
semantics they mirror) and register with :data:`registry`; see :mod:`._registry`.

- Devices: ``device`` "cpu" (default) or "gpu" (any device jax's GPU plugin provides);
  NotSupportedError when jax has no such device.
- Exact by default (``precision`` "float32"): float32 computes in float32 and every
  convolution and matrix product runs at ``lax.Precision.HIGHEST`` (no TF32). "tf32",
  "bfloat16" and "float16" allow reduced precision for those products only on request;
  "fast" picks per device (:func:`choose_precision`): TF32 on the GPU, bfloat16 operands on
  CPUs with native bfloat16 dot products, else float32.
- 64-bit integers are exact: tracing, compiling, transfers and runs happen inside a scoped
  ``jax.enable_x64(True)`` (thread-local), so the process-wide ``jax_enable_x64`` that the
  user's own JAX code sees never changes.
- float16 follows the reference backend: each operator computes on float32-widened values
  and rounds once to float16.
- Compiled executables are cached by (graph structure key, device, precision) and the
  constants' digest (:mod:`.._cache`: a first build hashes no weights). Constants are
  compiled into the executable (:data:`EMBED_LIMITS`; the others are put on the
  device once per cache entry and passed to each call); a call hands host inputs to the
  executable, which moves each to the device as part of the call, and copies each output
  back once. :meth:`XLABackend.clear_cache` empties it.
- MLTensors live on the device (:class:`XLATensorStorage`), so ``dispatch`` on tensors
  moves no data through the host.
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from ...errors import NotSupportedError
from ...graph import MLGraph, Node
from ...types import MLOperandDescriptor, to_enum
from .._cache import CompiledCache
from ..base import (
    EXACT,
    FAST,
    Backend,
    CompiledGraph,
    PrecisionChoice,
    TensorStorage,
    check_cache_dir_option,
    check_device_option,
    cpu_flags,
)
from ._registry import DotSettings, registry, set_dot_settings

for _mod in pkgutil.iter_modules(__path__):
    if not _mod.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_mod.name}")

#: values of the ``precision`` option
XLA_PRECISIONS = ("float32", "tf32", "bfloat16", "float16", FAST)
_DOT_SETTINGS = {
    "float32": DotSettings(lax.Precision.HIGHEST, None),
    "tf32": DotSettings(lax.Precision.DEFAULT, None),
    "bfloat16": DotSettings(lax.Precision.DEFAULT, jnp.bfloat16),
    "float16": DotSettings(lax.Precision.DEFAULT, jnp.float16),
}
_PLATFORMS = {"cpu": "cpu", "gpu": "gpu", "cuda": "gpu"}
_LOCK = threading.RLock()
_CACHE_MAX = 64
#: executables by (structure key, device, precision) and constants digest; they copy the
#: constants (into the program or to the device), so entries do not keep the graph's
_CACHE = CompiledCache(_CACHE_MAX, keeps_constants=False)
#: per jax platform, (budget, largest): constants of at most ``largest`` bytes are compiled
#: into the executable, smallest first, up to ``budget`` bytes in all; the rest are device
#: buffers passed to every call. Compiled in, a constant costs the call nothing and XLA
#: applies what the graph does to it (layout changes, batch-norm scales) once at compile
#: time; as an argument, each costs time on every call. On XLA:CPU every weight goes in
#: (runs as fast or faster, and small models' first runs are shorter); XLA:GPU folds large
#: weights into its convolution layouts slowly (several times a ResNet-50's compile time),
#: so there only small constants (biases, scales, shapes) go in. The budget bounds the
#: executable's size.
EMBED_LIMITS: dict[str, tuple[int, int]] = {"cpu": (256 << 20, 256 << 20),
                                            "gpu": (256 << 20, 64 << 10)}


@contextlib.contextmanager
def x64() -> Iterator[None]:
    """64-bit types for the enclosed JAX calls only (thread-local, restored on exit): the
    global ``jax_enable_x64`` other code sees is untouched."""
    with jax.enable_x64(True):
        yield


class XLABackend(Backend):
    """Compiles each graph with XLA (``jax.jit``) for one jax device."""

    name = "xla"
    max_rank = 8
    #: ``cache_dir`` is accepted (so options move between the built-ins) and unused
    context_options: ClassVar[tuple[str, ...]] = ("device", "precision", "cache_dir")

    @classmethod
    def create(cls, options: Mapping[str, Any], power_preference: str) -> XLABackend:
        """``device`` "cpu" (default) or "gpu"; ``precision`` "float32" (default, exact),
        "tf32", "bfloat16" or "float16" (reduced precision for convolutions and matrix
        products) or "fast" (see :func:`choose_precision`). webnn-spec
        §api-ml-createcontext leaves the device choice to the implementation."""
        cls.check_option_names(options)
        device = check_device_option(options, default="cpu")
        precision = to_enum(options.get("precision", "float32"), "precision", XLA_PRECISIONS)
        check_cache_dir_option(options)
        return cls(device=device, precision=precision)

    @classmethod
    def clear_cache(cls) -> None:
        """Forget every compiled executable (and its device-resident constants)."""
        with _LOCK:
            _CACHE.clear()

    def __init__(self, device: str = "cpu", precision: str = "float32") -> None:
        self.registry = registry
        self.device = _jax_device(device)
        self.device_name = device.lower()
        self.precision_choice = choose_precision(self.device.platform, precision)
        self.precision = self.precision_choice.precision

    def compile(self, graph: MLGraph) -> CompiledGraph:
        key = (graph.structure_key(), str(self.device), self.precision)
        with _LOCK:  # one compile at a time: a second build of a graph waits and reuses
            executable = _CACHE.get(key, graph)
            if executable is None:
                executable = _Executable(graph, self.device, self.precision)
                _CACHE.put(key, graph, executable)
        return XLAGraph(executable, graph)

    def create_tensor_storage(self, descriptor: MLOperandDescriptor) -> TensorStorage:
        return XLATensorStorage(descriptor, self.device)


def choose_precision(platform: str, requested: str) -> PrecisionChoice:
    """What a context on a jax ``platform`` ("cpu", "gpu") computes float32 products in for
    the option value ``requested``; "fast" is TF32 on GPUs (tensor cores), bfloat16 operands
    on CPUs whose flags show native bfloat16 dot products (XLA:CPU's float32 convolutions
    gain nothing from it, its matrix products do), else float32."""
    if requested == "float32":
        return EXACT
    if requested != FAST:
        return PrecisionChoice(requested, requested)
    if platform == "gpu":
        return PrecisionChoice(FAST, "tf32", "TF32 tensor cores run float32 convolutions "
                               "and matrix products faster")
    if {"avx512_bf16", "amx_bf16"} & cpu_flags():
        return PrecisionChoice(FAST, "bfloat16", "this CPU computes bfloat16 dot products "
                               "natively")
    return PrecisionChoice(FAST, "float32", "this CPU has no native bfloat16 dot products")


def _jax_device(name: str) -> jax.Device:
    """The first jax device of the platform named ``name`` (NotSupportedError if none)."""
    platform = _PLATFORMS.get(name.lower())
    if platform is None:
        raise NotSupportedError(f"create_context: the xla backend runs on 'cpu' or 'gpu', "
                                f"not {name!r}")
    try:
        return jax.devices(platform)[0]
    except RuntimeError as exc:
        raise NotSupportedError(f"create_context: jax has no {platform} device here "
                                f"({exc})") from exc


# -- tracing ----------------------------------------------------------------------------------
def _widen(x: jnp.ndarray) -> jnp.ndarray:
    return x.astype(jnp.float32) if x.dtype == jnp.float16 else x


def _run_node(node: Node, args: list[jnp.ndarray | None]) -> list[jnp.ndarray]:
    """One operator: its lowering, each result cast to its operand's type and shape and
    kept float32-widened (as the reference driver does)."""
    result = registry[node.op].fn(node, *args)
    results = result if isinstance(result, (list, tuple)) else [result]
    out = []
    for operand, value in zip(node.outputs, results, strict=True):
        value = jnp.asarray(value)
        dtype = operand.descriptor.numpy_dtype
        if value.dtype != dtype:
            value = value.astype(dtype)
        out.append(_widen(jnp.reshape(value, operand.shape)))
    return out


def trace(graph: MLGraph, constant_ids: list[int],
          embedded: Mapping[int, np.ndarray] | None = None
          ) -> Callable[..., tuple[jnp.ndarray, ...]]:
    """The graph as one function ``(constants, inputs) -> outputs`` of jax arrays; the
    constants ``embedded`` holds (id -> array) become part of the traced program instead."""
    input_ids = [operand.id for operand in graph.inputs.values()]
    outputs = list(graph.outputs.values())
    inline = dict(embedded or {})

    def run(constants: tuple[jnp.ndarray, ...], inputs: tuple[jnp.ndarray, ...]
            ) -> tuple[jnp.ndarray, ...]:
        values = {i: _widen(jnp.asarray(v)) for i, v in inline.items()}
        values.update({i: _widen(v) for i, v in zip(constant_ids, constants, strict=True)})
        values.update({i: _widen(v) for i, v in zip(input_ids, inputs, strict=True)})
        for node in graph.nodes:
            args = [None if o is None else values[o.id] for o in node.inputs]
            for operand, value in zip(node.outputs, _run_node(node, args), strict=True):
                values[operand.id] = value
        return tuple(values[o.id].astype(o.descriptor.numpy_dtype) for o in outputs)

    return run


def _embedded(arrays: Mapping[int, np.ndarray], budget: int, largest: int
              ) -> dict[int, np.ndarray]:
    """The constants to compile in: those of at most ``largest`` bytes, smallest first while
    their total fits ``budget``."""
    chosen: dict[int, np.ndarray] = {}
    total = 0
    for i, array in sorted(arrays.items(), key=lambda item: item[1].nbytes):
        total += array.nbytes
        if total > budget or array.nbytes > largest:
            break
        chosen[i] = array
    return chosen


class _Executable:
    """One compiled graph: the XLA executable and its device-resident constants."""

    def __init__(self, graph: MLGraph, device: jax.Device, precision: str) -> None:
        used = {o.id: o.shape for node in graph.nodes for o in node.inputs if o is not None}
        arrays = {i: np.ascontiguousarray(graph.constants[i]).reshape(used[i])
                  for i in graph.constants if i in used}
        embedded = _embedded(arrays, *EMBED_LIMITS.get(device.platform, EMBED_LIMITS["gpu"]))
        self.constant_ids = [i for i in arrays if i not in embedded]
        self.device = device
        self.input_names = list(graph.inputs)
        self.output_names = list(graph.outputs)
        fn = trace(graph, self.constant_ids, embedded)
        with x64():
            self.constants = tuple(jax.device_put(arrays[i], device)
                                   for i in self.constant_ids)
            sharding = jax.sharding.SingleDeviceSharding(device)
            specs = tuple(jax.ShapeDtypeStruct(o.shape, o.descriptor.numpy_dtype,
                                               sharding=sharding)
                          for o in graph.inputs.values())
            set_dot_settings(_DOT_SETTINGS[precision])
            try:
                lowered = jax.jit(fn).lower(self.constants, specs)
            finally:
                set_dot_settings(DotSettings())
            self.compiled = lowered.compile()

    def run(self, inputs: tuple[jax.Array | np.ndarray, ...]) -> tuple[jax.Array, ...]:
        """Run on device arrays or host arrays (call inside :func:`x64`); the executable
        moves host arrays to its device as part of the call (one transfer each, cheaper
        than a ``jax.device_put`` per array before it)."""
        return self.compiled(self.constants, inputs)


class XLAGraph(CompiledGraph):
    """A built graph's handle on its (possibly shared) executable."""

    def __init__(self, executable: _Executable, graph: MLGraph) -> None:
        self._exe = executable
        self._descriptors = {name: o.descriptor for name, o in graph.outputs.items()}

    def compute(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        exe = self._exe
        with x64():
            results = _reading(exe.run(tuple(inputs[name] for name in exe.input_names)))
            return {name: np.array(value, copy=True)
                    for name, value in zip(exe.output_names, results, strict=True)}

    def dispatch(self, inputs: Mapping[str, np.ndarray], outputs: Mapping[str, np.ndarray]
                 ) -> None:
        """Host arrays in, each output copied once from the device into ``outputs``."""
        exe = self._exe
        with x64():
            results = _reading(exe.run(tuple(inputs[name] for name in exe.input_names)))
            for name, value in zip(exe.output_names, results, strict=True):
                target = outputs.get(name)
                if target is not None:
                    np.copyto(target, np.asarray(value).reshape(target.shape))

    def dispatch_tensors(self, inputs: Mapping[str, TensorStorage],
                         outputs: Mapping[str, TensorStorage]) -> None:
        """Spec §api-mlcontext-dispatch on device tensors: no host round trip."""
        exe = self._exe
        with x64():
            args = tuple(_device_array(inputs[name], exe) for name in exe.input_names)
            results = exe.run(args)
        for name, value in zip(exe.output_names, results, strict=True):
            storage = outputs.get(name)
            if isinstance(storage, XLATensorStorage):
                storage.array = value
            elif storage is not None:
                storage.write(np.asarray(value))


def _reading(results: tuple[jax.Array, ...]) -> tuple[jax.Array, ...]:
    """``results`` with every device-to-host copy started: a graph of several outputs waits
    for the slowest copy once instead of for each copy in turn."""
    if len(results) > 1:
        for value in results:
            value.copy_to_host_async()
    return results


def _device_array(storage: TensorStorage, exe: _Executable) -> jax.Array:
    if isinstance(storage, XLATensorStorage) and storage.device == exe.device:
        return storage.array
    return jax.device_put(storage.read(), exe.device)


class XLATensorStorage(TensorStorage):
    """An MLTensor's data as a jax array on the context's device (spec §api-mltensor)."""

    __slots__ = ("array", "device")

    def __init__(self, descriptor: MLOperandDescriptor, device: jax.Device) -> None:
        super().__init__(descriptor)
        self.device = device
        with x64():
            self.array: jax.Array = jax.device_put(
                np.zeros(descriptor.shape, descriptor.numpy_dtype), device)

    def read(self) -> np.ndarray:
        with x64():
            return np.array(self.array, copy=True)

    def write(self, array: np.ndarray) -> None:
        data = np.ascontiguousarray(array, dtype=self.descriptor.numpy_dtype)
        with x64():
            self.array = jax.device_put(data.reshape(self.descriptor.shape), self.device)

    def release(self) -> None:
        self.array = None  # type: ignore[assignment]


__all__ = ["XLA_PRECISIONS", "XLABackend", "XLAGraph", "XLATensorStorage", "choose_precision",
           "registry", "x64"]
