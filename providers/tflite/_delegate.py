"""The WebNN TFLite delegate: a ``TfLiteDelegate`` and its kernel, in ctypes.

TFLite calls ``Prepare`` when it applies the delegate (interpreter construction, and again
after an input is resized). Prepare reads the execution plan (:mod:`._context`), runs each
node's translator (:func:`check_model`: in execution order on one builder, a node that
cannot be translated there alone on a scratch builder), and hands the supported nodes to
``ReplaceNodeSubsetsWithDelegateKernels``; TFLite groups them into partitions and creates
one delegate kernel per partition:

- ``init`` translates the partition into one WebNN graph and compiles it (once);
- ``prepare`` rebuilds it only if the partition's input shapes changed, and resizes the
  output tensors to what WebNN infers;
- ``invoke`` wraps TFLite's tensor buffers as numpy arrays (cached per address) and lets the
  backend read the inputs and write the outputs in place.

Every callback catches every exception, reports it through ``TfLiteContext.ReportError`` and
returns ``kTfLiteError``: an exception escaping a ctypes callback would read as success.
"""

from __future__ import annotations

import ctypes
import functools
import itertools
import logging
import threading
import traceback
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

import webnn_core as webnn

from ..report import NodeReport, PartitionReport, precision_note
from ..runtime import ProviderOptionError, VariantCache, ViewCache, create_context
from . import _abi
from ._builtin_codes import BUILTIN_CODES
from ._context import read_model, read_tensor
from .model import ModelInfo
from .translator import (
    ModelTranslation,
    TranslatedGraph,
    build_graph,
    check_model,
    tensor_name,
)

_LOG = logging.getLogger("webnn")

NAME = "WebNNDelegate"

#: the delegate's name for the shared :class:`~webnn_providers.runtime.ProviderOptionError`
DelegateOptionError = ProviderOptionError


# --- error reporting --------------------------------------------------------------------
def _report_error(context_address: int, message: str) -> None:
    try:
        context = _abi.TfLiteContext.from_address(context_address)
        if context.ReportError:
            _abi.ReportErrorFn(context.ReportError)(context_address, b"%s",
                                                    message.encode(errors="replace"))
    except BaseException:  # noqa: BLE001 - nothing else can be reported
        pass


def _status_callback(where: str) -> Callable[[Callable[..., None]], Callable[..., int]]:
    """Wrap a callback returning TfLiteStatus: kTfLiteOk, or kTfLiteError after reporting."""
    def decorate(fn: Callable[..., None]) -> Callable[..., int]:
        def callback(context: int, *args: Any) -> int:
            try:
                fn(context, *args)
                return _abi.OK
            except BaseException as exc:  # noqa: BLE001 - must never escape into TFLite
                message = f"{NAME}: {where} failed: {type(exc).__name__}: {exc}"
                _LOG.debug("%s\n%s", message, "".join(traceback.format_exception(exc)))
                _report_error(context, message)
                return _abi.ERROR
        return callback
    return decorate


# --- the delegate -----------------------------------------------------------------------
_DELEGATES: weakref.WeakValueDictionary[int, WebNNDelegate] = weakref.WeakValueDictionary()
_KERNELS: dict[int, Kernel] = {}
_KERNEL_IDS = itertools.count(1)
_LOCK = threading.Lock()


