"""The ABI side of the WebNN execution provider: OrtEpFactory and OrtEp in Python.

ORT calls the C trampoline (``_trampoline.c``), which forwards ``CreateEpFactories`` and
``ReleaseEpFactory`` here; every other entry point is a ctypes callback in the structs this
module hands to ORT, wrapped by :mod:`._state`'s error boundary (an exception escaping a
ctypes callback would read as success).

- CreateEp reads the provider options from the session config and creates the session's
  ``MLContext`` through the shared provider runtime (:mod:`webnn_providers.runtime`).
- GetCapability reads the OrtGraph into a :class:`GraphInfo`, checks each node
  (translate-to-check) in topological order, groups supported nodes into convex partitions
  (:func:`._report.analyze`) and asks ORT to fuse each group (constant initializers dropped
  from the fused node's inputs: they become WebNN constants).
- Compile creates one :class:`._kernel.FusedKernel` per fused node; the kernel module holds
  the compute side (the ``Compute`` hot path).
"""

from __future__ import annotations

import ctypes
import logging
from ctypes import addressof, byref, c_char_p, c_void_p
from typing import Any

import webnn_core as webnn

from .. import runtime
from . import _abi
from ._abi import OrtApi
from ._graph import read_graph
from ._kernel import FusedKernel
from ._report import PartitionReport, analyze
from ._state import (
    EP_NAME,
    VENDOR,
    VERSION,
    _State,
    cstr,
    error_status,
    plain_callback,
    status_callback,
)

_LOG = logging.getLogger("webnn")

#: session config keys of the provider options start with this (ORT adds it)
OPTION_PREFIX = f"ep.{EP_NAME.lower()}."


def parse_options(entries: dict[str, str], prefix: str = OPTION_PREFIX) -> dict[str, str]:
    """The provider options among session config ``entries`` (key without the prefix), set
    ones only; an unknown name raises :class:`~webnn_providers.runtime.ProviderOptionError`."""
    options = {k[len(prefix):]: v for k, v in entries.items() if k.startswith(prefix)}
    return runtime.parse_options(options, EP_NAME)


def create_context(options: dict[str, Any]) -> webnn.MLContext:
    """The MLContext for provider options; bad ones raise ProviderOptionError."""
    return runtime.create_context(options, EP_NAME)


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
        return error_status(exc, "CreateEpFactories")


def _release_ep_factory(factory: int) -> int | None:
    try:
        _State.factories.pop(factory or 0, None)
        return None
    except BaseException as exc:  # noqa: BLE001
        return error_status(exc, "ReleaseEpFactory")


create_ep_factories_thunk = _abi.CreateEpFactoriesFn(_create_ep_factories)
release_ep_factory_thunk = _abi.ReleaseEpFactoryFn(_release_ep_factory)


# --- OrtEpFactory ---------------------------------------------------------------------------
@plain_callback(0)
def _factory_get_name(this: int) -> int:
    return cstr(EP_NAME)


@plain_callback(0)
def _factory_get_vendor(this: int) -> int:
    return cstr(VENDOR)


@plain_callback(0)
def _factory_get_version(this: int) -> int:
    return cstr(VERSION)


@plain_callback(0)
def _factory_get_vendor_id(this: int) -> int:
    return 0


@status_callback
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


@status_callback
def _create_ep(this: int, devices: Any, metadata: Any, num_devices: int, session_options: int,
               logger: int, ep_out: Any) -> None:
    ep_out[0] = None
    api = _State.api
    options = parse_options(api.config_entries(session_options))
    ep = WebNNEp(api, options)
    _State.eps[ep.address] = ep
    ep_out[0] = ep.address


@plain_callback(None)
def _release_ep(this: int, ep: int) -> None:
    released = _State.eps.pop(ep or 0, None)
    if released is not None:
        released.release()


@status_callback
def _validate_compatibility(this: int, devices: Any, num_devices: int, info: bytes,
                            result: Any) -> None:
    result[0] = _abi.EP_NOT_APPLICABLE


@status_callback
def _factory_create_allocator(this: int, memory_info: int, options: int, out: Any) -> None:
    out[0] = None  # ORT's default CPU allocator


@plain_callback(None)
def _factory_release_allocator(this: int, allocator: int) -> None:
    return None


@status_callback
def _create_data_transfer(this: int, out: Any) -> None:
    out[0] = None  # host memory only


@plain_callback(False)
def _is_stream_aware(this: int) -> bool:
    return False


@status_callback
def _factory_create_sync_stream(this: int, memory_device: int, options: int, out: Any) -> None:
    out[0] = None


@status_callback
def _incompatibility_details(this: int, hardware_device: int, details: int) -> None:
    return None  # compatible


@status_callback
def _create_resource_importer(this: int, ep_device: int, out: Any) -> None:
    out[0] = None


@status_callback
def _get_num_custom_op_domains(this: int, out: Any) -> None:
    out[0] = 0


@status_callback
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


@plain_callback(0)
def _ep_get_name(this: int) -> int:
    return cstr(EP_NAME)


@status_callback
def _get_capability(this: int, graph: int, support_info: int) -> None:
    _ep(this).get_capability(graph, support_info)


@status_callback
def _compile(this: int, graphs: Any, fused_nodes: Any, count: int, infos: Any,
             ep_context_nodes: Any) -> None:
    _ep(this).compile(graphs, fused_nodes, count, infos)


@plain_callback(None)
def _release_node_compute_infos(this: int, infos: Any, count: int) -> None:
    for i in range(count):
        kernel = _State.kernels.pop(infos[i] or 0, None)
        if kernel is not None:
            kernel.release()


@plain_callback(0)
def _get_compatibility_info(this: int, graph: int) -> int:
    return cstr(f"{VENDOR} {VERSION}")


@status_callback
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
        """Ask ORT to fuse each convex group of the nodes WebNN supports (one report per
        graph kept, logged at INFO)."""
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
        """One FusedKernel per fused node, all or none (a failure releases those built)."""
        created: list[FusedKernel] = []
        try:
            for i in range(count):
                created.append(FusedKernel(self.api, self.context, graphs[i], fused_nodes[i]))
        except BaseException:
            for kernel in created:
                kernel.release()
            raise
        for i, kernel in enumerate(created):
            _State.kernels[kernel.address] = kernel
            self.kernels.add(kernel.address)
            infos[i] = kernel.address

    def release(self) -> None:
        """Forget this EP's kernels (ORT releases the session)."""
        for address in self.kernels:
            _State.kernels.pop(address, None)
        self.kernels.clear()


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


__all__ = ["EP_NAME", "OPTION_PREFIX", "WebNNEp", "create_context", "install", "parse_options"]
