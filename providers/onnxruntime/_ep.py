"""The WebNN execution provider: OrtEpFactory, OrtEp and OrtNodeComputeInfo in Python.

ORT calls the C trampoline (``_trampoline.c``), which forwards ``CreateEpFactories`` and
``ReleaseEpFactory`` here; every other entry point is a ctypes callback in the structs this
module hands to ORT. Every callback catches every exception and returns an ORT status
(``ORT_FAIL``, or ``ORT_INVALID_ARGUMENT`` for bad provider options): an exception escaping
a ctypes callback would read as success.

- GetCapability reads the OrtGraph into a :class:`GraphInfo`, checks each node with
  :func:`check_node` (translate-to-check) in topological order, filling the shapes ORT's
  graph lacks (after ops without shape inference, e.g. Crop) from WebNN's inference
  (:func:`check_graph`), groups supported nodes into convex partitions
  and asks ORT to fuse each group (constant initializers dropped from the fused node's
  inputs: they become WebNN constants).
- Compile builds one WebNN graph per fused node when its input shapes are static, else
  keeps the subgraph (with copied constants) and builds per concrete input shape at run
  time (bounded LRU).
- Compute wraps ORT's input buffers as numpy arrays, lets ORT allocate the outputs and has
  the backend write into them (no copies on either side).
"""

from __future__ import annotations

import ctypes
import functools
import logging
import threading
import traceback
from collections import OrderedDict
from collections.abc import Callable
from ctypes import addressof, byref, c_char_p, c_int64, c_size_t, c_void_p
from typing import Any

import numpy as np

import webnn_core as webnn

from ..onnx import GraphInfo, TranslatedGraph, build_graph, group_io, to_onnx_model
from . import _abi
from ._abi import OrtApi, OrtError
from ._graph import NUMPY_DTYPES, ValueReader, read_graph, wrap
from ._report import PartitionReport, analyze

_LOG = logging.getLogger("webnn")

EP_NAME = "WebNNExecutionProvider"
VENDOR = "webnn-providers"
VERSION = "0.1.0"
OPTION_PREFIX = f"ep.{EP_NAME.lower()}."
#: provider options (all strings, as ORT passes them)
OPTIONS = ("backend", "device", "power_preference", "precision", "cache_dir")
#: WebNN graphs kept per fused node with symbolic dimensions (one per input shape)
MAX_SHAPES = 8


class OptionError(ValueError):
    """A bad provider option (reported to ORT as ORT_INVALID_ARGUMENT)."""


def parse_options(entries: dict[str, str], prefix: str = OPTION_PREFIX) -> dict[str, str]:
    """The provider options among session config ``entries`` (key without the prefix)."""
    options = {k[len(prefix):]: v for k, v in entries.items() if k.startswith(prefix)}
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise OptionError(f"{EP_NAME}: unknown provider option(s) {', '.join(unknown)}; "
                          f"known options: {', '.join(OPTIONS)}")
    return options


def create_context(options: dict[str, Any]) -> webnn.MLContext:
    """The MLContext for validated provider options; bad values raise OptionError."""
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise OptionError(f"{EP_NAME}: unknown provider option(s) {', '.join(unknown)}; "
                          f"known options: {', '.join(OPTIONS)}")
    kwargs = {k: v for k, v in options.items() if not (k == "cache_dir" and v in ("", None))}
    try:
        return webnn.ml.create_context(**kwargs)
    except (TypeError, ValueError, webnn.WebNNError) as exc:
        shown = ", ".join(f"{k}={v!r}" for k, v in options.items())
        raise OptionError(f"{EP_NAME}: invalid provider options ({shown}): {exc}") from exc


# --- process state ------------------------------------------------------------------------
class _State:
    api: OrtApi | None = None
    factories: dict[int, _Factory] = {}
    eps: dict[int, WebNNEp] = {}
    kernels: dict[int, FusedKernel] = {}
    lock = threading.Lock()


_STRINGS: dict[str, ctypes.Array] = {}


def _cstr(text: str) -> int:
    """Address of a NUL-terminated copy of ``text`` kept alive for the process."""
    buffer = _STRINGS.get(text)
    if buffer is None:
        buffer = _STRINGS[text] = ctypes.create_string_buffer(text.encode())
    return addressof(buffer)