class WebNNDelegate:
    """A TFLite delegate running the nodes WebNN supports, one WebNN graph per partition.

    >>> from ai_edge_litert.interpreter import Interpreter
    >>> delegate = WebNNDelegate(backend="openvino", device="CPU")
    >>> it = Interpreter(model_path="model.tflite", experimental_delegates=[delegate])

    Options (:data:`webnn_providers.runtime.OPTION_TABLE`, shared with the other hosts):
    ``backend`` ("openvino", "reference" or any registered backend name), ``device`` (the
    backend's device, OpenVINO's default "CPU"), ``power_preference``, ``precision``
    ("float32" default; "float16"/"bfloat16" only when asked) and ``cache_dir`` (the
    backend's compiled-model cache). Unknown options and bad values raise
    :class:`DelegateOptionError`. One delegate can serve several interpreters.
    """

    def __init__(self, backend: str = "openvino", device: str | None = None,
                 power_preference: str | None = None, precision: str | None = None,
                 cache_dir: str | None = None, **unknown: Any) -> None:
        options = {"backend": backend, "device": device, "power_preference": power_preference,
                   "precision": precision, "cache_dir": cache_dir, **unknown}
        self.context = create_context(options, NAME)
        #: the options set (None and "" mean the default), as given
        self.options = {k: v for k, v in options.items() if v not in (None, "")}
        self._reports: list[PartitionReport] = []
        self._pending: dict[int, _Pending] = {}
        self._lock = threading.Lock()
        # dynamic tensors allowed: models with them still run, their nodes stay with TFLite
        self._struct = _abi.TfLiteDelegate(Prepare=_PREPARE,
                                           flags=_abi.DELEGATE_FLAGS_ALLOW_DYNAMIC_TENSORS)
        self._address = ctypes.addressof(self._struct)
        self._struct.data_ = self._address
        _DELEGATES[self._address] = self

    def _get_native_delegate_pointer(self) -> int:
        """The ``TfLiteDelegate*`` the interpreters apply (their Python API contract)."""
        return self._address

    def partition_report(self) -> PartitionReport | None:
        """The partitioning of the graph the delegate was last applied to: every node's
        verdict, the partitions TFLite built from the nodes WebNN took, and why each other
        node stays with TFLite. None before the delegate was applied."""
        with self._lock:
            return self._reports[-1] if self._reports else None

    def partition_reports(self) -> list[PartitionReport]:
        """One report per application (interpreter, or input resize), oldest first."""
        with self._lock:
            return list(self._reports)

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.options.items())
        return f"{NAME}({shown})"

    # Prepare ---------------------------------------------------------------------------
    def prepare(self, context_address: int) -> None:
        context, model = read_model(context_address)
        verdicts, translation = check_model(self.context, model)
        nodes = []
        for op, verdict in zip(model.ops, verdicts, strict=True):
            custom = op.op == "CUSTOM"
            nodes.append(NodeReport(op.index, "", op.custom_name if custom else op.op,
                                    "custom" if custom else "", verdict.supported,
                                    verdict.reason, verdict.kind))
        _leave_constant_producers(model, nodes)
        report = PartitionReport(nodes, provider=NAME, host="TFLite",
                                 precision=precision_note(self.context))
        with self._lock:
            self._reports.append(report)
            del self._reports[:-8]
        claimed = [op.index for op, n in zip(model.ops, nodes, strict=True) if n.supported]
        pending = _Pending(model, report, translation)
        claimed = pending.build_partitions(self.context, context, context_address, claimed)
        if not claimed:
            _LOG.info("%s", report.summary())
            return
        self._pending[context_address] = pending
        try:
            nodes_array = _abi.int_array_buffer(claimed)
            status = context.ReplaceNodeSubsetsWithDelegateKernels(
                context_address, _REGISTRATION, ctypes.addressof(nodes_array), self._address)
        finally:
            self._pending.pop(context_address, None)
        _LOG.info("%s", report.summary())
        if status != _abi.OK:
            raise RuntimeError(f"ReplaceNodeSubsetsWithDelegateKernels failed: "
                               f"{pending.error or f'status {status}'}")


