"""The compute side of the EP: one :class:`FusedKernel` per fused node (ORT's
OrtNodeComputeInfo), its compiled variants and the ``Compute`` hot path.

Compile builds one WebNN graph per fused node when its input shapes are static, else keeps
the subgraph (with copied constants) and builds one per concrete input shape at run time
(:class:`~webnn_providers.runtime.VariantCache`). Compute wraps ORT's input buffers as numpy
arrays, lets ORT allocate the outputs and has the backend write into them (no copies on
either side; :class:`~webnn_providers.runtime.ViewCache`). A call with an empty input runs
on ORT's own CPU kernels (WebNN has no empty tensors).

Overridable initializers (initializers that are also graph inputs, in older exports) are
compiled as constants holding their defaults; each call checks that the default is what ORT
passes (:meth:`FusedKernel._overridden`) and runs a call that overrides one on ORT's CPU
kernels, as it does an empty call.
"""

from __future__ import annotations

import threading
from ctypes import addressof, byref, c_int64, c_size_t, c_void_p
from dataclasses import replace
from typing import Any

import numpy as np

import webnn_core as webnn

from ..onnx import GraphInfo, TranslatedGraph, build_graph, group_io, to_onnx_model
from ..runtime import VariantCache, ViewCache, wrap
from . import _abi
from ._abi import OrtApi
from ._graph import NUMPY_DTYPES, ValueReader, read_graph
from ._state import _State, error_status, plain_callback, status_callback


class _Variant:
    """A WebNN graph for one set of input shapes, with what Compute needs precomputed."""

    __slots__ = ("translated", "dispatch", "inputs", "outputs")

    def __init__(self, translated: TranslatedGraph, kernel: FusedKernel) -> None:
        self.translated = translated
        graph = translated.graph
        self.dispatch = graph.dispatch_arrays
        in_desc = graph.input_descriptors
        # (kernel input index, name, shape, dtype, byte size, view cache key)
        self.inputs = []
        for name in translated.inputs:
            desc = in_desc[name]
            index = kernel.input_index[name]
            self.inputs.append((index, name, desc.shape, desc.numpy_dtype, desc.byte_length,
                                f"input {index}"))
        # (kernel output index, name, shape, dtype, dims and rank for
        # KernelContext_GetOutput, view cache key)
        self.outputs = [_output_slot(kernel, graph, index, name)
                        for index, name in enumerate(kernel.output_names)]


def _output_slot(kernel: FusedKernel, graph: webnn.MLGraph, index: int, name: str) -> tuple:
    """What Compute needs to fetch and view one output, checked against ONNX's type."""
    desc = graph.output_descriptors.get(name)
    if desc is None:
        raise RuntimeError(f"fused node output {name!r} is not produced by its WebNN graph")
    onnx_dtype = NUMPY_DTYPES.get(kernel.output_types[index])
    if onnx_dtype is not None and onnx_dtype.itemsize != desc.numpy_dtype.itemsize:
        raise RuntimeError(f"output {name!r}: WebNN computes {desc.data_type}, ONNX "
                           f"declares {onnx_dtype.name}")
    dims = (c_int64 * max(len(desc.shape), 1))(*desc.shape)
    return (index, name, desc.shape, desc.numpy_dtype, dims, len(desc.shape),
            f"output {index}")


