"""TFLite -> WebNN translation: one translator per builtin op, support and emission together.

A translator is a function ``emit(v: OpView) -> list[MLOperand]`` registered with
:func:`translator` for one or more builtin op names, with the ctypes struct of the op's
``builtin_data`` (``params=``). It raises :class:`Unsupported` for what WebNN cannot express;
everything else is checked by the WebNN builder, which validates each call against the spec
and the context's ``op_support_limits()``.

Support is decided by running the translator on a scratch builder (:func:`check_op`), so
"is this node supported?" and "emit it" cannot drift apart; :func:`build_graph` translates
one partition into one MLGraph.

Quantized tensors. TFLite's int8/uint8 tensors stand for ``scale * (q - zero_point)``.
Arithmetic translators work on real values: :meth:`OpView.float_input` dequantizes
(``dequantize_linear``, per tensor or per channel) and :meth:`OpView.finish` applies the
fused activation and quantizes to the output tensor's parameters (``quantize_linear``), which
is TFLite's own definition of its quantized kernels (they differ only in rounding, by at
most one step). Data-movement translators use :meth:`OpView.input` and keep the integers
when input and output share their quantization.

Shape computations. Shapes are static when the delegate is applied, so a SHAPE is a
constant, and an op whose inputs are all constants and whose outputs are small integer
tensors (the STRIDED_SLICE -> PACK chains that build a RESHAPE's new shape) is computed at
translation time (:meth:`OpView.fold`; the op's own translator run on the numpy reference
backend) and becomes a WebNN constant. :func:`propagate` does this once over the model when
the delegate reads it, storing the values as the tensors' ``constant`` and replacing the
placeholder dims TFLite gives the outputs of such computed shapes (their ``dims_signature``
holds -1) with the translated ones, so that the check of each node sees the shapes TFLite's
own Prepare would compute.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import webnn_core as webnn

from .._operands import new_constant
from .model import FLOAT32, INT32, INT64, ModelInfo, OpInfo, TensorInfo

Emitter = Callable[["OpView"], Sequence["webnn.MLOperand"]]

#: TfLitePadding and TfLiteFusedActivation (builtin_op_data.h) -> names
PADDING = {0: "UNKNOWN", 1: "SAME", 2: "VALID"}
ACTIVATION = {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6", 4: "TANH", 5: "SIGN_BIT",
              6: "SIGMOID"}


class Params(ctypes.Structure):
    """Base of the ``TfLite*Params`` structs: :meth:`options` decodes the struct into a
    dict; members listed in ``_enums_`` become names (padding, activation)."""

    _enums_: dict[str, dict[int, str]] = {}

    def options(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, *_ in self._fields_:
            value = getattr(self, name)
            if name in self._enums_:
                value = self._enums_[name].get(value, f"UNKNOWN({value})")
            elif isinstance(value, ctypes.Array):
                value = list(value)
            out[name] = value
        return out


@dataclass(frozen=True)
class OpEntry:
    emit: Emitter
    params: type[Params] | None


_REGISTRY: dict[str, OpEntry] = {}


def translator(*ops: str, params: type[Params] | None = None) -> Callable[[Emitter], Emitter]:
    """Register ``emit`` for builtin ``ops``; ``params`` is their builtin_data struct."""
    def decorate(emit: Emitter) -> Emitter:
        for op in ops:
            if op in _REGISTRY:
                raise RuntimeError(f"two translators for {op}")
            _REGISTRY[op] = OpEntry(emit, params)
        return emit
    return decorate


_LOADED = False


def _load_ops() -> None:
    global _LOADED
    if not _LOADED:
        from . import ops  # noqa: F401 - registers the translators

        _LOADED = True


def supported_ops() -> list[str]:
    """Every builtin op name with a translator."""
    _load_ops()
    return sorted(_REGISTRY)


def _find(op: OpInfo) -> OpEntry:
    _load_ops()
    if op.op == "CUSTOM":
        raise Unsupported(f"custom op {op.custom_name!r}", "op")
    entry = _REGISTRY.get(op.op)
    if entry is None:
        raise Unsupported(f"unsupported op {op.op}", "op")
    return entry


def decode_options(op: OpInfo) -> dict[str, Any]:
    """The op's options (decoded from ``builtin_data`` once; ``{}`` when it has none)."""
    if op.options is None:
        _load_ops()
        entry = _REGISTRY.get(op.op)
        if entry is None or entry.params is None or not op.builtin_data:
            op.options = {}
        else:
            op.options = entry.params.from_address(op.builtin_data).options()
    return op.options