def _leave_constant_producers(model: ModelInfo, nodes: list[NodeReport]) -> None:
    """Leave to TFLite a supported node that only computes from constants for nodes TFLite
    runs (e.g. the float16 -> float32 DEQUANTIZE of a custom op's weights): delegated, its
    output would become a run-time tensor, and kernels such as XNNPACK's need those
    weights static."""
    consumers: dict[int, list[int]] = {}
    for k, op in enumerate(model.ops):
        for t in op.inputs:
            if t >= 0:
                consumers.setdefault(t, []).append(k)
    for k, op in enumerate(model.ops):
        if not nodes[k].supported:
            continue
        inputs = [t for t in op.inputs if t >= 0]
        if not inputs or any(model.tensors[t].constant is None for t in inputs):
            continue
        readers = [c for t in op.outputs for c in consumers.get(t, [])]
        if readers and all(not nodes[c].supported for c in readers):
            nodes[k].supported = False
            nodes[k].kind = "constant"
            nodes[k].reason = (f"{op.describe()} only computes a constant for "
                               f"{model.ops[readers[0]].describe()}, which TFLite runs: left "
                               "to TFLite so that its input stays static")


class _Pending:
    """The graph being delegated, and the kernels built for TFLite's partitions of it."""

    def __init__(self, model: ModelInfo, report: PartitionReport,
                 translation: ModelTranslation | None = None) -> None:
        self.model = model
        self.report = report
        #: the support check's translation, the graph of a partition of the whole model
        self.translation = translation
        self.position = {op.index: k for k, op in enumerate(model.ops)}
        self.kernels: dict[tuple[int, ...], Kernel] = {}
        self.error = ""

    def build_partitions(self, webnn_context: webnn.MLContext, context: _abi.TfLiteContext,
                         address: int, claimed: list[int]) -> list[int]:
        """Build and compile the WebNN graph of each partition TFLite will form from
        ``claimed`` (``PreviewDelegatePartitioning``); a partition that fails to build is
        left to TFLite (its nodes are reported with the error). Returns the nodes to claim.
        """
        if not context.PreviewDelegatePartitioning:
            return claimed
        for _ in range(8):  # each round either succeeds or drops a partition
            dropped = False
            for nodes, outputs in _preview(context, address, claimed):
                key = tuple(sorted(nodes))
                if key in self.kernels:
                    continue
                positions = [self.position[n] for n in nodes]
                try:
                    translated = None if self.translation is None else \
                        self.translation.graph_for(positions, outputs)
                    self.kernels[key] = Kernel(webnn_context, self.model, positions, outputs,
                                               translated)
                except Exception as exc:  # noqa: BLE001 - reported, nodes go back to TFLite
                    reason = f"its partition failed to build: {type(exc).__name__}: {exc}"
                    _LOG.warning("%s: %s", NAME, reason)
                    for k in positions:
                        node = self.report.nodes[k]
                        node.supported, node.reason, node.kind = False, reason, "webnn"
                    drop = set(nodes)
                    claimed = [n for n in claimed if n not in drop]
                    dropped = True
            if not dropped or not claimed:
                break
        return claimed

    def kernel(self, webnn_context: webnn.MLContext, nodes: list[int],
               outputs: list[int]) -> Kernel:
        """The kernel for the partition TFLite made (built in Prepare when previewed)."""
        kernel = self.kernels.pop(tuple(sorted(nodes)), None)
        if kernel is None or kernel.output_tensors != outputs:
            kernel = Kernel(webnn_context, self.model, [self.position[n] for n in nodes],
                            outputs)
        self.report.partitions.append(kernel.positions)
        return kernel


def _preview(context: _abi.TfLiteContext, address: int,
             nodes: list[int]) -> list[tuple[list[int], list[int]]]:
    """TFLite's partitions of ``nodes``: (nodes, output tensors) each."""
    array = _abi.int_array_buffer(nodes)
    params = ctypes.c_void_p()
    count = ctypes.c_int()
    status = context.PreviewDelegatePartitioning(address, ctypes.addressof(array),
                                                 ctypes.byref(params), ctypes.byref(count))
    if status != _abi.OK:
        raise RuntimeError(f"PreviewDelegatePartitioning failed (status {status})")
    size = ctypes.sizeof(_abi.TfLiteDelegateParams)
    out = []
    for k in range(count.value):
        p = _abi.TfLiteDelegateParams.from_address(params.value + k * size)
        out.append((_abi.int_array(p.nodes_to_replace), _abi.int_array(p.output_tensors)))
    return out