class FusedKernel:
    """The compute side of one fused node (one OrtNodeComputeInfo)."""

    def __init__(self, api: OrtApi, context: webnn.MLContext, graph: int,
                 fused_node: int) -> None:
        self.api = api
        self.context = context
        reader = ValueReader(api, copy_constants=False)
        ins = [reader.value(v) for v in node_values(api, fused_node, outputs=False)]
        outs = [reader.value(v) for v in node_values(api, fused_node, outputs=True)]
        self.input_index = {name: i for i, name in enumerate(ins) if name}
        self.output_names = outs
        self.output_types = [reader.values[n].onnx_type if n else 0 for n in outs]
        # copies of the constants: translators may keep them (attributes, lazy builds)
        read = read_graph(api, graph, copy_constants=True)
        sub = read.graph
        sub.outputs = [n for n in outs if n]
        self.nodes = list(range(len(sub.nodes)))
        inputs, _ = group_io(sub, self.nodes)
        missing = [n for n in inputs if n not in self.input_index]
        if missing:
            raise RuntimeError(f"the fused node lacks inputs {missing}")
        self.input_names = inputs
        #: [index, name, address, default bytes, verified] per overridable input
        self.defaults = [[self.input_index[n], n, address,
                          sub.values[n].constant.reshape(-1).view(np.uint8), False]
                         for n, address in read.overridable.items() if n in self.input_index]
        self.lock = threading.Lock()
        self.views = ViewCache()
        self.variants: VariantCache[tuple, _Variant] = VariantCache()
        self.static: _Variant | None = None
        self.graph: GraphInfo | None = None
        #: the subgraph as ORT's CPU EP runs it (overridable initializers as inputs), for
        #: calls WebNN cannot run: empty inputs, overridden initializers
        self.host_graph: GraphInfo | None = None
        #: ORT CPU session of host_graph (built on demand)
        self.empty_session: Any = None
        shapes = [sub.values[n].static_shape for n in inputs]
        if all(s is not None for s in shapes):
            self.static = _Variant(build_graph(self.context, sub, self.nodes), self)
        else:
            self.graph = sub
        if self.defaults or self.graph is not None:
            self.host_graph = _host_graph(sub, inputs, [d[1] for d in self.defaults],
                                          [n for n in outs if n])
        self.struct = _abi.OrtNodeComputeInfo(ort_version_supported=_abi.ORT_API_VERSION,
                                              **_COMPUTE_CALLBACKS)
        self.address = addressof(self.struct)

    def release(self) -> None:
        self.variants.clear()
        with self.lock:
            self.empty_session = None
        self.static = None
        self.graph = None
        self.host_graph = None

    def _build_variant(self, shapes: tuple[tuple[int, ...], ...]) -> _Variant:
        """The WebNN graph for one set of concrete input shapes (a VariantCache miss)."""
        graph = self.graph
        if graph is None:
            raise RuntimeError("the fused node was released")
        translated = build_graph(self.context, graph, self.nodes,
                                 dict(zip(self.input_names, shapes)))
        return _Variant(translated, self)

    def compute(self, kernel_context: int) -> None:
        """Run the fused node: ORT's input and output buffers are handed to the WebNN
        graph as numpy views (cached per buffer address), with no copies.

        This runs once per fused node per ``session.run``, so it is kept lean: the static
        path reads each input with three ORT calls and each output with two, and view
        cache hits are tested inline."""
        api = self.api
        value = c_void_p()
        data = c_void_p()
        value_ref = byref(value)
        data_ref = byref(data)
        entries = self.views.entries
        feeds: dict[str, np.ndarray] = {}
        if self.defaults and self._overridden(kernel_context):
            self._compute_on_host(kernel_context)
            return
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
                cached = entries.get(key)
                if cached is not None and cached[0] == data.value and cached[1].shape == shape:
                    feeds[name] = cached[1]
                else:
                    feeds[name] = self.views.view(key, data.value, shape, dtype)
        else:
            variant = self._dynamic_feeds(kernel_context, feeds)
            if variant is None:
                return
        outputs: dict[str, np.ndarray] = {}
        get_output, get_mutable = api.KernelContext_GetOutput, api.GetTensorMutableData
        for index, name, shape, dtype, dims, rank, key in variant.outputs:
            get_output(kernel_context, index, dims, rank, value_ref)
            get_mutable(value, data_ref)
            cached = entries.get(key)
            if cached is not None and cached[0] == data.value and cached[1].shape == shape:
                outputs[name] = cached[1]
            else:
                outputs[name] = self.views.view(key, data.value, shape, dtype)
        variant.dispatch(feeds, outputs)

    def _dynamic_feeds(self, kernel_context: int, feeds: dict[str, np.ndarray]
                       ) -> _Variant | None:
        """Fill ``feeds`` for a fused node with symbolic input dimensions; returns the
        variant compiled for the input shapes of this call, or None when an input holds no
        elements: WebNN has no empty tensors, so that call was run by
        :meth:`_compute_empty` (outputs written)."""
        shapes, pointers = self._read_inputs(kernel_context, self.input_names)
        if any(0 in shape for shape in shapes):
            self._compute_empty(kernel_context, dict(zip(self.input_names, shapes)), pointers)
            return None
        variant = self.variants.get(tuple(shapes), self._build_variant)
        view = self.views.view
        for _, name, shape, dtype, _, key in variant.inputs:
            feeds[name] = view(key, pointers[name], shape, dtype)
        return variant

    def _overridden(self, kernel_context: int) -> bool:
        """Whether this call feeds an overridable initializer a value other than its
        default.

        ORT passes a default from the session's own buffer, which lives as long as the
        session: once that buffer's address has been seen holding the default's bytes
        (``verified``), the address alone answers, since no value a user feeds can share
        it while it lives. Any other buffer is compared byte for byte (seen: ORT keeps
        some small initializers, e.g. batch-norm statistics, elsewhere than it showed them
        at compile time)."""
        api = self.api
        value = c_void_p()
        data = c_void_p()
        size = c_size_t()
        for entry in self.defaults:
            index, _, address, default, verified = entry
            api.KernelContext_GetInput(kernel_context, index, byref(value))
            api.GetTensorData(value, byref(data))
            if verified and data.value == address:
                continue
            api.GetTensorSizeInBytes(value, byref(size))
            if size.value != default.size or size.value and not np.array_equal(
                    wrap(data.value, (size.value,), np.dtype(np.uint8), readonly=True),
                    default):
                return True
            if data.value == address:
                entry[4] = True
        return False

    def _compute_on_host(self, kernel_context: int) -> None:
        """Run a call that overrides an initializer on ORT's CPU kernels (the WebNN graph
        holds the defaults as constants)."""
        names = [*self.input_names, *(d[1] for d in self.defaults)]
        shapes, pointers = self._read_inputs(kernel_context, names)
        self._compute_empty(kernel_context, dict(zip(names, shapes)), pointers)

    def _read_inputs(self, kernel_context: int, names: list[str]
                     ) -> tuple[list[tuple[int, ...]], dict[str, int]]:
        """The shape and data address of each input ``names`` names in this call."""
        api = self.api
        value = c_void_p()
        data = c_void_p()
        info = c_void_p()
        shapes = []
        pointers = {}
        for name in names:
            api.KernelContext_GetInput(kernel_context, self.input_index[name], byref(value))
            api.GetTensorTypeAndShape(value, byref(info))
            try:
                shapes.append(_dims(api, info.value))
            finally:
                api.ReleaseTensorTypeAndShapeInfo(info)
            api.GetTensorData(value, byref(data))
            pointers[name] = data.value
        return shapes, pointers

    def _compute_empty(self, kernel_context: int, shapes: dict[str, tuple[int, ...]],
                       pointers: dict[str, int]) -> None:
        """Run a call whose inputs include an empty tensor (e.g. a symbolic batch fed 0
        rows) or an overridden initializer on ONNX Runtime's own CPU kernels, and write the
        outputs ORT asks for.

        WebNN has no empty tensors, so such a call cannot run on the WebNN graph; the
        nodes are ORT's (it loaded the model), so ORT's CPU EP computes every node this EP
        takes, with ORT's semantics (outputs that are not empty, e.g. a reduction over the
        empty axis or a Shape, included). The session is built on the first such call."""
        runner = self._empty_runner()
        feeds = {}
        for name, shape in shapes.items():
            dtype = NUMPY_DTYPES.get(self.host_graph.values[name].onnx_type)
            if dtype is None:
                raise RuntimeError(f"input {name!r} has an element type numpy lacks")
            feeds[name] = (wrap(pointers[name], shape, dtype, readonly=True)
                           if 0 not in shape else np.zeros(shape, dtype))
        results = dict(zip([n for n in self.output_names if n],
                           runner.run(None, feeds), strict=True))
        for index, name in enumerate(self.output_names):
            if name:
                self._write_output(kernel_context, index, np.asarray(results[name]))

    def _write_output(self, kernel_context: int, index: int, result: np.ndarray) -> None:
        """Have ORT allocate output ``index`` with ``result``'s shape and copy it in."""
        api = self.api
        value = c_void_p()
        data = c_void_p()
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
                sub = self.host_graph
                if sub is None:
                    raise RuntimeError("the fused node was released")
                import onnxruntime

                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = 1
                options.inter_op_num_threads = 1
                self.empty_session = onnxruntime.InferenceSession(
                    to_onnx_model(sub).SerializeToString(), options,
                    providers=["CPUExecutionProvider"])
            return self.empty_session


