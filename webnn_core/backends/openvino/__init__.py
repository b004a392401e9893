"""The OpenVINO backend: a WebNN graph becomes one ``ov.Model`` compiled once.

Emitters live in one module per operator family and register with :data:`registry`:
``fn(node, *inputs) -> ov.Output | list[ov.Output]``, inputs being ``ov.Output``s of
``openvino.opset16`` nodes (None for an absent optional operand).

- float32 graphs compute in float32: ``INFERENCE_PRECISION_HINT`` is f32 unless the
  context asked for reduced precision (OpenVINO's CPU default is bf16 on AVX512_BF16).
- A few WebNN decompositions of operators WebNN lacks become OpenVINO's own operator when
  they match it exactly (``_fusion.py``: local response normalization -> ``LRN``), and a
  dequantization only quantized operators read keeps OpenVINO's dequantization pattern,
  which its low-precision transformations run on integers (``_fusion.py`` too).
- Compiled models are cached by the graph's structure and weights (in memory, shared by
  contexts of equal settings, emptied by :meth:`OpenVINOBackend.clear_cache`; weights are
  hashed only when a graph of the same structure is cached, ``backends/_cache.py``; on
  disk via OpenVINO's ``CACHE_DIR`` when the context has a ``cache_dir``). The
  ``ov.Model`` shares the graph's constant arrays rather than copying them.
- Inference reuses infer requests from a pool (one per concurrent caller), hands inputs
  over without copying and has OpenVINO write outputs straight into fresh numpy arrays.
- OpenVINO's CPU plugin computes int64, uint64 and uint32 tensors in 32-bit integers, so
  values of those types are exact only within [0 or -2**31, 2**31 - 1]. A graph whose
  constants or inputs hold values outside that range runs on the numpy reference instead
  (exact, slower; logged once on the ``webnn`` logger). Arithmetic whose *intermediate*
  64-bit results leave that range still wraps at 32 bits.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import queue
import threading
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import openvino as ov
import openvino.opset16 as ops
from openvino._pyopenvino import InferRequest as _PyInferRequest
from openvino.op import Constant as _Constant

from ...errors import NotSupportedError, OperationError, OutOfMemoryError, is_out_of_memory
from ...graph import MLGraph
from ...ops.elementwise import (
    BINARY_OPS,
    COMPARISON_OPS,
    LOGICAL_BINARY_OPS,
    LOGICAL_UNARY_OPS,
    UNARY_OPS,
)
from ...types import to_enum
from .._cache import CompiledCache
from ..base import (
    PRECISIONS,
    Backend,
    CompiledGraph,
    check_cache_dir_option,
    check_device_option,
)
from ._constants import bind_constants, constant_feeds, constant_parameters
from ._exact import NARROWED_RANGE
from ._fusion import find_fusions
from ._layout import drop_identities, fold_constant_transposes, sink_transposes
from ._precision import HINTS as PRECISION_HINTS
from ._precision import choose as choose_precision
from ._registry import NeedsReference, registry

for _mod in pkgutil.iter_modules(__path__):
    if not _mod.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_mod.name}")

_LOG = logging.getLogger("webnn")
_CORE: ov.Core | None = None
_CORE_LOCK = threading.Lock()
_COMPILED_MAX = 32
#: compiled models shared by all contexts with equal settings, by (structure key, device,
#: configuration) and constants digest (see ._cache: a first build hashes no weights)
_COMPILED = CompiledCache(_COMPILED_MAX)
#: compiles under a ``cache_dir`` in this process: how many OpenVINO loaded from its
#: ``CACHE_DIR`` and how many it compiled (and cached); read by the benchmarks
DISK_CACHE = {"loaded": 0, "compiled": 0}


def core() -> ov.Core:
    """The process-wide ``ov.Core``."""
    global _CORE
    with _CORE_LOCK:
        if _CORE is None:
            _CORE = ov.Core()
        return _CORE


def ov_type(data_type: str) -> ov.Type:
    return ov.Type(np.dtype(data_type))


class OpenVINOBackend(Backend):
    """Translates graphs to ``ov.Model`` and runs them on an OpenVINO device."""

    name = "openvino"
    max_rank = 8
    context_options: ClassVar[tuple[str, ...]] = ("device", "precision", "cache_dir")

    @classmethod
    def create(cls, options: Mapping[str, Any], power_preference: str) -> OpenVINOBackend:
        """Options ``device`` (an OpenVINO device name, default "CPU"), ``precision`` and
        ``cache_dir`` (see :mod:`webnn_core.context`); the spec's ``power_preference``
        "low-power" runs on one thread (webnn-spec §api-ml-createcontext leaves its meaning
        to the implementation)."""
        cls.check_option_names(options)
        return cls(device=check_device_option(options),
                   precision=to_enum(options.get("precision", "float32"), "precision",
                                     PRECISIONS),
                   cache_dir=check_cache_dir_option(options),
                   power_preference=power_preference)

    @classmethod
    def clear_cache(cls) -> None:
        """Forget the in-memory compiled models (OpenVINO's ``CACHE_DIR`` stays)."""
        _COMPILED.clear()

    @staticmethod
    def compiled_model(graph: MLGraph) -> ov.CompiledModel | None:
        """The ``ov.CompiledModel`` running ``graph`` (for inspection: properties, the
        runtime model); None when the graph runs on the numpy reference or is destroyed."""
        compiled = graph._compiled
        return compiled.compiled_model if isinstance(compiled, OpenVINOGraph) else None

    def __init__(self, device: str = "CPU", precision: str = "float32",
                 cache_dir: str | None = None, power_preference: str = "default") -> None:
        self.registry = registry
        c = core()
        if not isinstance(device, str) or device.split(".")[0] not in {
                d.split(".")[0] for d in c.available_devices}:
            raise NotSupportedError(f"create_context: OpenVINO device {device!r} is not "
                                    f"available (available: {c.available_devices})")
        self.device = device
        config: dict[str, Any] = {"PERFORMANCE_HINT": "LATENCY"}
        self.precision_choice = choose_precision(c, device, precision)
        config["INFERENCE_PRECISION_HINT"] = PRECISION_HINTS[self.precision_choice.precision]
        if power_preference == "low-power":
            config["INFERENCE_NUM_THREADS"] = 1
        if cache_dir is not None:
            config["CACHE_DIR"] = str(cache_dir)
        self.config = config

    def _compile_model(self, model: ov.Model) -> ov.CompiledModel:
        return _compile_with_fallback(self.device, self.config, model)

    def _config_for(self, graph: MLGraph) -> dict[str, Any]:
        """The compile configuration for ``graph``: the context's, and on the CPU plugin
        without its Snippets tokenizer when the graph holds a long chain of element-wise
        operators. Tokenizing such a chain costs OpenVINO time that grows quadratically and
        worse (a graph built in a loop would block ``build()`` for minutes), while short
        chains, where Snippets pay off, keep it."""
        if (self.device.split(".")[0] == "CPU"
                and longest_elementwise_chain(graph) > LONG_ELEMENTWISE_CHAIN):
            return {**self.config, "SNIPPETS_MODE": "DISABLE"}
        return self.config

    def compile(self, graph: MLGraph) -> CompiledGraph:
        if any(not in_narrowed_range(a) for a in graph.constants.values()):
            _LOG.info("webnn: graph constants hold 64-bit integer values OpenVINO's CPU plugin "
                      "would narrow to 32 bits; the graph runs on the numpy reference")
            return _reference(graph)
        config = self._config_for(graph)
        key = (graph.structure_key(), self.device, tuple(sorted(config.items())))
        compiled = _COMPILED.get(key, graph)
        if compiled is None:
            try:
                model = translate(graph)
            except NeedsReference as reason:
                _LOG.info("webnn: %s; the graph runs on the numpy reference", reason)
                return _reference(graph)
            except RuntimeError as exc:
                if is_out_of_memory(exc):
                    raise platform_error("build", "OpenVINO failed to build the model", exc
                                         ) from exc
                raise
            compiled = _compile_with_fallback(self.device, config, model)
            if "CACHE_DIR" in config:
                loaded = bool(compiled.get_property("LOADED_FROM_CACHE"))
                DISK_CACHE["loaded" if loaded else "compiled"] += 1
            _COMPILED.put(key, graph, compiled)
        return OpenVINOGraph(compiled, graph)


#: element-wise operators in a row beyond which the CPU plugin compiles without Snippets
LONG_ELEMENTWISE_CHAIN = 64
_ELEMENTWISE = frozenset(BINARY_OPS + COMPARISON_OPS + LOGICAL_BINARY_OPS + LOGICAL_UNARY_OPS
                         + UNARY_OPS + ("cast", "where", "clamp", "relu", "sigmoid", "tanh",
                                        "elu", "gelu", "leaky_relu", "hard_sigmoid",
                                        "hard_swish", "softplus", "softsign", "linear",
                                        "prelu"))


def longest_elementwise_chain(graph: MLGraph) -> int:
    """The most element-wise operators on one path of ``graph`` (nodes are topological)."""
    depth: dict[int, int] = {}
    longest = 0
    for node in graph.nodes:
        if node.op not in _ELEMENTWISE:
            continue
        here = 1 + max((depth.get(id(o), 0) for o in node.inputs if o is not None), default=0)
        for out in node.outputs:
            depth[id(out)] = here
        longest = max(longest, here)
    return longest


def _compile_with_fallback(device: str, config: dict[str, Any], model: ov.Model
                           ) -> ov.CompiledModel:
    """Compile ``model``; reduced precision is a permission, not a requirement: when the CPU
    plugin has no implementation for it (seen: int8 FakeQuantize graphs under bf16), the
    graph compiles in float32 instead (logged)."""
    try:
        return core().compile_model(model, device, config)
    except (RuntimeError, MemoryError) as exc:
        if config.get("INFERENCE_PRECISION_HINT", "f32") == "f32" or is_out_of_memory(exc):
            raise platform_error("build", "OpenVINO failed to compile the graph", exc) from exc
        _LOG.warning("webnn: OpenVINO cannot compile the graph in %s (%s); compiling it in "
                     "float32", config["INFERENCE_PRECISION_HINT"],
                     [line for line in str(exc).splitlines() if line.strip()][-1:])
        try:
            return core().compile_model(model, device,
                                        {**config, "INFERENCE_PRECISION_HINT": "f32"})
        except (RuntimeError, MemoryError) as exc2:
            raise platform_error("build", "OpenVINO failed to compile the graph", exc2
                                 ) from exc2


def platform_error(what: str, doing: str, exc: BaseException) -> OperationError:
    """The spec's error for an OpenVINO failure: :class:`OutOfMemoryError` for an
    allocation failure (``std::bad_alloc``, ``MemoryError``), else ``OperationError``; the
    message starts with the WebNN operation (``build``, ``compute``, ``dispatch``)."""
    if is_out_of_memory(exc):
        return OutOfMemoryError(f"{what}: out of memory: {doing}: {exc}")
    return OperationError(f"{what}: {doing}: {exc}")


def _reference(graph: MLGraph) -> CompiledGraph:
    from ..reference import ReferenceGraph

    return ReferenceGraph(graph)


def translate(graph: MLGraph) -> ov.Model:
    """The ``ov.Model`` computing ``graph``."""
    values: dict[int, ov.Output] = {}
    params = []
    for name, operand in graph.inputs.items():
        param = ops.parameter(list(operand.shape), ov_type(operand.data_type), name=name)
        param.output(0).get_tensor().set_names({name})
        params.append(param)
        values[operand.id] = param.output(0)
    for operand_id, array in graph.constants.items():
        # the model shares the graph's constant arrays (never written, see
        # MLGraphBuilder.build) instead of copying them (the bare Constant: opset's
        # constant() inspects its signature on every call)
        shared = _shareable(array)
        values[operand_id] = (_Constant(array) if shared is None else
                              _Constant(shared, shared_memory=True)).output(0)
    # constants OpenVINO would flush or fold (float32 -0 and subnormals, constant-only
    # computations) are Parameters after the inputs, bound once per request (._constants)
    params += constant_parameters(graph, values)
    fusions, fused_away = find_fusions(graph)
    for node in graph.nodes:
        if id(node) in fused_away:
            continue
        fusion = fusions.get(id(node))
        if fusion is not None:
            values[node.output.id] = fusion.emit(values)
            continue
        args = [None if o is None else values[o.id] for o in node.inputs]
        result = registry[node.op].fn(node, *args)
        results = result if isinstance(result, (list, tuple)) else [result]
        for operand, value in zip(node.outputs, results, strict=True):
            value = value.output(0) if isinstance(value, ov.Node) else value
            if value.get_element_type() != ov_type(operand.data_type):
                raise OperationError(f"{node.describe()}: OpenVINO emitter produced "
                                     f"{value.get_element_type()}, expected {operand.data_type}")
            values[operand.id] = value
    results = []
    for name, operand in graph.outputs.items():
        value = values[operand.id]
        if value.get_node().get_type_name() in ("Parameter", "Constant"):
            # OpenVINO does not write an output that is a graph input or constant as is
            value = ops.identity(value).output(0)
        res = ops.result(value)
        res.set_friendly_name(name)
        # named outputs (inputs are named too): OpenVINO's CACHE_DIR key of an in-memory
        # model covers tensor names, and unnamed ones take process-unique counters, so a
        # second process would never find the compiled model it cached
        res.output(0).get_tensor().set_names({name})
        results.append(res)
    return sink_transposes(fold_constant_transposes(drop_identities(
        ov.Model(results, params, "webnn"))))


class _ImmutableMemory:
    """The memory of an immutable ``bytes`` object, exposed as a writeable array: OpenVINO
    shares only writeable arrays' memory, and never writes a Constant's data. Keeps the
    array (and so the bytes) alive as long as the alias."""

    __slots__ = ("owner", "__array_interface__")

    def __init__(self, array: np.ndarray) -> None:
        self.owner = array
        self.__array_interface__ = {**array.__array_interface__,
                                    "data": (array.__array_interface__["data"][0], False)}


def _shareable(array: np.ndarray) -> np.ndarray | None:
    """``array`` as an ``ov.op.Constant`` may share it: a writeable C-order array as it is,
    a read-only view of an immutable ``bytes`` object (an ONNX initializer's data) through
    :class:`_ImmutableMemory`; None (copy it) otherwise."""
    if not array.flags.c_contiguous:
        return None
    if array.flags.writeable:
        return array
    base = array.base
    while isinstance(base, np.ndarray):
        base = base.base
    if not isinstance(base, bytes):
        return None
    return np.asarray(_ImmutableMemory(array))


def in_narrowed_range(array: np.ndarray) -> bool:
    """Whether OpenVINO's CPU plugin holds ``array``'s values exactly (see the module doc)."""
    bounds = NARROWED_RANGE.get(array.dtype.name)
    if bounds is None or array.size == 0:
        return True
    return bool(array.min() >= bounds[0] and array.max() <= bounds[1])


#: the bare synchronous infer (no outputs dictionary); see OpenVINOGraph.__init__
_SYNC_INFER = _PyInferRequest.infer
_ASYNC_FROM_BYTES = 1 << 20


class _Request:
    """An infer request and the tensors bound to its slots, keyed by the memory they wrap:
    a caller that passes the same buffers again (a host runtime's arena, a reused MLTensor)
    skips rebinding.

    A slot's entry is ``(array, key, tensor)``: the array object last bound (kept alive, so
    its identity cannot be reused), the (address, shape, strides, dtype) it wrapped, and the
    OpenVINO tensor. Passing the very same array object again costs an identity and a shape
    check; another array over the same memory is recognised by its key."""

    __slots__ = ("request", "inputs", "outputs")

    def __init__(self, request: ov.InferRequest, num_inputs: int, num_outputs: int) -> None:
        self.request = request
        self.inputs: list[tuple | None] = [None] * num_inputs
        self.outputs: list[tuple | None] = [None] * num_outputs

    @staticmethod
    def bind(bound: list[tuple | None], index: int, array: np.ndarray, setter: Any) -> None:
        entry = bound[index]
        if entry is not None:
            key = entry[1]
            # a numpy array's data address never changes; shape, strides and dtype can be
            # reassigned in place, so they are compared
            if (entry[0] is array and key is not None and key[1] == array.shape
                    and key[2] == array.strides and key[3] == array.dtype):
                return
        key = (array.__array_interface__["data"][0], array.shape, array.strides, array.dtype)
        if entry is not None and entry[1] == key:
            bound[index] = (array, key, entry[2])
            return
        # OpenVINO shares only writeable memory; a read-only array is copied once
        tensor = ov.Tensor(array, shared_memory=array.flags.writeable)
        setter(index, tensor)
        # keep the tensor (and so the array it wraps) while it is bound; a read-only copy
        # is never reused, since its data may change under the same address
        bound[index] = (array, key if array.flags.writeable else None, tensor)


class OpenVINOGraph(CompiledGraph):
    """A compiled model plus a pool of infer requests (one per concurrent caller)."""

    def __init__(self, compiled: ov.CompiledModel, graph: MLGraph) -> None:
        self._compiled = compiled
        self._input_names = list(graph.inputs)
        self._graph = graph
        self._narrowed = [name for name, o in graph.inputs.items() if o.data_type in NARROWED_RANGE]
        self._fallback: CompiledGraph | None = None
        self._outputs = [(name, o.shape, o.descriptor.numpy_dtype)
                         for name, o in graph.outputs.items()]
        self._output_names = list(graph.outputs)
        # The high-level InferRequest.infer() copies every output into new arrays although
        # OpenVINO already wrote them into ours. Measured here (CPU, LATENCY): the bare
        # synchronous infer is fastest for small outputs (8 floats: 9 us vs 21 us async),
        # start_async + wait for large ones (3.2 MB: 86 us vs 200 us synchronous).
        out_bytes = sum(o.descriptor.byte_length for o in graph.outputs.values())
        self._sync = out_bytes < _ASYNC_FROM_BYTES
        self._constant_feeds = constant_feeds(graph)
        self._pool: queue.SimpleQueue[_Request] = queue.SimpleQueue()
        self._pool.put(self._new_request("build"))

    @property
    def compiled_model(self) -> ov.CompiledModel:
        return self._compiled

    def _new_request(self, what: str) -> _Request:
        try:
            request = self._compiled.create_infer_request()
            bind_constants(request, len(self._input_names), self._constant_feeds)
        except (RuntimeError, MemoryError) as exc:
            raise platform_error(what, "OpenVINO failed to create an infer request", exc
                                 ) from exc
        return _Request(request, len(self._input_names), len(self._outputs))

    def _exact_on_openvino(self, inputs: Mapping[str, np.ndarray]) -> bool:
        if all(in_narrowed_range(inputs[name]) for name in self._narrowed):
            return True
        if self._fallback is None:
            _LOG.info("webnn: 64-bit integer inputs outside the int32 range; running this "
                      "inference on the numpy reference")
            self._fallback = _reference(self._graph)
        return False

    def _run(self, inputs: Mapping[str, np.ndarray], outputs: Mapping[str, np.ndarray],
             what: str = "dispatch") -> None:
        if self._narrowed and not self._exact_on_openvino(inputs):
            self._fallback.dispatch(inputs, outputs)
            return
        try:
            slot = self._pool.get_nowait()
        except queue.Empty:
            slot = self._new_request(what)
        request = slot.request
        bind = _Request.bind
        try:
            bound = slot.inputs
            for i, name in enumerate(self._input_names):
                bind(bound, i, inputs[name], request.set_input_tensor)
            bound = slot.outputs
            for i, name in enumerate(self._output_names):
                bind(bound, i, outputs[name], request.set_output_tensor)
            if self._sync:
                _SYNC_INFER(request, {}, True, False)
            else:
                request.start_async()
                request.wait()
        except (RuntimeError, MemoryError) as exc:
            raise platform_error(what, "OpenVINO inference failed", exc) from exc
        finally:
            self._pool.put(slot)

    def compute(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        try:
            outputs = {name: np.empty(shape, dtype) for name, shape, dtype in self._outputs}
        except MemoryError as exc:
            raise platform_error("compute", "cannot allocate the outputs", exc) from exc
        self._run(inputs, outputs, "compute")
        return outputs

    #: writes into the caller's arrays; the per-call path of host runtimes (one frame fewer)
    dispatch = _run
