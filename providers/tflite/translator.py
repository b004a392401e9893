"""TFLite -> WebNN translation: one translator per builtin op, support and emission together.

A translator is a function ``emit(v: OpView) -> list[MLOperand]`` registered with
:func:`translator` for one or more builtin op names, with the ctypes struct of the op's
``builtin_data`` (``params=``), in the spine's registry
(:class:`~webnn_providers.translation.Registry`, keyed ``("", op name)`` with op version
ranges). It raises :class:`Unsupported` for what WebNN cannot express; everything else is
checked by the WebNN builder, which validates each call against the spec and the context's
``op_support_limits()`` and raises ``webnn_core.ValidationError``. Any other exception is a
translator bug (see :mod:`webnn_providers.translation.errors`).

Support is decided by running the translator (:func:`check_model`: every op in execution
order on one builder, an op that cannot be translated there alone on a scratch builder,
:func:`check_op`), so "is this node supported?" and "emit it" cannot drift apart;
:func:`build_graph` translates one partition into one MLGraph (a partition of the whole
model reuses :func:`check_model`'s translation).

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
translation time (the spine's :class:`~webnn_providers.translation.ConstantFolder`; the op's
own translator run on the numpy reference backend) and becomes a WebNN constant
(:meth:`OpView.fold`). :func:`propagate` does this once over the model when
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

from ..translation import (
    ConstantFolder,
    OpEntry,
    Registry,
    TranslatedGraph,
    TranslatorView,
    Unsupported,
    Verdict,
    constant_operand,
    descriptor,
    evaluate_on_reference,
    finish_graph,
    guard,
    judge,
    reference_context,
)
from .model import FLOAT32, INT32, INT64, ModelInfo, OpInfo, TensorInfo

__all__ = ["ACTIVATION", "FOLD_LIMIT", "PADDING", "REGISTRY", "ModelTranslation", "OpView",
           "Params", "TranslatedGraph", "Unsupported", "Verdict", "activation_range",
           "build_graph", "check_model", "check_op", "decode_options", "fused_activation",
           "partition_io", "propagate", "supported_ops", "tensor_name", "translator"]

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


#: the TFLite translators: every module of ``webnn_providers.tflite.ops``
REGISTRY = Registry([f"{__package__}.ops"])


def translator(*ops: str, params: type[Params] | None = None,
               since: int = 1, until: int | None = None) -> Callable[[Emitter], Emitter]:
    """Register ``emit`` for builtin ``ops`` at op versions ``since..until`` (schema.fbs
    ``OperatorCode.version``); ``params`` is their builtin_data struct."""
    return REGISTRY.translator(*ops, since=since, until=until, params=params)


def supported_ops() -> list[str]:
    """Every builtin op name with a translator."""
    return REGISTRY.names()


def _find(op: OpInfo) -> OpEntry:
    if op.op == "CUSTOM":
        raise Unsupported(f"custom op {op.custom_name!r}", "op")
    return REGISTRY.find("", op.op, op.version or 1)


def decode_options(op: OpInfo) -> dict[str, Any]:
    """The op's options (decoded from ``builtin_data`` once; ``{}`` when it has none)."""
    if op.options is None:
        entry = next((e for e in REGISTRY.entries("", op.op) if e.covers(op.version or 1)),
                     None)
        if entry is None or entry.params is None or not op.builtin_data:
            op.options = {}
        else:
            op.options = entry.params.from_address(op.builtin_data).options()
    return op.options


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


class OpView(TranslatorView):
    """What a translator sees: the op, its options, its tensors and the builder ``b``."""

    def __init__(self, op: OpInfo, model: ModelInfo, builder: webnn.MLGraphBuilder,
                 operands: dict[int, webnn.MLOperand],
                 reals: dict[int, webnn.MLOperand], scope: Scope | None = None) -> None:
        self.op = op
        self.model = model
        self.b = builder
        self.prefix = op.describe()
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
    return constant_operand(builder, value, info.data_type, is_bool=info.is_bool,
                            label=op.describe(), what=info.describe())