def _host_graph(sub: GraphInfo, inputs: list[str], overridable: list[str],
                outputs: list[str]) -> GraphInfo:
    """``sub`` with its overridable initializers turned back into inputs."""
    values = dict(sub.values)
    for name in overridable:
        info = values[name]
        values[name] = replace(info, constant=None)
    return GraphInfo(sub.nodes, values, [*inputs, *overridable], outputs)


def _dims(api: OrtApi, info: int) -> tuple[int, ...]:
    rank = c_size_t()
    api.GetDimensionsCount(info, byref(rank))
    n = rank.value
    if n == 0:
        return ()
    dims = (c_int64 * n)()
    api.GetDimensions(info, dims, n)
    return tuple(dims)


def node_values(api: OrtApi, node: int, outputs: bool) -> list[int | None]:
    """The OrtValueInfo pointers of a node's inputs or outputs (None for a missing one)."""
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


# --- OrtNodeComputeInfo callbacks ---------------------------------------------------------
def _kernel(this: int) -> FusedKernel:
    kernel = _State.kernels.get(this or 0)
    if kernel is None:
        raise RuntimeError(f"unknown OrtNodeComputeInfo {this:#x}")
    return kernel


@status_callback
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
        return error_status(exc, "compute")


@plain_callback(None)
def _release_state(this: int, state: int) -> None:
    return None


_COMPUTE_CALLBACKS = {
    "CreateState": _abi.CreateStateFn(_create_state),
    "Compute": _abi.ComputeFn(_compute),
    "ReleaseState": _abi.ReleaseStateFn(_release_state),
}