@_status_callback("Prepare")
def _prepare_delegate(context: int, delegate: int) -> None:
    owner = _DELEGATES.get(delegate)
    if owner is None:
        raise RuntimeError("the delegate object was garbage-collected")
    owner.prepare(context)


_PREPARE = _abi.DelegatePrepareFn(_prepare_delegate)


# --- the kernel -----------------------------------------------------------------------------
class _Variant:
    """A compiled WebNN graph for one set of partition input shapes."""

    __slots__ = ("translated", "dispatch", "inputs", "outputs")

    def __init__(self, translated: TranslatedGraph) -> None:
        self.translated = translated
        graph = translated.graph
        self.dispatch = graph.dispatch_arrays
        in_desc = graph.input_descriptors
        out_desc = graph.output_descriptors
        # (tensor index, name, shape, numpy dtype)
        self.inputs = [(t, tensor_name(t), in_desc[tensor_name(t)].shape,
                        in_desc[tensor_name(t)].numpy_dtype) for t in translated.inputs]
        self.outputs = [(t, tensor_name(t), out_desc[tensor_name(t)].shape,
                         out_desc[tensor_name(t)].numpy_dtype) for t in translated.outputs]


class Kernel:
    """One delegated partition (one TFLite DELEGATE node)."""

    def __init__(self, context: webnn.MLContext, model: ModelInfo, positions: list[int],
                 outputs: list[int], translated: TranslatedGraph | None = None) -> None:
        """``translated``: the partition's graph already built (the support check's
        translation of the whole model), else it is translated here."""
        self.context = context
        self.model = model
        self.positions = positions
        self.output_tensors = outputs
        self.variants: VariantCache[tuple, _Variant] = VariantCache()
        #: views of TFLite's tensor buffers, cleared when prepare rebinds (shapes may change)
        self.views = ViewCache()
        #: (feeds, outputs) of the current variant: (name, view key, shape, dtype, the
        #: TfLiteTensor) each, resolved in prepare so invoke only reads data pointers
        self.bindings: tuple[list[tuple], list[tuple]] | None = None
        first = translated if translated is not None else \
            build_graph(context, model, positions, outputs)
        self.input_tensors = first.inputs
        shapes = tuple(model.tensors[t].shape for t in first.inputs)
        self.current = self.variants.put(shapes, _Variant(first))

    def _build_variant(self, context: _abi.TfLiteContext,
                       shapes: tuple[tuple[int, ...], ...]) -> _Variant:
        """The WebNN graph for the partition inputs' new shapes (a VariantCache miss)."""
        for t, shape in zip(self.input_tensors, shapes, strict=True):
            self.model.tensors[t] = read_tensor(context, t)
            self.model.tensors[t].shape = shape
        translated = build_graph(self.context, self.model, self.positions,
                                 self.output_tensors, dict(zip(self.input_tensors, shapes)))
        return _Variant(translated)

    def prepare(self, context_address: int) -> None:
        """Pick (or build) the variant for the current input shapes, resize the outputs to
        what WebNN infers and bind the tensors invoke reads."""
        context = _abi.TfLiteContext.from_address(context_address)
        shapes = tuple(tuple(_abi.int_array(_abi.tensor_at(context, t).dims))
                       for t in self.input_tensors)
        variant = self.variants.get(shapes, functools.partial(self._build_variant, context))
        for t, _, shape, dtype in variant.outputs:
            self._resize_output(context, context_address, t, shape, dtype)
        self.current = variant
        self.views.clear()
        self.bindings = tuple(
            [(name, f"tensor {t}", shape, dtype, _abi.tensor_at(context, t))
             for t, name, shape, dtype in slots]
            for slots in (variant.inputs, variant.outputs))

    @staticmethod
    def _resize_output(context: _abi.TfLiteContext, context_address: int, t: int,
                       shape: tuple[int, ...], dtype: np.dtype) -> None:
        """Give output tensor ``t`` WebNN's shape (its element size must match)."""
        tensor = _abi.tensor_at(context, t)
        expected = _abi.TFLITE_TYPES.get(tensor.type, ("", None))[1]
        if expected is not None and expected.itemsize != dtype.itemsize:
            raise RuntimeError(f"output tensor {t}: WebNN computes {dtype}, TFLite "
                               f"declares {expected}")
        if tuple(_abi.int_array(tensor.dims)) != tuple(shape):
            status = context.ResizeTensor(context_address, ctypes.addressof(tensor),
                                          _abi.new_int_array(list(shape)))
            if status != _abi.OK:
                raise RuntimeError(f"ResizeTensor of output tensor {t} to {list(shape)} "
                                   "failed")

    def invoke(self, context_address: int) -> None:
        """Run the current variant on views of TFLite's buffers (no copies). Views are
        cleared whenever prepare rebinds, so a cached one is current while its address
        is: the hit test reads only the address."""
        if self.bindings is None:
            raise RuntimeError("invoke before the kernel was prepared")
        inputs, outputs = self.bindings
        entries = self.views.entries
        view = self.views.view
        arrays: list[dict[str, np.ndarray]] = [{}, {}]
        for slots, found in zip((inputs, outputs), arrays):
            for name, key, shape, dtype, tensor in slots:
                address = tensor.data
                cached = entries.get(key)
                found[name] = (cached[1] if cached is not None and cached[0] == address
                               else view(key, address, shape, dtype, tensor.bytes))
        self.current.dispatch(*arrays)