class Unsupported(Exception):  # noqa: N818 - a verdict, not an error
    """The node cannot be translated; ``kind`` classifies the reason for reports
    ("op", "dtype", "attribute", "shape", "quantization", "webnn")."""

    def __init__(self, reason: str, kind: str = "attribute") -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


#: integer tensors of at most this many elements computed from constants are folded
FOLD_LIMIT = 1024


@dataclass
class Scope:
    """Values known at translation time. ``values`` holds those folded in this translation;
    ``local`` the tensors produced by the ops being translated, whose stored ``constant``
    (folded by :func:`propagate` for the shapes at Prepare time) is not used: they are
    folded again from the shapes of this translation."""

    values: dict[int, np.ndarray] = field(default_factory=dict)
    local: frozenset[int] = frozenset()

    def value(self, info: TensorInfo) -> np.ndarray | None:
        if info.index in self.values:
            return self.values[info.index]
        return None if info.index in self.local else info.constant


class OpView:
    """What a translator sees: the op, its options, its tensors and the builder."""

    def __init__(self, op: OpInfo, model: ModelInfo, builder: webnn.MLGraphBuilder,
                 operands: dict[int, webnn.MLOperand],
                 reals: dict[int, webnn.MLOperand], scope: Scope | None = None) -> None:
        self.op = op
        self.model = model
        self.b = builder
        self._operands = operands
        self._reals = reals
        self.scope = scope if scope is not None else Scope()

    # options ----------------------------------------------------------------------------
    @property
    def options(self) -> dict[str, Any]:
        return decode_options(self.op)

    def option(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)

    # tensors ----------------------------------------------------------------------------
    @property
    def num_inputs(self) -> int:
        return len(self.op.inputs)

    def has_input(self, i: int) -> bool:
        return i < len(self.op.inputs) and self.op.inputs[i] >= 0

    def tensor(self, i: int) -> TensorInfo:
        """Input ``i``'s tensor."""
        if not self.has_input(i):
            raise self.unsupported(f"input {i} is required")
        return self.model.tensors[self.op.inputs[i]]

    def out_tensor(self, i: int = 0) -> TensorInfo:
        return self.model.tensors[self.op.outputs[i]]

    def input(self, i: int) -> webnn.MLOperand:
        """Input ``i`` as stored (integers for quantized tensors); a model constant becomes a
        WebNN constant the first time it is asked for."""
        info = self.tensor(i)
        operand = self._operands.get(info.index)
        if operand is None:
            value = self.scope.value(info)
            if value is None:
                raise Unsupported(f"{self.op.describe()}: {info.describe()} is not available",
                                  "shape")
            operand = self._operands[info.index] = _constant_operand(self.b, info, value,
                                                                     self.op)
        return operand

    def const(self, i: int) -> np.ndarray | None:
        """Input ``i``'s data when it is a model constant or a value computed at translation
        time (:meth:`fold`), else None."""
        return self.scope.value(self.tensor(i)) if self.has_input(i) else None

    def require_const(self, i: int, what: str) -> np.ndarray:
        value = self.const(i)
        if value is None:
            raise self.unsupported(f"{what} (input {i}) must be a constant tensor", "shape")
        return value

    def shape(self, i: int) -> tuple[int, ...]:
        return self.input(i).shape

    # quantization -----------------------------------------------------------------------
    def float_input(self, i: int) -> webnn.MLOperand:
        """Input ``i`` as real values: quantized tensors are dequantized (once per tensor)."""
        info = self.tensor(i)
        if not info.is_quantized:
            if info.type not in (FLOAT32,) and info.data_type not in ("float16",):
                raise self.unsupported(f"input {i} is {info.type_name}, not a real-valued "
                                       "tensor", "dtype")
            return self.input(i)
        real = self._reals.get(info.index)
        if real is None:
            real = self._reals[info.index] = self.dequantize(self.input(i), info)
        return real

    def dequantize(self, x: webnn.MLOperand, info: TensorInfo) -> webnn.MLOperand:
        scale, zero_point = self._quant_operands(info, x.rank, x.data_type)
        return self.b.dequantize_linear(x, scale, zero_point)

    def quantize(self, y: webnn.MLOperand, info: TensorInfo) -> webnn.MLOperand:
        if info.data_type not in ("int8", "uint8"):
            raise self.unsupported(f"quantized {info.type_name} output", "dtype")
        scale, zero_point = self._quant_operands(info, y.rank, info.data_type)
        return self.b.quantize_linear(y, scale, zero_point)

    def _quant_operands(self, info: TensorInfo, rank: int, data_type: str
                        ) -> tuple[webnn.MLOperand, webnn.MLOperand]:
        q = info.quantization
        if q is None:
            raise self.unsupported(f"{info.describe()} has no quantization", "quantization")
        if data_type not in ("int8", "uint8", "int32"):
            raise self.unsupported(f"{info.describe()}: WebNN cannot (de)quantize "
                                   f"{info.type_name}", "dtype")
        scale = q.scale.astype(np.float32)
        zero_point = q.zero_point
        if zero_point.size == 1 and scale.size > 1:
            zero_point = np.full(scale.shape, zero_point[0])
        zero_point = zero_point.astype(webnn.MLOperandDescriptor(data_type, ()).numpy_dtype)
        if q.per_channel:
            if not 0 <= q.axis < rank or info.shape[q.axis] != scale.size:
                raise self.unsupported(f"{info.describe()}: {scale.size} scales along axis "
                                       f"{q.axis}", "quantization")
            shape = [1] * rank
            shape[q.axis] = scale.size
        else:
            shape = [1] * rank
        return (self.b.constant(scale.reshape(shape)),
                self.b.constant(np.ascontiguousarray(zero_point.reshape(shape))))

    def same_quantization(self, i: int, o: int = 0) -> bool:
        """Input ``i`` and output ``o`` hold the same values the same way (both float, or
        both quantized with equal parameters): data movement can keep the integers."""
        a, b = self.tensor(i), self.out_tensor(o)
        if a.type != b.type:
            return False
        if not a.is_quantized and not b.is_quantized:
            return True
        return a.is_quantized and b.is_quantized and a.quantization.same_as(b.quantization)

    def finish(self, y: webnn.MLOperand, o: int = 0,
               activation: str | None = None) -> webnn.MLOperand:
        """Apply the fused activation (the op's ``activation`` option unless given) to the
        real result ``y`` and give it output ``o``'s representation."""
        act = activation if activation is not None else self.option("activation", "NONE")
        y = fused_activation(self, y, act)
        out = self.out_tensor(o)
        if out.is_quantized:
            return self.quantize(y, out)
        if out.data_type != y.data_type:
            raise self.unsupported(f"output is {out.type_name}, the result {y.data_type}",
                                   "dtype")
        return y

    def fold(self, o: int, value: np.ndarray) -> webnn.MLOperand:
        """Output ``o`` is ``value``, known at translation time: a WebNN constant that later
        ops may read with :meth:`const` (e.g. SHAPE of a statically shaped tensor)."""
        info = self.out_tensor(o)
        value = np.asarray(value, dtype=info.numpy_dtype)
        self.scope.values[info.index] = value
        return self.constant(value, info.data_type)

    # helpers ----------------------------------------------------------------------------
    def constant(self, array: np.ndarray | Any, data_type: str | None = None) -> webnn.MLOperand:
        return new_constant(self.b, array, data_type)

    def unsupported(self, reason: str, kind: str = "attribute") -> Unsupported:
        return Unsupported(f"{self.op.describe()}: {reason}", kind)


