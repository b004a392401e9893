"""``WebNNNet``: a ``cv2.dnn.Net`` look-alike whose ``DNN_BACKEND_WEBNN`` runs WebNN.

A Python subclass of ``cv2.dnn.Net`` wraps a new, empty C++ net and no API loads a model
into an existing one, so the WebNN backend is a wrapper around two real nets: the model as
given (every other backend; what ``cv2.dnn.readNet`` returns; imported only when such a
backend is used, so with ``DNN_BACKEND_WEBNN`` OpenCV never sees a node it cannot import
that WebNN takes) and the rewritten model whose partitions are ``WebNNPartition`` Python
layers (see :mod:`._plan`, :mod:`._layer`). ``setPreferableBackend`` chooses which one the
other calls go to; inputs set before the switch are replayed on the new net.

A model with symbolic input dimensions (and on OpenCV 5, which cannot ask a layer for its
output shapes, a static model given other sizes) is built for the sizes ``setInput`` (or
``setInputShape``) gives: the dimensions made concrete, shape computations folded again,
partitioned, compiled and imported once per set of sizes, kept in a bounded
:class:`~webnn_providers.runtime.VariantCache` (``MAX_SHAPES`` sets).
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
from ..onnx.model import InvalidModelError, check_model_dims
from ..partition import graph_predecessors
from ..report import PartitionReport
from ..runtime import VariantCache
from ._direct import DirectRunner
from ._layer import LayerError, Partition, add_partition, register_layer
from ._plan import EXPOSED_SUFFIX, Group, layout, partition_node_name, plan_groups, rewrite

_LOG = logging.getLogger("webnn")

DNN_BACKEND_WEBNN: int = cv2.dnn.DNN_BACKEND_WEBNN
#: OpenCV 5's Python layers never get getMemoryShapes called (see ._plan.Layout)
OPENCV_MAJOR = int(cv2.__version__.split(".")[0])
#: configuration calls applied to both nets, so switching backends keeps them
_SHARED_SETTERS = ("enableFusion", "enableWinograd", "setHalideScheduler")
_TARGET_NAMES = {getattr(cv2.dnn, n): n for n in dir(cv2.dnn) if n.startswith("DNN_TARGET_")}


class WebNNBackendError(RuntimeError):
    """The WebNN backend cannot do what was asked (the message says why)."""


class _MissingSizes(WebNNBackendError):
    """An input with symbolic dimensions has no size yet."""


class _BadRank(WebNNBackendError):
    """An input blob of another rank than the model's input."""


#: OpenCV 5's importer engines (cv2.dnn.ENGINE_*), by value
ENGINES = {getattr(cv2.dnn, n): n for n in ("ENGINE_AUTO", "ENGINE_OPENCV", "ENGINE_ORT",
                                              "ENGINE_CLASSIC", "ENGINE_NEW")
           if hasattr(cv2.dnn, n)}


def check_engine(engine: int | None) -> int | None:
    """``engine`` of readNetFromONNX: one of this OpenCV's ``cv2.dnn.ENGINE_*`` (OpenCV 5),
    or None (OpenCV's default)."""
    if engine is None:
        return None
    if isinstance(engine, bool) or not isinstance(engine, int):
        raise TypeError(f"webnn_providers.opencv: engine is a cv2.dnn.ENGINE_* value, not "
                        f"{engine!r}")
    if int(engine) not in ENGINES:
        known = ", ".join(f"{n}={v}" for v, n in ENGINES.items()) or "none (OpenCV 4)"
        raise ValueError(f"webnn_providers.opencv: OpenCV {cv2.__version__} has no importer "
                         f"engine {engine}; its engines: {known}")
    return int(engine)


def _read_plain(data: bytes, engine: int | None = None) -> cv2.dnn.Net:
    buffer = np.frombuffer(data, np.uint8)
    if engine is None:
        net = cv2.dnn.readNetFromONNX(buffer)
    else:
        net = cv2.dnn.readNetFromONNX(buffer, engine=engine)
    if net.empty():
        # OpenCV 5 logs the unsupported operations and returns an empty net (its first
        # setInput then fails): fail here, as OpenCV 4's importer does
        raise cv2.error("OpenCV's ONNX importer returned an empty net (it cannot load an "
                        "operation of the model; its log names it)")
    return net


