"""ML and MLContext (webnn-spec §api-ml, §api-mlcontext), synchronous.

``webnn_core.ml.create_context(**options)`` takes the spec's MLContextOptions in snake_case
(``power_preference``, ``accelerated``), ``backend`` (a name, see
:mod:`webnn_core.backends`: "openvino" by default, "reference" for numpy with the spec's
exact semantics, or any registered one) and the chosen backend's own options, which the
backend validates (:meth:`Backend.create`). The built-ins take:

- ``device``: OpenVINO device name, default "CPU" (the reference runs on "CPU" only);
- ``precision``: "float32" (default: float32 graphs compute in float32), reduced
  precision "bfloat16"/"float16" where the device has it (OpenVINO; the XLA backend also
  takes "tf32"), or "fast": the fastest precision the backend knows for the device, float32
  where none is faster (:attr:`MLContext.precision` says which and why);
- ``cache_dir``: directory for OpenVINO's compiled-model cache (default: in memory only;
  the reference ignores it).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping
from typing import Any

import numpy as np

from .backends import get_backend
from .backends.base import Backend, PrecisionChoice
from .errors import InvalidStateError, OutOfMemoryError, ValidationError
from .graph import MLGraph
from .spec_tables import TENSOR_LIMITS
from .tensor import MLTensor
from .types import DATA_TYPES, MLOperandDescriptor, to_bool, to_enum

POWER_PREFERENCES = ("default", "high-performance", "low-power")
DEFAULT_BACKEND = "openvino"


class MLContext:
    """Global state for building and running graphs on one backend."""

    def __init__(self, backend: Backend, power_preference: str, accelerated: bool,
                 backend_name: str | None = None) -> None:
        self._backend = backend
        self._backend_name = backend.name if backend_name is None else backend_name
        self.power_preference = power_preference
        self.accelerated = accelerated
        self._lost = False
        self._limits: dict[str, Any] | None = None
        self._lock = threading.Lock()

    # -- properties --------------------------------------------------------------------
    @property
    def backend(self) -> Backend:
        return self._backend

    @property
    def backend_name(self) -> str:
        """The name the backend was created under (``create_context(backend=...)``)."""
        return self._backend_name

    @property
    def precision(self) -> PrecisionChoice:
        """What float32 graphs compute in on this context (not in the spec, which leaves
        it to the implementation): the ``precision`` option asked for, the precision the
        backend chose and why (``str()`` of it reads as one line)."""
        return self._backend.precision_choice

    @property
    def is_lost(self) -> bool:
        return self._lost

    def destroy(self) -> None:
        """Lose the context (spec §api-mlcontext-destroy)."""
        if not self._lost:
            self._lost = True
            self._backend.close()

    def _check_alive(self, what: str) -> None:
        if self._lost:
            raise InvalidStateError(f"{what}: the context is lost")

    # -- spec §api-mlcontext-opsupportlimits --------------------------------------------
    def op_support_limits(self) -> dict[str, Any]:
        """The spec's MLOpSupportLimits for this backend, with snake_case member names:
        ``{"preferred_input_layout", "max_tensor_byte_length", "input", "constant",
        "output", <op>: {<operand>: {"data_types": [...], "rank_range": {"min", "max"}}}}``.
        A new dictionary each call, as the spec's; editing it changes nothing.
        """
        return copy.deepcopy(self._support_limits())

    def _support_limits(self) -> dict[str, Any]:
        """The context's own (cached) limits, used for validation."""
        if self._limits is None:
            self._limits = _support_limits(self._backend)
        return self._limits

    def _check_byte_length(self, what: str, desc: MLOperandDescriptor) -> None:
        """The one tensor-size rule of builder.input/constant and create_tensor/
        create_constant_tensor: at most the ``max_tensor_byte_length`` this context reports
        (checked on the descriptor, before any buffer is read or allocated)."""
        limit = self._support_limits()["max_tensor_byte_length"]
        if desc.byte_length > limit:
            raise ValidationError(f"{what}: {desc.data_type}{list(desc.shape)} is "
                                  f"{desc.byte_length} bytes, more than the {self.backend_name} "
                                  f"backend's max_tensor_byte_length {limit}")

    def _check_support(self, op: str, operands: Mapping[str, object]) -> None:
        limits = self._support_limits()
        if op not in limits:
            raise ValidationError(f"{op}: not supported by the {self.backend_name} backend")
        for key, value in operands.items():
            if value is None or key not in limits[op]:
                continue
            entry = limits[op][key]
            for item in value if isinstance(value, (list, tuple)) else [value]:
                desc = getattr(item, "descriptor", item)
                if desc.data_type not in entry["data_types"]:
                    raise ValidationError(f"{op}: {key} data type {desc.data_type} is not "
                                          f"supported by the {self.backend_name} backend "
                                          f"(supported: "
                                          f"{', '.join(entry['data_types'])})")
                if desc.rank > entry["rank_range"]["max"]:
                    raise ValidationError(f"{op}: {key} rank {desc.rank} exceeds the "
                                          f"{self.backend_name} backend's maximum "
                                          f"{entry['rank_range']['max']}")

    # -- compilation and execution -----------------------------------------------------
    def _compile(self, graph: MLGraph) -> None:
        self._check_alive("build")
        try:
            graph._compiled = self._backend.compile(graph)
        except OutOfMemoryError:
            raise
        except MemoryError as exc:
            raise OutOfMemoryError(f"build: out of memory compiling the graph: {exc}") from exc

    def compute(self, graph: MLGraph, inputs: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """Run ``graph`` on ``inputs`` (name -> array) and return name -> numpy array.

        Synchronous and thread-safe. Inputs of the right dtype and C layout are not copied.
        """
        self._check_alive("compute")
        self._check_graph(graph, "compute")
        arrays = _validate_inputs(graph, inputs)
        try:
            return graph._compiled.compute(arrays)  # type: ignore[union-attr]
        except OutOfMemoryError:
            raise
        except MemoryError as exc:
            raise OutOfMemoryError(f"compute: out of memory running the graph: {exc}") from exc

    def _check_graph(self, graph: MLGraph, what: str) -> None:
        if not isinstance(graph, MLGraph):
            raise ValidationError(f"{what}: expected an MLGraph, got {type(graph).__name__}")
        if graph.context is not self:
            raise ValidationError(f"{what}: the graph was built for another context")
        graph.check_alive()

    # -- spec §api-mlcontext-createtensor and friends ------------------------------------
    def create_tensor(self, descriptor: MLOperandDescriptor | Mapping[str, Any], *,
                      readable: bool | None = None, writable: bool | None = None) -> MLTensor:
        """Create an MLTensor; ``readable``/``writable`` as in MLTensorDescriptor (they may
        also be given as keys of a descriptor mapping)."""
        self._check_alive("create_tensor")
        if isinstance(descriptor, Mapping):
            readable = descriptor.get("readable", False) if readable is None else readable
            writable = descriptor.get("writable", False) if writable is None else writable
        desc = MLOperandDescriptor.coerce(descriptor)
        self._check_tensor_descriptor("create_tensor", desc)
        readable = False if readable is None else to_bool(readable, "readable")
        writable = False if writable is None else to_bool(writable, "writable")
        try:
            return MLTensor(self, desc, readable=readable, writable=writable)
        except MemoryError as exc:
            raise OutOfMemoryError(f"create_tensor: cannot allocate {desc.byte_length} bytes: "
                                   f"{exc}") from exc

    def create_constant_tensor(self, descriptor: MLOperandDescriptor | Mapping[str, Any],
                               data: Any) -> MLTensor:
        """Create a constant MLTensor holding ``data``, usable with builder.constant()."""
        from .builder import _buffer_to_array

        self._check_alive("create_constant_tensor")
        desc = MLOperandDescriptor.coerce(descriptor)
        self._check_tensor_descriptor("create_constant_tensor", desc)
        array = _buffer_to_array("create_constant_tensor", data, desc)
        try:
            tensor = MLTensor(self, desc, constant=True)
        except MemoryError as exc:
            raise OutOfMemoryError(f"create_constant_tensor: cannot allocate "
                                   f"{desc.byte_length} bytes: {exc}") from exc
        tensor.storage.write(array)
        return tensor

    def _check_tensor_descriptor(self, what: str, desc: MLOperandDescriptor) -> None:
        if not desc.check_dimensions():
            raise ValidationError(f"{what}: shape {list(desc.shape)} has an invalid dimension")
        self._check_byte_length(what, desc)

    def write_tensor(self, tensor: MLTensor, data: Any) -> None:
        """Copy ``data`` (array or bytes of the tensor's byte length) into ``tensor``
        (spec §api-mlcontext-writetensor), through the backend's storage."""
        self._check_tensor(tensor, "write_tensor")
        if not tensor.writable:
            raise ValidationError("write_tensor: the tensor is not writable")
        tensor._storage.write(_as_tensor_data(data, tensor._descriptor))  # type: ignore[union-attr]

    def read_tensor(self, tensor: MLTensor, output: np.ndarray | None = None) -> np.ndarray:
        """Return a copy of the tensor's data, or copy it into ``output`` and return it
        (spec §api-mlcontext-readtensor), through the backend's storage."""
        self._check_tensor(tensor, "read_tensor")
        if not tensor.readable:
            raise ValidationError("read_tensor: the tensor is not readable")
        storage = tensor._storage  # alive: checked above
        if output is None:
            return storage.read()
        desc = tensor.descriptor
        if not isinstance(output, np.ndarray) or output.nbytes != desc.byte_length:
            raise ValidationError("read_tensor: output must be an ndarray of the tensor's byte "
                                  "length")
        if output.dtype == desc.numpy_dtype:
            storage.read_into(output)
        else:
            output.reshape(-1).view(np.uint8)[...] = storage.read().reshape(-1).view(np.uint8)
        return output

    def _check_tensor(self, tensor: MLTensor, what: str) -> None:
        self._check_alive(what)
        if not isinstance(tensor, MLTensor):
            raise ValidationError(f"{what}: expected an MLTensor, got {type(tensor).__name__}")
        if tensor.context is not self:
            raise ValidationError(f"{what}: the tensor belongs to another context")
        if tensor.is_destroyed:
            raise InvalidStateError(f"{what}: the tensor has been destroyed")

    def dispatch(self, graph: MLGraph, inputs: Mapping[str, MLTensor],
                 outputs: Mapping[str, MLTensor]) -> None:
        """Run ``graph`` reading input MLTensors and writing output MLTensors in place
        (spec §api-mlcontext-dispatch)."""
        self._check_alive("dispatch")
        self._check_graph(graph, "dispatch")
        for role, tensors, expected in (("inputs", inputs, graph.input_descriptors),
                                        ("outputs", outputs, graph.output_descriptors)):
            if not isinstance(tensors, Mapping) or set(tensors) != set(expected):
                raise ValidationError(f"dispatch: {role} must name exactly {sorted(expected)}")
            for name, tensor in tensors.items():
                if not (isinstance(tensor, MLTensor) and tensor._context is self
                        and tensor._storage is not None):  # else say why (message built here)
                    self._check_tensor(tensor, f"dispatch: {role}[{name!r}]")
                if tensor._descriptor != expected[name]:
                    raise ValidationError(f"dispatch: {role}[{name!r}] is {tensor.data_type}"
                                          f"{list(tensor.shape)}, the graph expects "
                                          f"{expected[name].data_type}{list(expected[name].shape)}")
                if tensor._constant:
                    raise ValidationError(f"dispatch: {role}[{name!r}] is a constant tensor")
        in_ids = {id(t) for t in inputs.values()}
        out_ids = [id(t) for t in outputs.values()]
        if len(set(out_ids)) != len(out_ids) or in_ids & set(out_ids):
            raise ValidationError("dispatch: a tensor appears twice among the outputs, or as both "
                                  "an input and an output")
        try:
            graph._compiled.dispatch_tensors(  # type: ignore[union-attr]
                {name: t._storage for name, t in inputs.items()},  # all alive: checked above
                {name: t._storage for name, t in outputs.items()},
            )
        except OutOfMemoryError:
            raise
        except MemoryError as exc:
            raise OutOfMemoryError(f"dispatch: out of memory running the graph: {exc}") from exc


def _as_tensor_data(data: Any, desc: MLOperandDescriptor) -> np.ndarray:
    """``data`` (an ndarray, or bytes-like, of the tensor's byte length; another dtype is
    taken as raw bytes) as an array of the tensor's dtype and shape, a view where possible."""
    dtype = desc.numpy_dtype
    if isinstance(data, np.ndarray):
        if data.dtype == dtype and data.shape == desc.shape:
            return data  # the common case: nothing to convert
        if data.nbytes != desc.byte_length:
            raise ValidationError(f"write_tensor: data has {data.nbytes} bytes, tensor has "
                                  f"{desc.byte_length}")
        array = data if data.dtype == dtype else np.ascontiguousarray(data).view(dtype)
    elif isinstance(data, (bytes, bytearray, memoryview)):
        raw = memoryview(data).cast("B")
        if raw.nbytes != desc.byte_length:
            raise ValidationError(f"write_tensor: data has {raw.nbytes} bytes, tensor has "
                                  f"{desc.byte_length}")
        array = np.frombuffer(raw, dtype=np.uint8).view(dtype)
    else:
        raise ValidationError(f"write_tensor: expected an ndarray or bytes-like, got "
                              f"{type(data).__name__}")
    return array.reshape(desc.shape)


def _validate_inputs(graph: MLGraph, inputs: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Spec "validate graph resources": every graph input present with its descriptor."""
    if not isinstance(inputs, Mapping):
        raise ValidationError(f"compute: inputs must be a mapping, got {type(inputs).__name__}")
    expected = graph.input_descriptors
    extra = set(inputs) - set(expected)
    missing = set(expected) - set(inputs)
    if extra or missing:
        raise ValidationError(f"compute: inputs must name exactly {sorted(expected)} "
                              f"(missing {sorted(missing)}, unknown {sorted(extra)})")
    arrays = {}
    for name, desc in expected.items():
        value = inputs[name]
        if not isinstance(value, np.ndarray):
            try:
                value = np.asarray(value, dtype=desc.numpy_dtype)
            except (TypeError, ValueError) as exc:
                raise ValidationError(f"compute: input {name!r} is not array-like: {exc}") from None
        if value.dtype != desc.numpy_dtype:
            raise ValidationError(f"compute: input {name!r} has dtype {value.dtype}, the graph "
                                  f"expects {desc.data_type}")
        if tuple(value.shape) != desc.shape:
            raise ValidationError(f"compute: input {name!r} has shape {list(value.shape)}, "
                                  f"the graph expects {list(desc.shape)}")
        # np.ascontiguousarray would turn a 0-d array into shape (1,)
        arrays[name] = value if value.flags.c_contiguous else np.array(value, order="C")
    return arrays


def _support_limits(backend: Backend) -> dict[str, Any]:
    max_rank = backend.max_rank
    all_types = [t for t in DATA_TYPES if t in backend.io_data_types]
    tensor = {"data_types": all_types, "rank_range": {"min": 0, "max": max_rank}}
    limits: dict[str, Any] = {
        "preferred_input_layout": "nchw",
        "max_tensor_byte_length": backend.max_tensor_byte_length,
        "input": tensor,
        "constant": dict(tensor),
        "output": dict(tensor),
    }
    for op, table in TENSOR_LIMITS.items():
        if op not in backend.registry:
            continue
        entry: dict[str, Any] = {}
        for key, (types, ranks) in table.items():
            resolved_types = entry[types[1]]["data_types"] if types[0] == "same" else list(types)
            restrict = backend.supported_data_types(op, key)
            if restrict is not None:
                resolved_types = [t for t in resolved_types if t in restrict]
            if ranks[0] == "same":
                rank_range = dict(entry[ranks[1]]["rank_range"])
            else:
                rank_range = {"min": ranks[0], "max": max_rank if ranks[1] is None else ranks[1]}
            entry[key] = {"data_types": resolved_types, "rank_range": rank_range}
        limits[op] = entry
    return limits


class ML:
    """The ``ml`` namespace object (spec §api-ml)."""

    def create_context(self, **options: Any) -> MLContext:
        """Create an MLContext (spec §api-ml-createcontext); see the module docstring for
        the options. Only the spec's options and ``backend`` are handled here: the backend
        class validates the rest, so each backend owns its options."""
        power = to_enum(options.pop("power_preference", "default"), "power_preference",
                        POWER_PREFERENCES)
        accelerated = to_bool(options.pop("accelerated", True), "accelerated")
        name = options.pop("backend", DEFAULT_BACKEND)
        backend = get_backend(name).create(options, power)
        return MLContext(backend, power, accelerated, backend_name=name)


ml = ML()