#: fused activations TFLite's kernels apply: ``CalculateActivationRange`` turns them into a
#: clamp; the kernels silently ignore the others (TANH, SIGN_BIT, SIGMOID)
CLAMP_ACTIVATIONS = {"NONE": (None, None), "RELU": (0.0, None), "RELU6": (0.0, 6.0),
                     "RELU_N1_TO_1": (-1.0, 1.0)}


def activation_range(v: OpView, name: str) -> tuple[float | None, float | None]:
    """The clamp bounds of fused activation ``name``; the activations TFLite's kernels
    ignore are refused rather than imitated (a model carrying them is suspect)."""
    if name not in CLAMP_ACTIVATIONS:
        raise v.unsupported(f"fused activation {name} (TFLite's {v.op.op} kernel only clamps "
                            "for RELU, RELU6 and RELU_N1_TO_1 and ignores it)")
    return CLAMP_ACTIVATIONS[name]


def fused_activation(v: OpView, y: webnn.MLOperand, name: str) -> webnn.MLOperand:
    """TFLite's fused activation ``name`` on the real result ``y``."""
    low, high = activation_range(v, name)
    if low is None:
        return y
    if high is None:
        return v.b.relu(y)
    return v.b.clamp(y, min_value=low, max_value=high)


def _constant_operand(builder: webnn.MLGraphBuilder, info: TensorInfo, value: np.ndarray,
                      op: OpInfo) -> webnn.MLOperand:
    if info.data_type is None:
        raise Unsupported(f"{op.describe()}: {info.describe()}: WebNN has no {info.type_name}",
                          "dtype")
    if value.size == 0:
        raise Unsupported(f"{op.describe()}: empty constant {info.describe()}", "shape")
    array = value.astype(np.uint8) if info.is_bool else value
    return builder.constant(np.require(array, requirements="C"))