def _kernel_init(context: int, buffer: int, length: int) -> int | None:
    """Kernel init: returns the kernel's id as ``user_data`` (0 on failure: prepare then
    reports the error recorded here)."""
    try:
        params = _abi.TfLiteDelegateParams.from_address(buffer)
        owner = _DELEGATES.get(params.delegate)
        if owner is None:
            raise RuntimeError("the delegate object was garbage-collected")
        pending = owner._pending.get(context)
        if pending is None:
            raise RuntimeError("kernel init outside the delegate's Prepare")
        nodes = _abi.int_array(params.nodes_to_replace)
        outputs = _abi.int_array(params.output_tensors)
        try:
            kernel = pending.kernel(owner.context, nodes, outputs)
        except Exception as exc:
            pending.error = f"{type(exc).__name__}: {exc}"
            raise
        with _LOCK:
            key = next(_KERNEL_IDS)
            _KERNELS[key] = kernel
        return key
    except BaseException as exc:  # noqa: BLE001 - must never escape into TFLite
        _LOG.error("%s: kernel init failed: %s\n%s", NAME, exc, traceback.format_exc())
        _report_error(context, f"{NAME}: kernel init failed: {type(exc).__name__}: {exc}")
        return None


def _kernel_free(context: int, buffer: int) -> None:
    try:
        with _LOCK:
            _KERNELS.pop(buffer or 0, None)
    except BaseException:  # noqa: BLE001, S110 - must never escape into TFLite
        pass


def _kernel(node: int) -> Kernel:
    user_data = _abi.TfLiteNode.from_address(node).user_data
    kernel = _KERNELS.get(user_data or 0)
    if kernel is None:
        raise RuntimeError("the partition could not be built (see the error above)")
    return kernel


@_status_callback("kernel prepare")
def _kernel_prepare(context: int, node: int) -> None:
    _kernel(node).prepare(context)


@_status_callback("invoke")
def _kernel_invoke(context: int, node: int) -> None:
    _kernel(node).invoke(context)


_CALLBACKS = (_abi.InitFn(_kernel_init), _abi.FreeFn(_kernel_free),
              _abi.PrepareFn(_kernel_prepare), _abi.InvokeFn(_kernel_invoke))
_REGISTRATION = _abi.TfLiteRegistration(
    init=_CALLBACKS[0], free=_CALLBACKS[1], prepare=_CALLBACKS[2], invoke=_CALLBACKS[3],
    builtin_code=BUILTIN_CODES["DELEGATE"], custom_name=NAME.encode(), version=1)
