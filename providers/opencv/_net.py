"""``WebNNNet``: a ``cv2.dnn.Net`` look-alike whose ``DNN_BACKEND_WEBNN`` runs WebNN.

A Python subclass of ``cv2.dnn.Net`` wraps a new, empty C++ net and no API loads a model
into an existing one, so the WebNN backend is a wrapper around two real nets: the model as
given (every other backend; what ``cv2.dnn.readNet`` returns) and the rewritten model whose
partitions are ``WebNNPartition`` Python layers (see :mod:`._plan`, :mod:`._layer`).
``setPreferableBackend`` chooses which one the other calls go to; inputs set before the
switch are replayed on the new net.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np
import onnx

import webnn_core as webnn

from ..onnx import GraphInfo, from_onnx_model
from ..onnx.analysis import analyze
from ..onnx.folding import FoldResult, fold_constants
from ..partition import graph_predecessors
from ..report import PartitionReport
from ._direct import DirectRunner
from ._layer import LayerError, Partition, add_partition, register_layer
from ._plan import EXPOSED_SUFFIX, Group, partition_node_name, plan_groups, rewrite

_LOG = logging.getLogger("webnn")

DNN_BACKEND_WEBNN: int = cv2.dnn.DNN_BACKEND_WEBNN
#: OpenCV 5's Python layers never get getMemoryShapes called (see ._plan)
OPENCV_MAJOR = int(cv2.__version__.split(".")[0])
#: configuration calls applied to both nets, so switching backends keeps them
_SHARED_SETTERS = ("enableFusion", "enableWinograd", "setHalideScheduler")
_TARGET_NAMES = {getattr(cv2.dnn, n): n for n in dir(cv2.dnn) if n.startswith("DNN_TARGET_")}


class WebNNBackendError(RuntimeError):
    """The WebNN backend cannot do what was asked (the message says why)."""


def _read_plain(data: bytes) -> cv2.dnn.Net:
    return cv2.dnn.readNetFromONNX(np.frombuffer(data, np.uint8))


class _WebNNState:
    """The rewritten model, its OpenCV net and the partitions its layers run."""

    def __init__(self, report: PartitionReport, groups: list[Group], partitions: list[Partition],
                 model: onnx.ModelProto, net: cv2.dnn.Net, graph: GraphInfo) -> None:
        self.report = report
        self.groups = groups
        self.partitions = partitions
        self.model = model
        self.net = net
        self.layer_names = set(net.getLayerNames()) | set(model.graph.output[i].name
                                                           for i in range(len(model.graph.output)))
        self.direct = _direct_runner(self, graph)
        #: whether the last forward took the direct path (for getPerfProfile)
        self.last_direct = False

    def sync(self) -> None:
        """Before OpenCV's net runs: the inputs only the direct path has seen."""
        if self.direct is not None:
            self.direct.sync(self.net)


def _direct_runner(state: _WebNNState, graph: GraphInfo) -> DirectRunner | None:
    """The direct path when one partition holds every node (OpenCV 4; see ._direct)."""
    if OPENCV_MAJOR != 4 or len(state.partitions) != 1 or \
            len(state.partitions[0].nodes) != len(graph.nodes):
        return None
    partition = state.partitions[0]
    rewritten = from_onnx_model(state.model, infer_shapes=False)
    layers = list(state.net.getLayerNames())
    layer_values = {}
    for layer in [*layers, *(o.name for o in state.model.graph.output)]:
        value = _value_of_layer(rewritten, layer)
        value = value.removesuffix(EXPOSED_SUFFIX) if value else value
        if value in partition.outputs:
            layer_values[layer] = value
    if not layers or layers[-1] not in layer_values:
        return None
    return DirectRunner(partition, graph.inputs, layer_values, layers[-1])