def _descriptor(info: TensorInfo, shape: Sequence[int] | None = None
                ) -> webnn.MLOperandDescriptor:
    if info.data_type is None:
        raise Unsupported(f"{info.describe()}: WebNN has no {info.type_name}", "dtype")
    shape = tuple(info.shape if shape is None else shape)
    if any(d <= 0 for d in shape):
        raise Unsupported(f"{info.describe()}: empty or unknown dimension", "shape")
    return webnn.MLOperandDescriptor(info.data_type, shape)


@dataclass
class TranslatedGraph:
    """One WebNN graph for a partition; inputs/outputs are TFLite tensor indices, named
    ``t<index>`` in the graph."""

    graph: webnn.MLGraph
    inputs: list[int]
    outputs: list[int]


def tensor_name(index: int) -> str:
    return f"t{index}"


def partition_io(model: ModelInfo, positions: Iterable[int],
                 outputs: Iterable[int] | None = None) -> tuple[list[int], list[int]]:
    """(inputs, outputs) of the ops at ``positions``: tensors read from outside (model
    constants excluded) and, unless given, tensors produced inside and read outside."""
    members = sorted(set(positions))
    produced = {t for k in members for t in model.ops[k].outputs if t >= 0}
    inputs: list[int] = []
    for k in members:
        for t in model.ops[k].inputs:
            if t >= 0 and t not in produced and t not in inputs and \
                    model.tensors[t].constant is None:
                inputs.append(t)
    if outputs is None:
        inside = set(members)
        read_outside = {t for k, op in enumerate(model.ops) if k not in inside
                        for t in op.inputs}
        outputs = [t for k in members for t in model.ops[k].outputs
                   if t >= 0 and t in read_outside]
    return inputs, list(outputs)


