"""The Python layer OpenCV runs for each ``WebNNPartition`` node, and the compiled partition
behind it.

OpenCV creates one :class:`WebNNLayer` per partition node when it imports the rewritten
model; the layer finds its :class:`Partition` in a process-wide registry through the node's
``webnn_key`` attribute. ``getMemoryShapes`` returns the output shapes of the WebNN graph
built for the input shapes OpenCV proposes (one graph per distinct input shape, kept in the
shared :class:`~webnn_providers.runtime.VariantCache`; a fully static partition is built
once, before import). ``forward`` runs it.

An exception escaping a Python layer's ``forward`` hangs OpenCV 4.14 (measured here), so
``forward`` never raises: it records (and logs) the error on the partition and returns
NaN-filled outputs of the right shapes; :class:`~webnn_providers.opencv.WebNNNet` raises
the recorded error as soon as OpenCV's ``forward`` returns. Errors in ``getMemoryShapes``
are recorded too and re-raised (OpenCV turns them into its own error, which the net replaces).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Sequence

import numpy as np

import webnn_core as webnn

from ..onnx import GraphInfo, build_graph
from ..runtime import VariantCache
from ._importer import OPENCV_MAJOR
from ._layout import Layout
from ._rewrite import KEY_ATTRIBUTE, LAYER_TYPE

_LOG = logging.getLogger("webnn")

#: OpenCV hands a Python layer a new array every call; rebinding a new address costs
#: OpenVINO about 20 us, so inputs up to this size are copied into a buffer bound once
#: (a 1 MB copy costs about as much)
COPY_INPUT_BYTES = 1 << 20

_REGISTRY: weakref.WeakValueDictionary[str, Partition] = weakref.WeakValueDictionary()
_REGISTER_LOCK = threading.Lock()
_REGISTERED = False


class LayerError(RuntimeError):
    """A WebNN partition failed inside OpenCV's forward (the original error is the cause)."""


class _Variant:
    """The WebNN graph of a partition for one set of input shapes, with its output buffers
    (OpenCV copies a Python layer's outputs into its own blobs, so they are reused)."""

    __slots__ = ("dispatch", "input_buffers", "input_shapes", "input_sizes", "outputs",
                 "output_shapes", "results")

    def __init__(self, graph: webnn.MLGraph, inputs: Sequence[str],
                 outputs: Sequence[str]) -> None:
        self.dispatch = graph.dispatch_arrays
        desc = graph.input_descriptors
        self.input_shapes = [tuple(desc[name].shape) if name in desc else None
                             for name in inputs]
        # element counts (None: an input no output depends on, so any size will do)
        self.input_sizes = [None if s is None else int(np.prod(s)) for s in self.input_shapes]
        self.input_buffers = [
            np.empty(s, desc[name].numpy_dtype)
            if s is not None and n * desc[name].numpy_dtype.itemsize <= COPY_INPUT_BYTES
            else None
            for name, s, n in zip(inputs, self.input_shapes, self.input_sizes, strict=True)]
        out = graph.output_descriptors
        self.outputs = {name: np.empty(out[name].shape, out[name].numpy_dtype)
                        for name in outputs}
        # cv2 turns a 1-D array into an [n, 1] Mat, so a 1-D output is declared [n, 1]
        # (as OpenCV 4 itself shows 1-D tensors) or the bridge's size check fails
        self.output_shapes = [_opencv_shape(out[name].shape) for name in outputs]
        # cv2 reads a 3-D array as a 2-D image with channels unless it is a cv2.Mat that
        # says otherwise; the Mats share the buffers WebNN writes
        self.results = [_as_mat(self.outputs[name].reshape(shape))
                        for name, shape in zip(outputs, self.output_shapes, strict=True)]


def _opencv_shape(shape: Sequence[int]) -> list[int]:
    """OpenCV 4 shows 1-D tensors as [n, 1]; OpenCV 5 has 1-D tensors."""
    return [*shape, 1] if len(shape) == 1 and OPENCV_MAJOR < 5 else list(shape)


def _as_mat(array: np.ndarray) -> np.ndarray:
    import cv2

    mat = getattr(cv2, "Mat", None)
    if array.ndim != 3 or mat is None:
        return array
    return mat(array, wrap_channels=False)