class _WebNNState:
    """The rewritten model, its OpenCV net and the partitions its layers run."""

    def __init__(self, report: PartitionReport, groups: list[Group], partitions: list[Partition],
                 model: onnx.ModelProto, net: cv2.dnn.Net, graph: GraphInfo) -> None:
        self.report = report
        self.graph = graph
        #: how many values were exposed from inside partitions when it was built
        self.extra = 0
        #: input name -> the blob shape last set on this net (setInput's fast path)
        self.seen: dict[str, tuple[int, ...]] = {}
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
    """The direct path when one partition holds every node (see ._direct)."""
    if len(state.partitions) != 1 or \
            len(state.partitions[0].nodes) != len(graph.nodes):
        return None
    partition = state.partitions[0]
    if OPENCV_MAJOR >= 5:
        # OpenCV 5's forward names tensors (values), and forward() is the first output's
        layer_values = {name: name for name in partition.outputs}
        last = state.model.graph.output[0].name if state.model.graph.output else ""
        if last not in layer_values:
            return None
        return DirectRunner(partition, graph.inputs, layer_values, last, scaled_inputs=False)
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
        self._state: _WebNNState | None = None
        #: the input sizes the current state was built for (None: a static model)
        self._state_key: tuple | None = None
        #: WebNN states per input sizes (models with symbolic input dimensions)
        self._states: VariantCache[tuple | None, _WebNNState] = VariantCache()
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
                self._plain = _read_plain(self._data, self._engine)
            except cv2.error as exc:
                self._plain_error = exc
            else:
                if self._target != cv2.dnn.DNN_TARGET_CPU:  # set before the import
                    self._plain.setPreferableTarget(self._target)
                for name, args, kwargs in self._settings:
                    getattr(self._plain, name)(*args, **kwargs)
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

    def _dynamic(self) -> bool:
        """Whether a model input has symbolic dimensions (sizes then come from setInput)."""
        graph = self._graph_info()
        return any(graph.values[name].static_shape is None for name in graph.inputs)

    def _shape_key(self) -> tuple | None:
        """The input sizes set so far (setInput, else setInputShape) of a model with
        symbolic input dimensions, or (OpenCV 5, which cannot ask a layer for its output
        shapes) sizes other than a static model declares; else None (the model as
        declared). Raises when a symbolic input has no size yet."""
        dynamic = self._dynamic()
        if not dynamic and OPENCV_MAJOR < 5:
            return None  # OpenCV 4 asks the layers (getMemoryShapes) for other sizes
        graph = self._graph_info()
        shapes = []
        for k, name in enumerate(graph.inputs):
            entry = self._inputs.get(name) or (self._inputs.get("") if k == 0 else None)
            declared_static = graph.values[name].static_shape
            if entry is not None:
                shape = tuple(int(d) for d in np.shape(entry[0][0]))
            elif name in self._input_shapes:
                shape = self._input_shapes[name]
            elif declared_static is not None:
                shape = declared_static
            else:
                raise _MissingSizes(
                    f"input {name!r} has symbolic dimensions "
                    f"{_dims(graph.values[name].shape)}: set it (setInput or setInputShape) "
                    "before forward; the WebNN partitions are built for the sizes given")
            declared = graph.values[name].shape
            if declared is not None and len(declared) != len(shape):
                raise _BadRank(f"input {name!r} has shape {list(shape)}; the model "
                               f"declares {_dims(declared)}")
            shapes.append(shape)
        if not dynamic and all(s == graph.values[n].static_shape
                               for n, s in zip(graph.inputs, shapes, strict=True)):
            return None
        return tuple(shapes)

    def _webnn_state(self) -> _WebNNState:
        """The state for the current input sizes (built once per sizes; see _shape_key)."""
        key = self._shape_key()
        if self._state is None or key != self._state_key:
            self._state = self._states.get(key, self._build)
            self._state_key = key
        return self._state

    def _ready_state(self) -> _WebNNState | None:
        """The state when the input sizes are known (a static model: always)."""
        try:
            return self._webnn_state()
        except _MissingSizes:
            return None

    def _build(self, key: tuple | None) -> _WebNNState:
        register_layer()
        if key is None:
            folding, graph = self._fold(), self._graph_info()
        else:
            source = self._graph_info()
            folding = fold_constants(_specialize(self._model, dict(zip(source.inputs, key,
                                                                        strict=True))))
            graph = from_onnx_model(folding.model)
        report, groups, predecessors, view = _plan(self._context, graph, self._extra_outputs,
                                                   folding.folded)
        self._builds += 1
        keys = [f"{self._id}/{self._builds}/{k}" for k in range(len(groups))]
        partitions = []
        for key, group in zip(keys, groups, strict=True):
            partition = Partition(key, self._context, view, group.nodes, group.inputs,
                                  group.outputs)
            add_partition(partition)
            partitions.append(partition)
        layouts = None
        if OPENCV_MAJOR >= 5:
            layouts = [layout([view.values[n].static_shape for n in p.inputs],
                              p.static_output_shapes()) for p in partitions]
            for partition, lay in zip(partitions, layouts, strict=True):
                partition.set_layout(lay)
        model = rewrite(folding.model, graph, groups, keys, predecessors,
                        self._extra_outputs, layouts)
        try:
            net = _read_plain(model.SerializeToString(), self._engine)
        except cv2.error as exc:
            cause = next((p.take_error() for p in partitions if p.error is not None), None)
            raise WebNNBackendError(f"OpenCV cannot import the WebNN-partitioned model: "
                                    f"{cause or _first_line(exc)}; {_left_to_opencv(report)}"
                                    ) from (cause or exc)
        for name, args, kwargs in self._settings:
            getattr(net, name)(*args, **kwargs)
        _LOG.info("webnn: OpenCV DNN model partitioned:\n%s", report.summary())
        state = _WebNNState(report, groups, partitions, model, net, graph)
        state.extra = len(self._extra_outputs)
        return state

    def partition_report(self) -> PartitionReport:
        """Partitions (node indices), nodes WebNN takes, and why each other node is left
        to OpenCV (the translator's reason, or OpenCV's own rules: kind "opencv")."""
        if self._state is not None and self._state.extra == len(self._extra_outputs):
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
        if self._backend == DNN_BACKEND_WEBNN:
            shape = np.shape(blob)
            if self._state is not None and self._state.seen.get(name) == shape:
                # the sizes the current net was built for (the common case: no key)
                self._set_input((blob, name, *args), kwargs)
                return
            previous = self._state
            try:
                state = self._ready_state()
            except _BadRank:
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
            _raise_layer_error(state)  # the partition's error explains OpenCV's
            raise
        _raise_layer_error(state)
        return result

    def _expose(self, names: Sequence[str]) -> None:
        state = self._state if self._state is not None else self._webnn_state()
        missing = [n for n in names if n not in state.layer_names]
        if not missing:
            return
        values = [v for v in (_value_of_layer(state.graph, n) for n in missing) if v]
        produced_inside = {out for g in state.groups for out in _group_values(state.graph, g)}
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
    # OpenCV 5 sizes a layer at import: partitions need static input shapes, which a
    # model with symbolic input sizes has once the net is built for the sizes set (the
    # report before any input assumes that)
    static = all(graph.values[name].static_shape is not None for name in graph.inputs)
    groups = plan_groups(view, report, predecessors, static_inputs=OPENCV_MAJOR >= 5 and static)
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