def build_graph(context: webnn.MLContext, model: ModelInfo, positions: Iterable[int],
                outputs: Sequence[int], input_shapes: Mapping[int, Sequence[int]] | None = None
                ) -> TranslatedGraph:
    """Translate the ops at ``positions`` of ``model.ops`` into one built MLGraph producing
    the tensors ``outputs``; ``input_shapes`` overrides the shapes of partition inputs.

    Values the ops compute from shapes are folded again from this translation's shapes;
    a value folded outside the partition (at Prepare) cannot follow new input shapes, so
    such a partition refuses them."""
    members = sorted(set(positions))
    inputs, _ = partition_io(model, members, outputs)
    local = frozenset(t for k in members for t in model.ops[k].outputs if t >= 0)
    if input_shapes:
        producers = model.producers()
        outside = sorted({t for k in members for t in model.ops[k].inputs
                          if t in producers and t not in local
                          and model.tensors[t].constant is not None})
        if outside:
            raise Unsupported(f"tensors {outside} were computed at Prepare outside the "
                              "partition: it cannot follow new input shapes", "shape")
    builder = webnn.MLGraphBuilder(context)
    operands: dict[int, webnn.MLOperand] = {}
    reals: dict[int, webnn.MLOperand] = {}
    scope = Scope(local=local)
    for t in inputs:
        shape = (input_shapes or {}).get(t)
        operands[t] = builder.input(tensor_name(t), _descriptor(model.tensors[t], shape))
    for k in members:
        _emit_op(model.ops[k], model, builder, operands, reals, scope)
    named = {}
    for t in outputs:
        operand = operands.get(t)
        if operand is None:
            raise RuntimeError(f"partition output tensor {t} is not produced by its ops")
        if operand.kind != "output":
            operand = builder.identity(operand)
        named[tensor_name(t)] = operand
    built = builder.build(named)
    used = [t for t in inputs if tensor_name(t) in built.inputs]
    return TranslatedGraph(built, used, list(outputs))


def _emit_op(op: OpInfo, model: ModelInfo, builder: webnn.MLGraphBuilder,
             operands: dict[int, webnn.MLOperand], reals: dict[int, webnn.MLOperand],
             scope: Scope | None = None) -> None:
    entry = _find(op)
    scope = scope if scope is not None else Scope()
    for t in op.inputs:
        if t >= 0 and t not in operands and scope.value(model.tensors[t]) is None:
            raise Unsupported(f"{op.describe()}: input tensor {t} is not available", "shape")
    for t in (*op.inputs, *op.outputs):
        if t >= 0 and model.tensors[t].is_variable:
            raise Unsupported(f"{op.describe()}: reads or writes a variable tensor", "op")
        if t >= 0 and model.tensors[t].is_dynamic:
            raise Unsupported(f"{op.describe()}: {model.tensors[t].describe()} has a shape "
                              "known only at run time", "shape")
    view = OpView(op, model, builder, operands, reals, scope)
    try:
        folded = _fold(entry, op, model, scope)
        if folded is not None:
            results = [view.fold(o, value) for o, value in enumerate(folded)]
        else:
            results = entry.emit(view)
    except TypeError as exc:
        raise Unsupported(f"{op.describe()}: WebNN rejects it: {exc}", "webnn") from exc
    if len(results) != len(op.outputs):
        raise Unsupported(f"{op.describe()}: translator produced {len(results)} of "
                          f"{len(op.outputs)} outputs", "attribute")
    for t, operand in zip(op.outputs, results, strict=True):
        info = model.tensors[t]
        expected = info.data_type
        if operand.data_type != expected:
            raise Unsupported(f"{op.describe()}: output {info.describe()} would be "
                              f"{operand.data_type}", "dtype")
        operands[t] = operand


# constant folding ----------------------------------------------------------------------------

_REFERENCE: list[webnn.MLContext] = []


def _reference_context() -> webnn.MLContext:
    if not _REFERENCE:
        _REFERENCE.append(webnn.ml.create_context(backend="reference"))
    return _REFERENCE[0]