class Partition:
    """One group of ONNX nodes compiled as WebNN graphs (see the module docstring)."""

    def __init__(self, key: str, context: webnn.MLContext, graph: GraphInfo,
                 nodes: Sequence[int], inputs: Sequence[str], outputs: Sequence[str]) -> None:
        self.key = key
        self.context = context
        self.graph = graph
        self.nodes = list(nodes)
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.error: BaseException | None = None
        self._variants: VariantCache[tuple, _Variant] = VariantCache()
        self._last: _Variant | None = None
        #: OpenCV 5's layout of the partition node (see ._layout); None on OpenCV 4
        self.layout: Layout | None = None
        #: (see set_layout) node input slot per partition input, None when in order
        self._input_slots: tuple[int, ...] | None = None
        #: the layer's outputs but the real unflattened ones (None there)
        self._layer_outputs: list[np.ndarray | None] = []
        #: (output index, the buffer's first elements) of the flattened outputs
        self._flat: list[tuple[int, np.ndarray]] = []
        #: the indices of the outputs handed back as they are
        self._direct: list[int] = []
        static = [graph.values[name].static_shape for name in self.inputs]
        if all(s is not None for s in static):
            self._last = self.variant(tuple(static))  # type: ignore[arg-type]

    def static_output_shapes(self) -> list[tuple[int, ...]]:
        """The outputs' shapes of the partition built for its static input shapes."""
        if self._last is None:
            raise ValueError(f"partition {self.key}: input shapes are not static")
        return [tuple(self._last.outputs[name].shape) for name in self.outputs]

    def set_layout(self, lay: Layout) -> None:
        """Lay the node out for OpenCV 5 (see ._layout): every output of ``lay.shape``, the
        flattened ones and the padding written to buffers allocated here, once."""
        self.layout = lay
        slots = lay.input_slots()
        self._input_slots = None if slots == tuple(range(len(slots))) else slots
        self._layer_outputs, self._flat, self._direct = [], [], []
        for k, (flat, shape) in enumerate(zip(lay.flat, lay.output_shapes, strict=True)):
            if flat:
                buffer = np.zeros(lay.shape, np.float32)
                self._flat.append((k, buffer.reshape(-1)[:int(np.prod(shape))]))
                self._layer_outputs.append(_as_mat(buffer))
            else:
                self._direct.append(k)
                self._layer_outputs.append(None)
        self._layer_outputs += [_as_mat(np.zeros(lay.shape, np.float32))
                                for _ in range(lay.num_values - len(self.outputs))]

    def run_layer(self, arrays: Sequence[np.ndarray]) -> list[np.ndarray]:
        """:meth:`run` on what OpenCV hands the Python layer, laid out as OpenCV expects
        (on OpenCV 5: inputs back in the partition's order without the carrier and the
        padding; flattened outputs, padding outputs)."""
        if self.layout is None:
            return self.run(arrays)
        slots = self._input_slots
        results = self.run(arrays[:len(self.inputs)] if slots is None else
                           [arrays[k] for k in slots])
        if len(self._direct) == len(self._layer_outputs):
            return results  # every output as it is, no padding
        outputs = list(self._layer_outputs)
        for k in self._direct:
            outputs[k] = results[k]
        for k, flat in self._flat:
            flat[:] = np.asarray(results[k]).reshape(-1)
        return outputs  # type: ignore[return-value]

    def variant(self, shapes: tuple[tuple[int, ...], ...]) -> _Variant:
        """The WebNN graph for these input shapes (built on first use)."""
        return self._variants.get(shapes, self._build_variant)

    def _build_variant(self, shapes: tuple[tuple[int, ...], ...]) -> _Variant:
        translated = build_graph(self.context, self.graph, self.nodes,
                                 dict(zip(self.inputs, shapes, strict=True)))
        return _Variant(translated.graph, self.inputs, self.outputs)

    def output_shapes(self, input_shapes: Sequence[Sequence[int]]) -> list[list[int]]:
        variant = self.variant(self._shapes(input_shapes))
        self._last = variant
        return variant.output_shapes

    def _shapes(self, input_shapes: Sequence[Sequence[int]]) -> tuple[tuple[int, ...], ...]:
        if len(input_shapes) != len(self.inputs):
            raise ValueError(f"partition {self.key}: OpenCV passed {len(input_shapes)} inputs, "
                             f"the partition reads {len(self.inputs)} ({self.inputs})")
        result = []
        for name, shape in zip(self.inputs, input_shapes, strict=True):
            declared = self.graph.values[name].static_shape
            shape = tuple(int(d) for d in shape)
            # OpenCV 4.x widens a 1-D tensor [n] to [n, 1]: take the declared shape back
            if declared is not None and shape != declared and \
                    int(np.prod(shape)) == int(np.prod(declared)):
                shape = declared
            result.append(shape)
        return tuple(result)

    def run(self, arrays: Sequence[np.ndarray], stable: bool = False) -> list[np.ndarray]:
        """Compute the partition on OpenCV's input blobs; ``stable``: the arrays keep their
        address from call to call (else small ones are copied into bound buffers)."""
        variant = self._last
        if variant is None or len(arrays) != len(variant.input_sizes) or any(
                n is not None and a.size != n
                for a, n in zip(arrays, variant.input_sizes, strict=True)):
            variant = self.variant(self._shapes([a.shape for a in arrays]))
            self._last = variant
        feeds = {}
        for name, array, shape, buffer in zip(self.inputs, arrays, variant.input_shapes,
                                              variant.input_buffers, strict=True):
            if shape is None:
                continue  # an input no output depends on
            if array.shape != shape:
                array = array.reshape(shape)
            if buffer is not None and not stable:
                np.copyto(buffer, array)
                array = buffer
            elif array.dtype != np.float32 or not array.flags.c_contiguous:
                array = np.ascontiguousarray(array, dtype=np.float32)
            feeds[name] = array
        variant.dispatch(feeds, variant.outputs)
        return variant.results

    def fallback_outputs(self) -> list[np.ndarray]:
        """NaN outputs of the last known shapes (what ``forward`` returns after an error,
        so that a consumer that cannot see the error does not get plausible numbers)."""
        if self.layout is not None:
            return [_as_mat(np.full(self.layout.shape, np.nan, np.float32))
                    for _ in range(self.layout.num_values)]
        if self._last is None:
            return [np.full((1,), np.nan, np.float32) for _ in self.outputs]
        return [_as_mat(np.full(s, np.nan, np.float32)) for s in self._last.output_shapes]

    def take_error(self) -> BaseException | None:
        error, self.error = self.error, None
        return error