def _dims(shape: Sequence[Any] | None) -> str:
    return "unknown" if shape is None else "[" + ", ".join(
        str(d) if isinstance(d, int) and d > 0 else (d if isinstance(d, str) and d else "?")
        for d in shape) + "]"


def _specialize(model: onnx.ModelProto, shapes: dict[str, tuple[int, ...]]) -> onnx.ModelProto:
    """``model`` with these concrete input sizes (symbolic dimensions made fixed)."""
    result = onnx.ModelProto()
    result.CopyFrom(model)
    for vi in result.graph.input:
        if vi.name in shapes:
            dims = vi.type.tensor_type.shape.dim
            del dims[:]
            for d in shapes[vi.name]:
                dims.add().dim_value = int(d)
    # intermediate shapes recorded with symbolic dimensions are inferred again; static
    # ones stay (shape inference may not reach every value)
    static = [vi for vi in result.graph.value_info if vi.type.tensor_type.HasField("shape")
              and all(d.HasField("dim_value") and d.dim_value > 0
                      for d in vi.type.tensor_type.shape.dim)]
    del result.graph.value_info[:]
    result.graph.value_info.extend(static)
    return result


def _left_to_opencv(report: PartitionReport, limit: int = 12) -> str:
    """The nodes a rewritten model left to OpenCV, for an import error."""
    nodes = report.fallback
    if not nodes:
        return "WebNN takes every node"
    shown = ", ".join(f"{n.name or '?'} ({n.op_type}: {n.reason})" for n in nodes[:limit])
    more = f" and {len(nodes) - limit} more" if len(nodes) > limit else ""
    return f"nodes left to OpenCV: {shown}{more}"


def _first_line(exc: BaseException | None) -> str:
    text = str(exc).strip() if exc is not None else "unknown error"
    lines = [ln.strip(" >") for ln in text.splitlines() if ln.strip(" >")]
    return " ".join(lines[-2:]) if lines else type(exc).__name__