def _fold(entry: OpEntry, op: OpInfo, model: ModelInfo, scope: Scope) -> list | None:
    """The outputs of ``op`` computed now, when every input is known, every output is an
    int32/int64 tensor and none has more than :data:`FOLD_LIMIT` elements; else None. The op's
    own translator runs on the numpy reference backend (exact spec semantics) with its inputs
    as constants."""
    inputs = [t for t in op.inputs if t >= 0]
    if not inputs or any(model.tensors[t].type not in (INT32, INT64) for t in op.outputs):
        return None
    known = {t: scope.value(model.tensors[t]) for t in inputs}
    if any(value is None for value in known.values()):
        return None
    builder = webnn.MLGraphBuilder(_reference_context())
    sub = Scope(values=dict(known))
    results = entry.emit(OpView(op, model, builder, {}, {}, sub))
    if len(results) != len(op.outputs) or any(
            int(np.prod(r.shape, dtype=np.int64)) > FOLD_LIMIT for r in results):
        return None
    named = {tensor_name(t): builder.identity(r)
             for t, r in zip(op.outputs, results, strict=True)}
    computed = _reference_context().compute(builder.build(named), {})
    return [np.asarray(computed[tensor_name(t)]) for t in op.outputs]


def _settled(shape: Sequence[int], signature: Sequence[int] | None,
             inferred: Sequence[int]) -> bool:
    """``inferred`` may replace the declared ``shape``: same rank, and every dimension that
    differs is unknown (-1) in the tensor's ``dims_signature``."""
    if signature is None or len(signature) != len(shape) or len(inferred) != len(shape):
        return False
    return all(a == b or s == -1 for a, b, s in zip(shape, inferred, signature, strict=True))


def propagate(model: ModelInfo, signatures: Mapping[int, Sequence[int] | None]) -> None:
    """Fold shape computations and settle placeholder shapes, once over the whole model in
    execution order (see the module docstring). Each op that could compute a constant, or
    whose outputs have dims the model leaves unknown (-1 in ``signatures``), is translated
    alone on the reference backend; the outputs' inferred shapes replace the declared ones
    where the signature allows it, and folded values become the tensors' ``constant``."""
    for op in model.ops:
        outs = [t for t in op.outputs if t >= 0]
        unsettled = any(-1 in (signatures.get(t) or ()) for t in outs)
        candidate = op.op == "SHAPE" or (
            all(model.tensors[t].type in (INT32, INT64) for t in outs)
            and all(model.tensors[t].constant is not None for t in op.inputs if t >= 0))
        if not (unsettled or candidate):
            continue
        scope = Scope()
        try:
            operands = _translate_alone(_reference_context(), model, op, scope)
        except (Unsupported, TypeError, ValueError, webnn.WebNNError):
            continue
        for t in outs:
            info = model.tensors[t]
            shape = tuple(operands[t].shape)
            if shape != info.shape and _settled(info.shape, signatures.get(t), shape):
                info.shape = shape
            if t in scope.values:
                value = np.array(scope.values[t], dtype=info.numpy_dtype)
                value.flags.writeable = False
                info.constant = value


def _translate_alone(context: webnn.MLContext, model: ModelInfo, op: OpInfo,
                     scope: Scope) -> dict[int, webnn.MLOperand]:
    """``op`` translated alone on a scratch builder, its runtime inputs as graph inputs."""
    builder = webnn.MLGraphBuilder(context)
    operands: dict[int, webnn.MLOperand] = {}
    for t in op.inputs:
        if t < 0 or t in operands:
            continue
        info = model.tensors[t]
        if info.constant is None:
            operands[t] = builder.input(tensor_name(t), _descriptor(info))
    _emit_op(op, model, builder, operands, {}, scope)
    return operands


@dataclass
class Verdict:
    supported: bool
    reason: str = ""
    kind: str = ""


def check_op(context: webnn.MLContext, model: ModelInfo, position: int) -> Verdict:
    """Translate ``model.ops[position]`` alone on a scratch builder; the outputs must have
    the TFLite tensors' types and shapes."""
    op = model.ops[position]
    try:
        operands = _translate_alone(context, model, op, Scope())
        for t in op.outputs:
            info = model.tensors[t]
            if operands[t].shape != tuple(info.shape):
                raise Unsupported(f"{op.describe()}: output {info.describe()} would have "
                                  f"shape {list(operands[t].shape)}", "shape")
    except Unsupported as exc:
        return Verdict(False, exc.reason, exc.kind)
    except (TypeError, ValueError, webnn.WebNNError) as exc:
        return Verdict(False, f"{op.describe()}: {exc}", "webnn")
    return Verdict(True)