def _descriptor(info: TensorInfo, shape: Sequence[int] | None = None
                ) -> webnn.MLOperandDescriptor:
    return descriptor(info.data_type, tuple(info.shape if shape is None else shape),
                      info.describe())


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
                ) -> TranslatedGraph[int]:
    """Translate the ops at ``positions`` of ``model.ops`` into one built MLGraph producing
    the tensors ``outputs``; ``input_shapes`` overrides the shapes of partition inputs.

    Values the ops compute from shapes are folded again from this translation's shapes;
    a value folded outside the partition (at Prepare) cannot follow new input shapes, so
    such a partition refuses them."""
    members = sorted(set(positions))
    inputs, _ = partition_io(model, members, outputs)
    local = frozenset(t for k in members for t in model.ops[k].outputs if t >= 0)
    if input_shapes:
        _check_outside_values(model, members, local)
    builder = webnn.MLGraphBuilder(context)
    operands: dict[int, webnn.MLOperand] = {}
    reals: dict[int, webnn.MLOperand] = {}
    scope = Scope(local=local)
    for t in inputs:
        shape = (input_shapes or {}).get(t)
        operands[t] = builder.input(tensor_name(t), _descriptor(model.tensors[t], shape))
    for k in members:
        _emit_op(model.ops[k], model, builder, operands, reals, scope)
    return finish_graph(builder, operands, inputs, outputs, tensor_name)


def _check_outside_values(model: ModelInfo, members: Sequence[int],
                          local: frozenset[int]) -> None:
    """Refuse new input shapes when the ops read a value folded outside the partition."""
    producers = model.producers()
    outside = sorted({t for k in members for t in model.ops[k].inputs
                      if t in producers and t not in local
                      and model.tensors[t].constant is not None})
    if outside:
        raise Unsupported(f"tensors {outside} were computed at Prepare outside the "
                          "partition: it cannot follow new input shapes", "shape")


def _emit_op(op: OpInfo, model: ModelInfo, builder: webnn.MLGraphBuilder,
             operands: dict[int, webnn.MLOperand], reals: dict[int, webnn.MLOperand],
             scope: Scope | None = None) -> None:
    """Run the op's translator (or fold it, see :func:`_folder`) under the spine's guard
    and record its outputs, which must have the TFLite tensors' data types."""
    scope = scope if scope is not None else Scope()
    with guard(op.describe()):
        entry = _find(op)
        _check_tensors(op, model, operands, scope)
        view = OpView(op, model, builder, operands, reals, scope)
        folded = _folder(model).node_values(op, lambda t: scope.value(model.tensors[t]))
        if folded is not None:
            results = [view.fold(o, folded[t]) for o, t in enumerate(op.outputs)]
        else:
            results = entry.emit(view)
        if len(results) != len(op.outputs):
            raise Unsupported(f"{op.describe()}: translator produced {len(results)} of "
                              f"{len(op.outputs)} outputs", "attribute")
        for t, operand in zip(op.outputs, results, strict=True):
            info = model.tensors[t]
            if operand.data_type != info.data_type:
                raise Unsupported(f"{op.describe()}: output {info.describe()} would be "
                                  f"{operand.data_type}", "dtype")
            operands[t] = operand


def _check_tensors(op: OpInfo, model: ModelInfo, operands: Mapping[int, webnn.MLOperand],
                   scope: Scope) -> None:
    """Every input is available (an operand or a known value); no variable tensor and no
    tensor whose shape is known only at run time."""
    for t in op.inputs:
        if t >= 0 and t not in operands and scope.value(model.tensors[t]) is None:
            raise Unsupported(f"{op.describe()}: input tensor {t} is not available", "shape")
    for t in (*op.inputs, *op.outputs):
        if t >= 0 and model.tensors[t].is_variable:
            raise Unsupported(f"{op.describe()}: reads or writes a variable tensor", "op")
        if t >= 0 and model.tensors[t].is_dynamic:
            raise Unsupported(f"{op.describe()}: {model.tensors[t].describe()} has a shape "
                              "known only at run time", "shape")