class WebNNLayer:
    """OpenCV's Python layer for a ``WebNNPartition`` node (``cv2.dnn_registerLayer``)."""

    def __init__(self, params: dict, blobs: list) -> None:
        key = params.get(KEY_ATTRIBUTE)
        partition = _REGISTRY.get(key) if isinstance(key, str) else None
        if partition is None:
            raise LookupError(f"{LAYER_TYPE}: no WebNN partition {key!r} in this process "
                              "(models rewritten by webnn_providers.opencv load only through "
                              "its readNet)")
        # OpenCV never releases its Python layer objects: a weak reference lets the
        # partition (and its compiled graphs) go with the WebNNNet that owns it
        self._partition = weakref.ref(partition)
        self._key = key

    def _get(self) -> Partition:
        partition = self._partition()
        if partition is None:
            raise LookupError(f"{LAYER_TYPE}: WebNN partition {self._key!r} was released with "
                              "its WebNNNet")
        return partition

    def getMemoryShapes(self, inputs: list) -> list:  # noqa: N802 - OpenCV's name
        partition = self._get()
        try:
            return partition.output_shapes(inputs)
        except BaseException as exc:
            partition.error = exc
            raise

    def forward(self, inputs: list) -> list:
        partition = self._partition()
        if partition is None:
            _LOG.error("webnn: %s: WebNN partition %r was released with its WebNNNet",
                       LAYER_TYPE, self._key)
            return [np.full(np.shape(inputs[0]), np.nan, np.float32)] if inputs else []
        try:
            return partition.run_layer(inputs)
        except BaseException as exc:  # noqa: BLE001 - an escaping exception hangs OpenCV
            partition.error = exc
            _LOG.error("webnn: WebNN partition %s failed in OpenCV's forward: %s: %s",
                       partition.key, type(exc).__name__, exc)
            return partition.fallback_outputs()


def add_partition(partition: Partition) -> None:
    _REGISTRY[partition.key] = partition


def register_layer() -> None:
    """Register :class:`WebNNLayer` with OpenCV (once per process)."""
    global _REGISTERED
    import cv2

    with _REGISTER_LOCK:
        if not _REGISTERED:
            cv2.dnn_registerLayer(LAYER_TYPE, WebNNLayer)
            _REGISTERED = True
