"""``WebNNNet``: a ``cv2.dnn.Net`` look-alike whose ``DNN_BACKEND_WEBNN`` runs WebNN.

A Python subclass of ``cv2.dnn.Net`` wraps a new, empty C++ net and no API loads a model
into an existing one, so the WebNN backend is a wrapper around two real nets: the model as
given (every other backend; what ``cv2.dnn.readNet`` returns; imported only when such a
backend is used, so with ``DNN_BACKEND_WEBNN`` OpenCV never sees a node it cannot import
that WebNN takes) and the rewritten model whose partitions are ``WebNNPartition`` Python
layers (built by ._build; see ._plan, ._layer). ``setPreferableBackend`` chooses which one
the other calls go to; inputs set before the switch are replayed on the new net.

A model with symbolic input dimensions (and on OpenCV 5, which cannot ask a layer for its
output shapes, a static model given other sizes) is built for the sizes ``setInput`` (or
``setInputShape``) gives (see ._sizes), once per set of sizes, kept in a bounded
:class:`~webnn_providers.runtime.VariantCache` (``MAX_SHAPES`` sets).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np
import onnx

import webnn_core as webnn

from ..onnx import GraphInfo, from_onnx_model
from ..onnx.folding import FoldResult, fold_constants
from ..onnx.model import InvalidModelError, check_model_dims
from ..report import PartitionReport
from ..runtime import VariantCache
from ._build import build_state, plan
from ._errors import BadRank, MissingSizes, WebNNBackendError
from ._importer import first_line, read_net
from ._layer import LayerError
from ._rewrite import partition_node_name
from ._sizes import shape_key, specialize
from ._state import WebNNState, group_values, value_of_layer

DNN_BACKEND_WEBNN: int = cv2.dnn.DNN_BACKEND_WEBNN
#: configuration calls applied to both nets, so switching backends keeps them
_SHARED_SETTERS = ("enableFusion", "enableWinograd", "setHalideScheduler")
_TARGET_NAMES = {getattr(cv2.dnn, n): n for n in dir(cv2.dnn) if n.startswith("DNN_TARGET_")}


class WebNNNet:
    """What :func:`readNet` returns; behaves like ``cv2.dnn.Net`` (see the module doc)."""

    def __init__(self, model: onnx.ModelProto, data: bytes, context: webnn.MLContext,
                 options: dict[str, Any], engine: int | None = None) -> None:
        try:
            # as cv2.dnn.readNet and ONNX Runtime refuse it, at once (OpenCV's import of
            # the model as given is lazy)
            check_model_dims(model)
        except InvalidModelError as exc:
            raise InvalidModelError(f"webnn_providers.opencv: not a readable ONNX model: "
                                    f"{exc}") from exc
        self._engine = engine
        self._model = model
        self._data = data
        self._context = context
        self._options = dict(options)
        self._id = uuid.uuid4().hex[:12]
        self._backend = cv2.dnn.DNN_BACKEND_DEFAULT
        self._target = cv2.dnn.DNN_TARGET_CPU
        self._inputs: dict[str, tuple[tuple, dict]] = {}
        self._settings: list[tuple[str, tuple, dict]] = []
        self._extra_outputs: set[str] = set()
        self._graph: GraphInfo | None = None
        self._folded: FoldResult | None = None
        self._state: WebNNState | None = None
        #: the input sizes the current state was built for (None: a static model)
        self._state_key: tuple | None = None
        #: WebNN states per input sizes (models with symbolic input dimensions)
        self._states: VariantCache[tuple | None, WebNNState] = VariantCache()
        self._builds = 0
        #: sizes given by setInputShape
        self._input_shapes: dict[str, tuple[int, ...]] = {}
        #: the model as given, imported into OpenCV only when a backend other than WebNN
        #: is used: with DNN_BACKEND_WEBNN OpenCV sees only the rewritten model, so an
        #: importer that fails (or crashes) on a node WebNN takes never sees that node
        self._plain: cv2.dnn.Net | None = None
        self._plain_error: Exception | None = None

    # -- backends ------------------------------------------------------------------------------
    @property
    def cv_net(self) -> cv2.dnn.Net:
        """The real ``cv2.dnn.Net`` the calls currently go to, for C++ consumers such as
        ``cv2.dnn.Model`` that only accept a real Net. Through them an error inside a WebNN
        partition cannot raise: it is logged on the ``webnn`` logger and the partition's
        outputs are NaN. Prefer calling this object's own methods."""
        return self._synced()

    def _synced(self) -> cv2.dnn.Net:
        """The active net, holding every input set so far."""
        if self._backend == DNN_BACKEND_WEBNN:
            self._webnn_state().sync()
        return self._active()

    def setPreferableBackend(self, backend_id: int) -> None:  # noqa: N802 - OpenCV's name
        """``DNN_BACKEND_WEBNN`` runs WebNN's partitions (built and compiled here, once);
        any other backend returns to plain OpenCV with that backend."""
        backend_id = int(backend_id)
        if backend_id == DNN_BACKEND_WEBNN:
            self._check_target(self._target)
            self._ready_state()  # a model with symbolic input sizes: at setInput/forward
        else:
            self._plain_net().setPreferableBackend(backend_id)
        self._backend = backend_id
        self._replay()

    def setPreferableTarget(self, target_id: int) -> None:  # noqa: N802
        """With WebNN only ``DNN_TARGET_CPU``: the WebNN device is the ``device`` option of
        :func:`readNet`, and OpenCV runs the other nodes on its CPU backend."""
        target_id = int(target_id)
        if self._backend == DNN_BACKEND_WEBNN:
            self._check_target(target_id)
        if self._plain is not None and self._backend != DNN_BACKEND_WEBNN:
            self._plain.setPreferableTarget(target_id)
        self._target = target_id

    def _check_target(self, target_id: int) -> None:
        if target_id != cv2.dnn.DNN_TARGET_CPU:
            name = _TARGET_NAMES.get(target_id, str(target_id))
            device = self._options.get("device", "CPU")
            raise WebNNBackendError(
                f"DNN_BACKEND_WEBNN takes DNN_TARGET_CPU only, not {name}: choose the WebNN "
                f"device with readNet(..., device=...) (now {device!r})")

    def _plain_net(self) -> cv2.dnn.Net:
        if self._plain is None and self._plain_error is None:
            try:
                self._plain = read_net(self._data, self._engine)
            except cv2.error as exc:
                self._plain_error = exc
            else:
                if self._target != cv2.dnn.DNN_TARGET_CPU:  # set before the import
                    self._plain.setPreferableTarget(self._target)
                for name, args, kwargs in self._settings:
                    getattr(self._plain, name)(*args, **kwargs)
        if self._plain is None:
            raise WebNNBackendError(
                f"OpenCV cannot import this model by itself ({first_line(self._plain_error)});"
                " only cv2.dnn.DNN_BACKEND_WEBNN can run it")
        return self._plain

    def _active(self) -> cv2.dnn.Net:
        if self._backend == DNN_BACKEND_WEBNN:
            return self._webnn_state().net
        return self._plain_net()

    # -- the WebNN side ------------------------------------------------------------------------
    def _fold(self) -> FoldResult:
        """The model the WebNN side partitions: constant shape computations folded
        (OpenCV does not fold them, ONNX Runtime does; see onnx.folding)."""
        if self._folded is None:
            self._folded = fold_constants(self._model)
        return self._folded

    def _graph_info(self) -> GraphInfo:
        if self._graph is None:
            self._graph = from_onnx_model(self._fold().model)
        return self._graph

    def _shape_key(self) -> tuple | None:
        """The input sizes of the state to use (see ._sizes.shape_key)."""
        def blob_shape(k: int, name: str) -> tuple[int, ...] | None:
            entry = self._inputs.get(name) or (self._inputs.get("") if k == 0 else None)
            return None if entry is None else np.shape(entry[0][0])

        return shape_key(self._graph_info(), blob_shape, self._input_shapes)

    def _webnn_state(self) -> WebNNState:
        """The state for the current input sizes (built once per sizes; see _shape_key)."""
        key = self._shape_key()
        if self._state is None or key != self._state_key:
            self._state = self._states.get(key, self._build)
            self._state_key = key
        return self._state

    def _ready_state(self) -> WebNNState | None:
        """The state when the input sizes are known (a static model: always)."""
        try:
            return self._webnn_state()
        except MissingSizes:
            return None

    def _build(self, key: tuple | None) -> WebNNState:
        """The state for the input sizes ``key`` (None: the model as declared)."""
        if key is None:
            folding, graph = self._fold(), self._graph_info()
        else:
            source = self._graph_info()
            folding = fold_constants(specialize(self._model, dict(zip(source.inputs, key,
                                                                       strict=True))))
            graph = from_onnx_model(folding.model)
        self._builds += 1
        return build_state(self._context, folding, graph, self._extra_outputs,
                           f"{self._id}/{self._builds}", self._engine, self._settings)

    def partition_report(self) -> PartitionReport:
        """Partitions (node indices), nodes WebNN takes, and why each other node is left
        to OpenCV (the translator's reason, or OpenCV's own rules: kind "opencv")."""
        if self._state is not None and self._state.extra == len(self._extra_outputs):
            return self._state.report
        return plan(self._context, self._graph_info(), set(), self._fold().folded)[0]

    def rewritten_model(self) -> onnx.ModelProto:
        """The ONNX model the WebNN backend's OpenCV net was imported from."""
        return self._webnn_state().model

    # -- running -------------------------------------------------------------------------------
    def setInput(self, blob: np.ndarray, name: str = "", *args: Any,  # noqa: N802
                 **kwargs: Any) -> None:
        """As ``cv2.dnn.Net.setInput(blob, name, scalefactor, mean)``."""
        self._inputs[name] = ((blob, name, *args), kwargs)
        if self._backend == DNN_BACKEND_WEBNN:
            shape = np.shape(blob)
            if self._state is not None and self._state.seen.get(name) == shape:
                # the sizes the current net was built for (the common case: no key)
                self._set_input((blob, name, *args), kwargs)
                return
            previous = self._state
            try:
                state = self._ready_state()
            except BadRank:
                del self._inputs[name]  # a rank the model cannot take: not kept
                raise
            except WebNNBackendError:
                self._state = None  # sizes it cannot be built for: forward raises it
                return
            if state is None:
                return  # other inputs' sizes still unknown: forward builds
            state.seen[name] = shape
            if state is not previous:
                self._replay()  # new sizes: every input on the net built for them
                return
        self._set_input((blob, name, *args), kwargs)

    def setInputShape(self, inputName: str, shape: Sequence[int]) -> None:  # noqa: N802,N803
        """As ``cv2.dnn.Net.setInputShape``; with symbolic input dimensions the WebNN
        partitions are built for these sizes until setInput gives others."""
        self._input_shapes[inputName] = tuple(int(d) for d in shape)
        if self._backend != DNN_BACKEND_WEBNN:
            self._plain_net().setInputShape(inputName, shape)
            return
        self._ready_state()  # the net built for these sizes has them

    def _set_input(self, args: tuple, kwargs: dict[str, Any]) -> None:
        if self._backend == DNN_BACKEND_WEBNN:
            state = self._state if self._state is not None else self._webnn_state()
            if state.direct is not None:
                try:
                    if state.direct.set_input(*args, **kwargs):
                        return
                except TypeError:
                    pass  # arguments OpenCV's setInput will explain
        self._active().setInput(*args, **kwargs)

    def _replay(self) -> None:
        """Every input set so far, on the net now active."""
        if self._backend == DNN_BACKEND_WEBNN and self._ready_state() is None:
            return
        for args, kwargs in self._inputs.values():
            self._set_input(args, kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """As ``cv2.dnn.Net.forward()``, ``forward(name)`` or ``forward(names)``. A layer
        name inside a WebNN partition is exposed by re-partitioning once (cached)."""
        if self._backend != DNN_BACKEND_WEBNN:
            return self._plain_net().forward(*args, **kwargs)
        names = args[0] if args else kwargs.get("outBlobNames", kwargs.get("outputName"))
        if names:
            # names only (forward(outputBlobs) passes arrays there)
            self._expose([names] if isinstance(names, str) else
                         [n for n in names if isinstance(n, str)])
        state = self._state if self._state is not None else self._webnn_state()
        if state.direct is not None and len(args) + len(kwargs) <= 1 and \
                set(kwargs) <= {"outBlobNames", "outputName"}:
            try:
                result = state.direct.forward(names)
            except Exception as exc:
                raise LayerError(f"WebNN partition {state.partitions[0].key} failed: "
                                 f"{type(exc).__name__}: {exc}") from exc
            if result is not None:
                state.last_direct = True
                return result
        state.last_direct = False
        state.sync()
        for partition in state.partitions:
            partition.error = None
        try:
            result = state.net.forward(*args, **kwargs)
        except cv2.error:
            state.raise_layer_error()  # the partition's error explains OpenCV's
            raise
        state.raise_layer_error()
        return result

    def _expose(self, names: Sequence[str]) -> None:
        state = self._state if self._state is not None else self._webnn_state()
        missing = [n for n in names if n not in state.layer_names]
        if not missing:
            return
        values = [v for v in (value_of_layer(state.graph, n) for n in missing) if v]
        produced_inside = {out for g in state.groups for out in group_values(state.graph, g)}
        wanted = {v for v in values if v in produced_inside} - self._extra_outputs
        if not wanted:
            return  # unknown names: OpenCV reports them
        self._extra_outputs |= wanted
        self._state = None
        self._states = VariantCache()
        self._replay()

    def getPerfProfile(self) -> tuple[int, np.ndarray]:  # noqa: N802 - OpenCV's name
        """As ``cv2.dnn.Net.getPerfProfile``: (total ticks, ticks per layer); after a
        direct forward (see ._direct) the time is the partition layer's."""
        state = self._state if self._backend == DNN_BACKEND_WEBNN else None
        if state is None or not state.last_direct or state.direct is None or \
                state.direct.last_seconds is None:
            return self._synced().getPerfProfile()
        ticks = state.direct.last_seconds * cv2.getTickFrequency()
        layers = list(state.net.getLayerNames())
        timings = np.zeros(len(layers), np.float64)
        key = partition_node_name(state.partitions[0].key)
        for i, layer in enumerate(layers):
            if layer.endswith(key):
                timings[i] = ticks
        return int(ticks), timings

    # -- everything else goes to the active net ------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        attr = getattr(self._synced(), name)
        if name in _SHARED_SETTERS and callable(attr):
            def both(*args: Any, **kwargs: Any) -> Any:
                self._settings.append((name, args, kwargs))
                states = [state.net for state in self._states.values()]
                for net in (self._plain, *states):
                    if net is not None:
                        getattr(net, name)(*args, **kwargs)
            return both
        return attr

    def __repr__(self) -> str:
        backend = "WEBNN" if self._backend == DNN_BACKEND_WEBNN else str(self._backend)
        return f"<webnn_providers.opencv.WebNNNet backend={backend} options={self._options}>"