def _error_status(exc: BaseException, where: str) -> int:
    api = _State.api
    if isinstance(exc, OptionError):
        code, message = _abi.ORT_INVALID_ARGUMENT, str(exc)
    else:
        code = _abi.ORT_FAIL
        message = f"{EP_NAME}: {where} failed: {type(exc).__name__}: {exc}"
    _LOG.debug("%s\n%s", message, "".join(traceback.format_exception(exc)))
    if api is None:
        return 0
    try:
        return api.status(code, message)
    except BaseException:  # noqa: BLE001 - nothing else can be reported
        return 0


def _status_callback(fn: Callable[..., None]) -> Callable[..., int | None]:
    """Wrap a callback returning OrtStatus*: None on success, an error status otherwise."""
    @functools.wraps(fn)
    def callback(*args: Any) -> int | None:
        try:
            fn(*args)
            return None
        except BaseException as exc:  # noqa: BLE001 - must never escape into ORT
            return _error_status(exc, fn.__name__.strip("_"))
    return callback


def _plain_callback(default: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a callback without a status: log errors and return ``default``."""
    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def callback(*args: Any) -> Any:
            try:
                return fn(*args)
            except BaseException:  # noqa: BLE001 - must never escape into ORT
                _LOG.error("%s: %s failed\n%s", EP_NAME, fn.__name__, traceback.format_exc())
                return default
        return callback
    return decorate


# --- library entry points (called through the trampoline) ---------------------------------
def _create_ep_factories(registration_name: bytes, api_base: int, logger: int, factories: Any,
                         max_factories: int, num_factories: Any) -> int | None:
    try:
        num_factories[0] = 0
        address = _abi.get_api(api_base, _abi.ORT_API_VERSION)
        if not address:
            old = _abi.get_api(api_base, 1)
            if not old:
                return None
            api = _abi._Table(old, {"CreateStatus": _abi._ORT_API["CreateStatus"]}, None)
            return api.CreateStatus(_abi.ORT_FAIL, (
                f"{EP_NAME} needs ONNX Runtime API version {_abi.ORT_API_VERSION} "
                "(onnxruntime >= 1.24)").encode()) or None
        if _State.api is None or _State.api.address != address:
            _State.api = OrtApi(address)
        if max_factories < 1:
            raise RuntimeError("ORT offers no room for a factory")
        factory = _Factory(registration_name.decode() if registration_name else EP_NAME)
        _State.factories[factory.address] = factory
        factories[0] = factory.address
        num_factories[0] = 1
        return None
    except BaseException as exc:  # noqa: BLE001 - must never escape into ORT
        return _error_status(exc, "CreateEpFactories")


def _release_ep_factory(factory: int) -> int | None:
    try:
        _State.factories.pop(factory or 0, None)
        return None
    except BaseException as exc:  # noqa: BLE001
        return _error_status(exc, "ReleaseEpFactory")


create_ep_factories_thunk = _abi.CreateEpFactoriesFn(_create_ep_factories)
release_ep_factory_thunk = _abi.ReleaseEpFactoryFn(_release_ep_factory)


# --- OrtEpFactory ---------------------------------------------------------------------------
@_plain_callback(0)
def _factory_get_name(this: int) -> int:
    return _cstr(EP_NAME)


@_plain_callback(0)
def _factory_get_vendor(this: int) -> int:
    return _cstr(VENDOR)


@_plain_callback(0)
def _factory_get_version(this: int) -> int:
    return _cstr(VERSION)


@_plain_callback(0)
def _factory_get_vendor_id(this: int) -> int:
    return 0


@_status_callback
def _get_supported_devices(this: int, devices: Any, num_devices: int, ep_devices: Any,
                           max_ep_devices: int, num_ep_devices: Any) -> None:
    num_ep_devices[0] = 0
    api = _State.api
    count = 0
    for i in range(num_devices):
        if count >= max_ep_devices:
            break
        device = devices[i]
        if device and api.HardwareDevice_Type(device) == _abi.HW_CPU:
            ep_device = c_void_p()
            api.ep.CreateEpDevice(this, device, None, None, byref(ep_device))
            ep_devices[count] = ep_device.value
            count += 1
            break  # one CPU device is enough: WebNN reads and writes host memory
    num_ep_devices[0] = count


@_status_callback
def _create_ep(this: int, devices: Any, metadata: Any, num_devices: int, session_options: int,
               logger: int, ep_out: Any) -> None:
    ep_out[0] = None
    api = _State.api
    options = parse_options(api.config_entries(session_options))
    ep = WebNNEp(api, options)
    _State.eps[ep.address] = ep
    ep_out[0] = ep.address


@_plain_callback(None)
def _release_ep(this: int, ep: int) -> None:
    released = _State.eps.pop(ep or 0, None)
    if released is not None:
        released.release()


@_status_callback
def _validate_compatibility(this: int, devices: Any, num_devices: int, info: bytes,
                            result: Any) -> None:
    result[0] = _abi.EP_NOT_APPLICABLE


@_status_callback
def _factory_create_allocator(this: int, memory_info: int, options: int, out: Any) -> None:
    out[0] = None  # ORT's default CPU allocator


@_plain_callback(None)
def _factory_release_allocator(this: int, allocator: int) -> None:
    return None


@_status_callback
def _create_data_transfer(this: int, out: Any) -> None:
    out[0] = None  # host memory only


@_plain_callback(False)
def _is_stream_aware(this: int) -> bool:
    return False


@_status_callback
def _factory_create_sync_stream(this: int, memory_device: int, options: int, out: Any) -> None:
    out[0] = None


@_status_callback
def _incompatibility_details(this: int, hardware_device: int, details: int) -> None:
    return None  # compatible


@_status_callback
def _create_resource_importer(this: int, ep_device: int, out: Any) -> None:
    out[0] = None


@_status_callback
def _get_num_custom_op_domains(this: int, out: Any) -> None:
    out[0] = 0


@_status_callback
def _get_custom_op_domains(this: int, domains: Any, count: int) -> None:
    return None


_FACTORY_CALLBACKS = {
    "GetName": _abi.FactoryGetStringFn(_factory_get_name),
    "GetVendor": _abi.FactoryGetStringFn(_factory_get_vendor),
    "GetSupportedDevices": _abi.GetSupportedDevicesFn(_get_supported_devices),
    "CreateEp": _abi.CreateEpFn(_create_ep),
    "ReleaseEp": _abi.ReleaseEpFn(_release_ep),
    "GetVendorId": _abi.GetVendorIdFn(_factory_get_vendor_id),
    "GetVersion": _abi.FactoryGetStringFn(_factory_get_version),
    "ValidateCompiledModelCompatibilityInfo": _abi.ValidateCompatibilityFn(
        _validate_compatibility),
    "CreateAllocator": _abi.FactoryCreateAllocatorFn(_factory_create_allocator),
    "ReleaseAllocator": _abi.ReleaseAllocatorFn(_factory_release_allocator),
    "CreateDataTransfer": _abi.CreateDataTransferFn(_create_data_transfer),
    "IsStreamAware": _abi.IsStreamAwareFn(_is_stream_aware),
    "CreateSyncStreamForDevice": _abi.FactoryCreateSyncStreamFn(_factory_create_sync_stream),
    "GetHardwareDeviceIncompatibilityDetails": _abi.IncompatibilityDetailsFn(
        _incompatibility_details),
    "CreateExternalResourceImporterForDevice": _abi.CreateResourceImporterFn(
        _create_resource_importer),
    "GetNumCustomOpDomains": _abi.GetNumCustomOpDomainsFn(_get_num_custom_op_domains),
    "GetCustomOpDomains": _abi.GetCustomOpDomainsFn(_get_custom_op_domains),
}


class _Factory:
    """One OrtEpFactory (one per CreateEpFactories call)."""

    def __init__(self, registration_name: str) -> None:
        self.registration_name = registration_name
        self.struct = _abi.OrtEpFactory(ort_version_supported=_abi.ORT_API_VERSION,
                                        **_FACTORY_CALLBACKS)
        self.address = addressof(self.struct)


# --- OrtEp ----------------------------------------------------------------------------------
def _ep(this: int) -> WebNNEp:
    ep = _State.eps.get(this or 0)
    if ep is None:
        raise RuntimeError(f"unknown OrtEp {this:#x}")
    return ep


@_plain_callback(0)
def _ep_get_name(this: int) -> int:
    return _cstr(EP_NAME)


@_status_callback
def _get_capability(this: int, graph: int, support_info: int) -> None:
    _ep(this).get_capability(graph, support_info)


@_status_callback
def _compile(this: int, graphs: Any, fused_nodes: Any, count: int, infos: Any,
             ep_context_nodes: Any) -> None:
    _ep(this).compile(graphs, fused_nodes, count, infos)


@_plain_callback(None)
def _release_node_compute_infos(this: int, infos: Any, count: int) -> None:
    for i in range(count):
        kernel = _State.kernels.pop(infos[i] or 0, None)
        if kernel is not None:
            kernel.release()


@_plain_callback(0)
def _get_compatibility_info(this: int, graph: int) -> int:
    return _cstr(f"{VENDOR} {VERSION}")


@_status_callback
def _is_concurrent_run_supported(this: int, out: Any) -> None:
    out[0] = True


_EP_CALLBACKS = {
    "GetName": _abi.EpGetNameFn(_ep_get_name),
    "GetCapability": _abi.GetCapabilityFn(_get_capability),
    "Compile": _abi.CompileFn(_compile),
    "ReleaseNodeComputeInfos": _abi.ReleaseNodeComputeInfosFn(_release_node_compute_infos),
    "GetCompiledModelCompatibilityInfo": _abi.GetCompatibilityInfoFn(_get_compatibility_info),
    "IsConcurrentRunSupported": _abi.IsConcurrentRunSupportedFn(_is_concurrent_run_supported),
}


#: subgraph owners whose bodies ORT runs as graphs of their own (the EP may fuse in them)
_CONTROL_FLOW = ("If", "Loop", "Scan")


class WebNNEp:
    """One OrtEp: a WebNN context for one session, with the session's provider options."""

    def __init__(self, api: OrtApi, options: dict[str, str]) -> None:
        self.api = api
        self.options = options
        self.context = create_context(options)
        self.struct = _abi.OrtEp(ort_version_supported=_abi.ORT_API_VERSION, **_EP_CALLBACKS)
        self.address = addressof(self.struct)
        self.fusion_options = _abi.OrtNodeFusionOptions(
            ort_version_supported=_abi.ORT_API_VERSION, drop_constant_initializers=True)
        self.reports: list[PartitionReport] = []
        self.kernels: set[int] = set()

    def get_capability(self, graph: int, support_info: int) -> None:
        parent = self._parent_op_type(graph)
        if parent is not None and parent not in _CONTROL_FLOW:
            # e.g. a function op's body (SequenceMap): ORT inlines it later into graphs
            # where a fused node's domain is unknown
            _LOG.info("webnn: not taking nodes of a %s body (only If/Loop/Scan bodies)", parent)
            return
        read = read_graph(self.api, graph)
        if not read.graph.nodes:
            return
        report = analyze(self.context, read.graph, read.predecessors())
        for group in report.partitions:
            array = (c_void_p * len(group))(*(read.pointers[i] for i in group))
            self.api.ep.EpGraphSupportInfo_AddNodesToFuse(support_info, array, len(group),
                                                          byref(self.fusion_options))
        self.reports.append(report)
        del self.reports[:-8]
        _LOG.info("%s", report.summary())

    def _parent_op_type(self, graph: int) -> str | None:
        """The op type of the node owning ``graph`` as a subgraph, or None at top level."""
        parent = c_void_p()
        self.api.Graph_GetParentNode(graph, byref(parent))
        if not parent.value:
            return None
        op_type = c_char_p()
        self.api.Node_GetOperatorType(parent, byref(op_type))
        return (op_type.value or b"").decode()

    def compile(self, graphs: Any, fused_nodes: Any, count: int, infos: Any) -> None:
        created: list[FusedKernel] = []
        try:
            for i in range(count):
                created.append(FusedKernel(self, graphs[i], fused_nodes[i]))
        except BaseException:
            for kernel in created:
                kernel.release()
            raise
        for i, kernel in enumerate(created):
            _State.kernels[kernel.address] = kernel
            self.kernels.add(kernel.address)
            infos[i] = kernel.address

    def release(self) -> None:
        for address in self.kernels:
            _State.kernels.pop(address, None)
        self.kernels.clear()


# --- OrtNodeComputeInfo -----------------------------------------------------------------------
def _kernel(this: int) -> FusedKernel:
    kernel = _State.kernels.get(this or 0)
    if kernel is None:
        raise RuntimeError(f"unknown OrtNodeComputeInfo {this:#x}")
    return kernel


@_status_callback
def _create_state(this: int, compute_context: int, state: Any) -> None:
    state[0] = this  # the compute info is all the state a fused node needs


def _compute(this: int, state: int, kernel_context: int) -> int | None:
    """OrtNodeComputeInfo::Compute, called on every run: the status wrapper is inlined (one
    Python frame fewer per call)."""
    try:
        kernel = _State.kernels.get(this or 0)
        if kernel is None:
            kernel = _kernel(this)
        kernel.compute(kernel_context)
        return None
    except BaseException as exc:  # noqa: BLE001 - must never escape into ORT
        return _error_status(exc, "compute")


@_plain_callback(None)
def _release_state(this: int, state: int) -> None:
    return None


_COMPUTE_CALLBACKS = {
    "CreateState": _abi.CreateStateFn(_create_state),
    "Compute": _abi.ComputeFn(_compute),
    "ReleaseState": _abi.ReleaseStateFn(_release_state),
}


class _Variant:
    """A WebNN graph for one set of input shapes, with what Compute needs precomputed."""

    __slots__ = ("translated", "dispatch", "inputs", "outputs")

    def __init__(self, translated: TranslatedGraph, kernel: FusedKernel) -> None:
        self.translated = translated
        graph = translated.graph
        self.dispatch = graph.implementation.dispatch
        in_desc = graph.input_descriptors
        # (kernel input index, name, shape, dtype, byte size, view cache key)
        self.inputs = []
        for name in translated.inputs:
            desc = in_desc[name]
            index = kernel.input_index[name]
            self.inputs.append((index, name, desc.shape, desc.numpy_dtype, desc.byte_length,
                                ("in", index)))
        out_desc = graph.output_descriptors
        # (kernel output index, name, shape, dtype, dims and rank for
        # KernelContext_GetOutput, view cache key)
        self.outputs = []
        for index, name in enumerate(kernel.output_names):
            desc = out_desc.get(name)
            if desc is None:
                raise RuntimeError(f"fused node output {name!r} is not produced by its WebNN "
                                   "graph")
            onnx_dtype = NUMPY_DTYPES.get(kernel.output_types[index])
            if onnx_dtype is not None and onnx_dtype.itemsize != desc.numpy_dtype.itemsize:
                raise RuntimeError(f"output {name!r}: WebNN computes {desc.data_type}, ONNX "
                                   f"declares {onnx_dtype.name}")
            dims = (c_int64 * max(len(desc.shape), 1))(*desc.shape)
            self.outputs.append((index, name, desc.shape, desc.numpy_dtype, dims,
                                 len(desc.shape), ("out", index)))


class FusedKernel:
    """The compute side of one fused node (one OrtNodeComputeInfo)."""

    def __init__(self, ep: WebNNEp, graph: int, fused_node: int) -> None:
        self.api = api = ep.api
        self.context = ep.context
        reader = ValueReader(api, copy_constants=False)
        ins = [reader.value(v) for v in _node_values(api, fused_node, outputs=False)]
        outs = [reader.value(v) for v in _node_values(api, fused_node, outputs=True)]
        self.input_index = {name: i for i, name in enumerate(ins) if name}
        self.output_names = outs
        self.output_types = [reader.values[n].onnx_type if n else 0 for n in outs]
        # copies of the constants: translators may keep them (attributes, lazy builds)
        sub = read_graph(api, graph, copy_constants=True).graph
        sub.outputs = [n for n in outs if n]
        self.nodes = list(range(len(sub.nodes)))
        inputs, _ = group_io(sub, self.nodes)
        missing = [n for n in inputs if n not in self.input_index]
        if missing:
            raise RuntimeError(f"the fused node lacks inputs {missing}")
        self.input_names = inputs
        self.lock = threading.Lock()
        #: (direction, slot) -> (address, view); entries are replaced whole (thread-safe)
        self.views: dict[tuple, tuple[int, np.ndarray]] = {}
        self.variants: OrderedDict[tuple, _Variant] = OrderedDict()
        self.static: _Variant | None = None
        self.graph: GraphInfo | None = None
        #: ORT CPU session of the subgraph for calls with empty inputs (built on demand)
        self.empty_session: Any = None
        shapes = [sub.values[n].static_shape for n in inputs]
        if all(s is not None for s in shapes):
            self.static = _Variant(build_graph(self.context, sub, self.nodes), self)
        else:
            self.graph = sub
        self.struct = _abi.OrtNodeComputeInfo(ort_version_supported=_abi.ORT_API_VERSION,
                                              **_COMPUTE_CALLBACKS)
        self.address = addressof(self.struct)

    def release(self) -> None:
        with self.lock:
            self.variants.clear()
            self.empty_session = None
        self.static = None
        self.graph = None

    def _variant(self, shapes: tuple[tuple[int, ...], ...]) -> _Variant:
        with self.lock:
            variant = self.variants.get(shapes)
            if variant is not None:
                self.variants.move_to_end(shapes)
                return variant
            graph = self.graph
            if graph is None:
                raise RuntimeError("the fused node was released")
            translated = build_graph(self.context, graph, self.nodes,
                                     dict(zip(self.input_names, shapes)))
            variant = _Variant(translated, self)
            self.variants[shapes] = variant
            while len(self.variants) > MAX_SHAPES:
                self.variants.popitem(last=False)
            return variant

    def _view(self, key: tuple, address: int, shape: tuple[int, ...],
              dtype: np.dtype) -> np.ndarray:
        """A numpy view of ORT's buffer, reused while ORT hands out the same address (its
        arena does): the backend then also keeps the buffer bound to its infer request."""
        cached = self.views.get(key)
        if cached is not None and cached[0] == address and cached[1].shape == shape:
            return cached[1]
        array = wrap(address, shape, dtype)
        self.views[key] = (address, array)
        return array

    def compute(self, kernel_context: int) -> None:
        """Run the fused node: ORT's input and output buffers are handed to the WebNN
        graph as numpy views (cached per buffer address), with no copies.

        This runs once per fused node per ``session.run``, so it is kept lean: the static
        path reads each input with three ORT calls and each output with two."""
        api = self.api
        value = c_void_p()
        data = c_void_p()
        value_ref = byref(value)
        data_ref = byref(data)
        views = self.views
        feeds: dict[str, np.ndarray] = {}
        variant = self.static
        if variant is not None:
            size = c_size_t()
            size_ref = byref(size)
            get_input, get_size, get_data = (api.KernelContext_GetInput,
                                             api.GetTensorSizeInBytes, api.GetTensorData)
            for index, name, shape, dtype, nbytes, key in variant.inputs:
                get_input(kernel_context, index, value_ref)
                get_size(value, size_ref)
                if size.value != nbytes:
                    raise RuntimeError(f"input {name!r} has {size.value} bytes, the compiled "
                                       f"graph expects shape {list(shape)} ({nbytes} bytes)")
                get_data(value, data_ref)
                cached = views.get(key)
                if cached is not None and cached[0] == data.value and cached[1].shape == shape:
                    feeds[name] = cached[1]
                else:
                    feeds[name] = self._view(key, data.value, shape, dtype)
        else:
            variant = self._dynamic_feeds(kernel_context, feeds)
            if variant is None:
                return
        outputs: dict[str, np.ndarray] = {}
        get_output, get_mutable = api.KernelContext_GetOutput, api.GetTensorMutableData
        for index, name, shape, dtype, dims, rank, key in variant.outputs:
            get_output(kernel_context, index, dims, rank, value_ref)
            get_mutable(value, data_ref)
            cached = views.get(key)
            if cached is not None and cached[0] == data.value and cached[1].shape == shape:
                outputs[name] = cached[1]
            else:
                outputs[name] = self._view(key, data.value, shape, dtype)
        variant.dispatch(feeds, outputs)

    def _dynamic_feeds(self, kernel_context: int, feeds: dict[str, np.ndarray]
                       ) -> _Variant | None:
        """Fill ``feeds`` for a fused node with symbolic input dimensions; returns the
        variant compiled for the input shapes of this call, or None when an input holds no
        elements: WebNN has no empty tensors, so that call was run by
        :meth:`_compute_empty` (outputs written)."""
        api = self.api
        value = c_void_p()
        data = c_void_p()
        shapes = []
        pointers = {}
        info = c_void_p()
        for name in self.input_names:
            api.KernelContext_GetInput(kernel_context, self.input_index[name], byref(value))
            api.GetTensorTypeAndShape(value, byref(info))
            try:
                shapes.append(_dims(api, info.value))
            finally:
                api.ReleaseTensorTypeAndShapeInfo(info)
            api.GetTensorData(value, byref(data))
            pointers[name] = data.value
        if any(0 in shape for shape in shapes):
            self._compute_empty(kernel_context, dict(zip(self.input_names, shapes)), pointers)
            return None
        variant = self._variant(tuple(shapes))
        for _, name, shape, dtype, _, key in variant.inputs:
            feeds[name] = self._view(key, pointers[name], shape, dtype)
        return variant


    def _compute_empty(self, kernel_context: int, shapes: dict[str, tuple[int, ...]],
                       pointers: dict[str, int]) -> None:
        """Run a call whose inputs include an empty tensor (e.g. a symbolic batch fed 0
        rows) on ONNX Runtime's own CPU kernels, and write the outputs ORT asks for.

        WebNN has no empty tensors, so such a call cannot run on the WebNN graph; the
        nodes are ORT's (it loaded the model), so ORT's CPU EP computes every node this EP
        takes, with ORT's semantics (outputs that are not empty, e.g. a reduction over the
        empty axis or a Shape, included). The session is built on the first such call."""
        runner = self._empty_runner()
        feeds = {}
        for name, shape in shapes.items():
            dtype = NUMPY_DTYPES.get(self.graph.values[name].onnx_type)
            if dtype is None:
                raise RuntimeError(f"input {name!r} has an element type numpy lacks")
            feeds[name] = (wrap(pointers[name], shape, dtype, readonly=True)
                           if 0 not in shape else np.zeros(shape, dtype))
        results = dict(zip([n for n in self.output_names if n],
                           runner.run(None, feeds), strict=True))
        api = self.api
        value = c_void_p()
        data = c_void_p()
        for index, name in enumerate(self.output_names):
            if not name:
                continue
            result = np.asarray(results[name])
            dtype = NUMPY_DTYPES.get(self.output_types[index], result.dtype)
            dims = (c_int64 * max(result.ndim, 1))(*result.shape)
            api.KernelContext_GetOutput(kernel_context, index, dims, result.ndim, byref(value))
            if result.size:
                api.GetTensorMutableData(value, byref(data))
                np.copyto(wrap(data.value, result.shape, dtype), result, casting="unsafe")

    def _empty_runner(self) -> Any:
        """The fused subgraph as an ONNX Runtime session on the CPU EP alone (built once)."""
        with self.lock:
            if self.empty_session is None:
                graph = self.graph
                if graph is None:
                    raise RuntimeError("the fused node was released")
                import onnxruntime

                sub = GraphInfo(graph.nodes, graph.values, list(self.input_names),
                                [n for n in self.output_names if n])
                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = 1
                options.inter_op_num_threads = 1
                self.empty_session = onnxruntime.InferenceSession(
                    to_onnx_model(sub).SerializeToString(), options,
                    providers=["CPUExecutionProvider"])
            return self.empty_session


def _dims(api: OrtApi, info: int) -> tuple[int, ...]:
    rank = c_size_t()
    api.GetDimensionsCount(info, byref(rank))
    n = rank.value
    if n == 0:
        return ()
    dims = (c_int64 * n)()
    api.GetDimensions(info, dims, n)
    return tuple(dims)


def _node_values(api: OrtApi, node: int, outputs: bool) -> list[int | None]:
    count = c_size_t()
    if outputs:
        api.Node_GetNumOutputs(node, byref(count))
    else:
        api.Node_GetNumInputs(node, byref(count))
    n = count.value
    if n == 0:
        return []
    values = (c_void_p * n)()
    (api.Node_GetOutputs if outputs else api.Node_GetInputs)(node, values, n)
    return list(values)


# --- loading ------------------------------------------------------------------------------------
_LIBRARY: ctypes.CDLL | None = None


def install(path: str) -> None:
    """Load the trampoline library and point it at this module's entry points."""
    global _LIBRARY
    with _State.lock:
        if _LIBRARY is not None:
            return
        library = ctypes.CDLL(path)
        setter = library.webnn_ep_set_callbacks
        setter.argtypes = [_abi.CreateEpFactoriesFn, _abi.ReleaseEpFactoryFn]
        setter.restype = None
        setter(create_ep_factories_thunk, release_ep_factory_thunk)
        _LIBRARY = library


__all__ = ["EP_NAME", "OPTIONS", "OrtError", "WebNNEp", "create_context", "install",
           "parse_options"]