class WebNNNet:
    """What :func:`readNet` returns; behaves like ``cv2.dnn.Net`` (see the module doc)."""

    def __init__(self, model: onnx.ModelProto, data: bytes, context: webnn.MLContext,
                 options: dict[str, Any]) -> None:
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
        self._state: _WebNNState | None = None
        self._plain_error: Exception | None = None
        try:
            self._plain: cv2.dnn.Net | None = _read_plain(data)
        except cv2.error as exc:
            self._plain, self._plain_error = None, exc
            try:
                self._webnn_state()
            except Exception as webnn_exc:
                raise WebNNBackendError(
                    f"OpenCV cannot import this model ({_first_line(exc)}), and neither can "
                    f"the WebNN backend ({webnn_exc})") from exc
            _LOG.warning("webnn: OpenCV cannot import this model by itself (%s); it runs "
                         "only with DNN_BACKEND_WEBNN", _first_line(exc))

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
            self._webnn_state()
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
        if self._plain is None:
            raise WebNNBackendError(
                f"OpenCV cannot import this model by itself ({_first_line(self._plain_error)});"
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

    def _webnn_state(self) -> _WebNNState:
        if self._state is None:
            self._state = self._build()
        return self._state

    def _build(self) -> _WebNNState:
        register_layer()
        graph = self._graph_info()
        report, groups, predecessors, view = _plan(self._context, graph, self._extra_outputs,
                                                   self._fold().folded)
        keys = [f"{self._id}/{len(self._extra_outputs)}/{k}" for k in range(len(groups))]
        partitions = []
        for key, group in zip(keys, groups, strict=True):
            partition = Partition(key, self._context, view, group.nodes, group.inputs,
                                  group.outputs)
            add_partition(partition)
            partitions.append(partition)
        model = rewrite(self._fold().model, graph, groups, keys, predecessors,
                        self._extra_outputs)
        try:
            net = _read_plain(model.SerializeToString())
        except cv2.error as exc:
            cause = next((p.take_error() for p in partitions if p.error is not None), None)
            raise WebNNBackendError(f"OpenCV cannot import the WebNN-partitioned model: "
                                    f"{cause or _first_line(exc)}") from (cause or exc)
        for name, args, kwargs in self._settings:
            getattr(net, name)(*args, **kwargs)
        _LOG.info("webnn: OpenCV DNN model partitioned:\n%s", report.summary())
        return _WebNNState(report, groups, partitions, model, net, graph)

    def partition_report(self) -> PartitionReport:
        """Partitions (node indices), nodes WebNN takes, and why each other node is left
        to OpenCV (the translator's reason, or OpenCV's own rules: kind "opencv")."""
        if self._state is not None:
            return self._state.report
        return _plan(self._context, self._graph_info(), set(), self._fold().folded)[0]

    def rewritten_model(self) -> onnx.ModelProto:
        """The ONNX model the WebNN backend's OpenCV net was imported from."""
        return self._webnn_state().model

    # -- running -------------------------------------------------------------------------------
    def setInput(self, blob: np.ndarray, name: str = "", *args: Any,  # noqa: N802
                 **kwargs: Any) -> None:
        """As ``cv2.dnn.Net.setInput(blob, name, scalefactor, mean)``."""
        self._inputs[name] = ((blob, name, *args), kwargs)
        self._set_input((blob, name, *args), kwargs)

    def _set_input(self, args: tuple, kwargs: dict[str, Any]) -> None:
        if self._backend == DNN_BACKEND_WEBNN:
            state = self._webnn_state()
            if state.direct is not None:
                try:
                    if state.direct.set_input(*args, **kwargs):
                        return
                except TypeError:
                    pass  # arguments OpenCV's setInput will explain
        self._active().setInput(*args, **kwargs)

    def _replay(self) -> None:
        """Every input set so far, on the net now active."""
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
        state = self._webnn_state()
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
            _raise_layer_error(state)  # the partition's error explains OpenCV's
            raise
        _raise_layer_error(state)
        return result

    def _expose(self, names: Sequence[str]) -> None:
        state = self._webnn_state()
        missing = [n for n in names if n not in state.layer_names]
        if not missing:
            return
        values = [v for v in (_value_of_layer(self._graph_info(), n) for n in missing) if v]
        produced_inside = {out for g in state.groups for out in _group_values(
            self._graph_info(), g)}
        wanted = {v for v in values if v in produced_inside} - self._extra_outputs
        if not wanted:
            return  # unknown names: OpenCV reports them
        self._extra_outputs |= wanted
        self._state = None
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
                for net in (self._plain, self._state.net if self._state else None):
                    if net is not None:
                        getattr(net, name)(*args, **kwargs)
            return both
        return attr

    def __repr__(self) -> str:
        backend = "WEBNN" if self._backend == DNN_BACKEND_WEBNN else str(self._backend)
        return f"<webnn_providers.opencv.WebNNNet backend={backend} options={self._options}>"


def _plan(context: webnn.MLContext, graph: GraphInfo, extra_outputs: set[str],
          folded: Sequence[str] = ()
          ) -> tuple[PartitionReport, list[Group], list[list[int]], GraphInfo]:
    """Report, groups, predecessors, and the graph as the partitions see it (the values
    asked for from inside partitions are among its outputs). ``graph`` is the folded
    model's; ``folded`` names the nodes folding removed (for the report)."""
    predecessors = graph_predecessors(graph)
    report = analyze(context, graph, predecessors, provider="WebNN", host="OpenCV DNN")
    report.folded = list(folded)
    view = GraphInfo(graph.nodes, graph.values, graph.inputs,
                     list(dict.fromkeys([*graph.outputs, *sorted(extra_outputs)])))
    groups = plan_groups(view, report, predecessors, shapes_from_input0=OPENCV_MAJOR >= 5)
    return report, groups, predecessors, view


def partition_report(model: onnx.ModelProto, context: webnn.MLContext) -> PartitionReport:
    """The WebNN backend's partitioning of ``model`` (nothing imported or compiled)."""
    folding = fold_constants(model)
    return _plan(context, from_onnx_model(folding.model), set(), folding.folded)[0]


def _raise_layer_error(state: _WebNNState) -> None:
    """Raise the first error a partition recorded during OpenCV's forward."""
    for partition in state.partitions:
        error = partition.take_error()
        if error is not None:
            raise LayerError(f"WebNN partition {partition.key} ({len(partition.nodes)} nodes) "
                             f"failed: {type(error).__name__}: {error}") from error


def _group_values(graph: GraphInfo, group: Group) -> list[str]:
    return [out for i in group.nodes for out in graph.nodes[i].outputs if out]


def _value_of_layer(graph: GraphInfo, layer: str) -> str | None:
    """The ONNX value an OpenCV layer name stands for: OpenCV 4.x names a node's layer
    ``onnx_node!<node name>`` or, for an unnamed node, ``onnx_node_output_<i>!<output>``;
    OpenCV 5 uses the node name itself; either way the layer's first output."""
    if layer.startswith("onnx_node_output_") and "!" in layer:
        value = layer.split("!", 1)[1]
        return value if value in graph.values else None
    name = layer[len("onnx_node!"):] if layer.startswith("onnx_node!") else layer
    for node in graph.nodes:
        if node.name and node.name == name and node.outputs:
            return node.outputs[0]
    return layer if layer in graph.values else None


def _first_line(exc: BaseException | None) -> str:
    text = str(exc).strip() if exc is not None else "unknown error"
    lines = [ln.strip(" >") for ln in text.splitlines() if ln.strip(" >")]
    return " ".join(lines[-2:]) if lines else type(exc).__name__