# constant folding ----------------------------------------------------------------------------

class _FoldHost:
    """The spine folding driver's view of a TFLite model (``FoldHost``): an op folds when
    every output is an int32/int64 tensor; it is evaluated by its own translator on the
    reference backend with its known inputs as constants."""

    def __init__(self, model: ModelInfo) -> None:
        self.model = model

    def inputs(self, op: OpInfo) -> list[int]:
        return [t for t in op.inputs if t >= 0]

    def outputs(self, op: OpInfo) -> list[int]:
        return [t for t in op.outputs if t >= 0]

    def foldable(self, op: OpInfo) -> bool:
        return all(self.model.tensors[t].type in (INT32, INT64) for t in op.outputs)

    def shortcut(self, op: OpInfo) -> None:
        return None  # SHAPE folds itself (OpView.fold) from its input's static shape

    def evaluate(self, op: OpInfo, inputs: Mapping[int, np.ndarray],
                 max_elements: int) -> dict[int, np.ndarray] | None:
        entry = _find(op)

        def emit(builder: webnn.MLGraphBuilder) -> dict[str, webnn.MLOperand] | None:
            view = OpView(op, self.model, builder, {}, {}, Scope(values=dict(inputs)))
            results = entry.emit(view)
            if len(results) != len(op.outputs):
                return None
            return {tensor_name(t): r for t, r in zip(op.outputs, results, strict=True)}

        values = evaluate_on_reference(emit, max_elements)
        return None if values is None else {t: values[tensor_name(t)] for t in op.outputs}

    def label(self, op: OpInfo, position: int) -> str:
        return op.describe()


def _folder(model: ModelInfo) -> ConstantFolder[OpInfo, int]:
    """The folding driver for ``model``: integer tensors of at most :data:`FOLD_LIMIT`
    elements computed from known values."""
    return ConstantFolder(_FoldHost(model), FOLD_LIMIT)


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
            operands = _translate_alone(reference_context(), model, op, scope)
        except Unsupported:
            continue
        for t in outs:
            _settle(model.tensors[t], signatures.get(t), operands[t], scope)


def _settle(info: TensorInfo, signature: Sequence[int] | None, operand: webnn.MLOperand,
            scope: Scope) -> None:
    """Give tensor ``info`` the translated shape where its signature leaves it open, and
    the folded value, if any, as its constant (read-only)."""
    shape = tuple(operand.shape)
    if shape != info.shape and _settled(info.shape, signature, shape):
        info.shape = shape
    if info.index in scope.values:
        value = np.array(scope.values[info.index], dtype=info.numpy_dtype)
        value.flags.writeable = False
        info.constant = value


def _translate_alone(context: webnn.MLContext, model: ModelInfo, op: OpInfo,
                     scope: Scope) -> dict[int, webnn.MLOperand]:
    """``op`` translated alone on a scratch builder, its runtime inputs as graph inputs."""
    with guard(op.describe()):
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


def check_op(context: webnn.MLContext, model: ModelInfo, position: int) -> Verdict:
    """Translate ``model.ops[position]`` alone on a scratch builder; the outputs must have
    the TFLite tensors' types and shapes."""
    op = model.ops[position]
    return judge(op.describe(), lambda: _check_alone(context, model, op))


def _check_alone(context: webnn.MLContext, model: ModelInfo, op: OpInfo) -> None:
    operands = _translate_alone(context, model, op, Scope())
    for t in op.outputs:
        info = model.tensors[t]
        if operands[t].shape != tuple(info.shape):
            raise Unsupported(f"{op.describe()}: output {info.describe()} would have "
                              f"shape {list(operands[t].shape)}", "shape")


@dataclass
class ModelTranslation:
    """The ops :func:`check_model` translated in execution order on one builder: the
    partition graph of the whole model when every op is in it (see :meth:`graph_for`)."""

    model: ModelInfo
    builder: webnn.MLGraphBuilder
    operands: dict[int, webnn.MLOperand]
    inputs: list[int]
    #: positions of the ops translated on :attr:`builder`
    emitted: set[int] = field(default_factory=set)
    used: bool = False

    def graph_for(self, positions: Iterable[int], outputs: Sequence[int]
                  ) -> TranslatedGraph[int] | None:
        """The built graph of the partition ``positions`` when it is every op of the model
        and each was translated here (what :func:`build_graph` would translate again, op
        for op, on a fresh builder), once; else None."""
        members = sorted(set(positions))
        if self.used or members != list(range(len(self.model.ops))) or \
                len(self.emitted) != len(members):
            return None
        self.used = True  # a builder builds once
        return finish_graph(self.builder, self.operands, self.inputs, outputs, tensor_name)


def check_model(context: webnn.MLContext, model: ModelInfo
                ) -> tuple[list[Verdict], ModelTranslation]:
    """The verdict of every op of ``model`` (each what :func:`check_op` gives), from one
    translation in execution order on one builder, as :func:`build_graph` translates a
    partition of all the ops: an op whose inputs are all available there is translated in
    place, reading the operands the ops before it produced. Those have the descriptors the
    op alone reads as inputs (an op is kept only when its outputs have the model's types and
    shapes) and translators see operands only through their descriptors and the values
    known at translation time, which are the same, so the op translates in place exactly
    when it translates alone. An op that does not (or reads a tensor no op here produced)
    is judged alone (:func:`check_op`) and leaves no operand behind.

    The translation is reused as the partition graph when TFLite's one partition is the
    whole model (:meth:`ModelTranslation.graph_for`), so such a model is translated once."""
    members = range(len(model.ops))
    inputs, _ = partition_io(model, members, [])
    local = frozenset(t for op in model.ops for t in op.outputs if t >= 0)
    builder = webnn.MLGraphBuilder(context)
    operands: dict[int, webnn.MLOperand] = {}
    for t in inputs:
        try:
            with guard(model.tensors[t].describe()):
                operands[t] = builder.input(tensor_name(t), _descriptor(model.tensors[t]))
        except Unsupported:
            continue  # (e.g. an int16 tensor) the ops reading it are judged alone
    reals: dict[int, webnn.MLOperand] = {}
    scope = Scope(local=local)
    translation = ModelTranslation(model, builder, operands, inputs)
    verdicts = []
    for k, op in enumerate(model.ops):
        ready = all(t < 0 or t in operands or scope.value(model.tensors[t]) is not None
                    for t in op.inputs)
        if ready:
            verdict = judge(op.describe(),
                            lambda op=op: _emit_in_place(op, model, builder, operands, reals,
                                                         scope))
            if verdict.supported:
                translation.emitted.add(k)
                verdicts.append(verdict)
                continue
        verdicts.append(check_op(context, model, k))
    return verdicts, translation


def _emit_in_place(op: OpInfo, model: ModelInfo, builder: webnn.MLGraphBuilder,
                   operands: dict[int, webnn.MLOperand], reals: dict[int, webnn.MLOperand],
                   scope: Scope) -> None:
    """:func:`_emit_op` with :func:`_check_alone`'s output shape check; on a refusal the
    op's outputs and folded values are taken back (its other nodes are left unused on the
    builder, which builds only what the outputs read)."""
    known_operands, known_values = set(operands), set(scope.values)
    try:
        _emit_op(op, model, builder, operands, reals, scope)
        for t in op.outputs:
            info = model.tensors[t]
            if t >= 0 and operands[t].shape != tuple(info.shape):
                raise Unsupported(f"{op.describe()}: output {info.describe()} would have "
                                  f"shape {list(operands[t].shape)}", "shape")
    except BaseException:
        for t in set(operands) - known_operands:
            del operands[t]
        for t in set(scope.values) - known_values:
            del scope.values[t]
        raise
