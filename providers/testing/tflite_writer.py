"""Build TFLite models (``.tflite`` flatbuffers) in Python, without TensorFlow.

The flatbuffer schema comes from the flatc-generated module that ``ai-edge-litert`` ships
(``ai_edge_litert.schema_py_generated``); this module only assembles its object API. One model
holds one subgraph::

    m = ModelWriter()
    x = m.input("x", [1, 8, 8, 3], "float32")
    w = m.constant("w", np.ones((4, 3, 3, 3), np.float32))       # OHWI
    b = m.constant("b", np.zeros(4, np.float32))
    y = m.tensor("y", [1, 8, 8, 4], "float32")
    m.op("CONV_2D", [x, w, b], [y], padding="SAME", stride_w=1, stride_h=1,
         fused_activation_function="RELU6")
    m.output(y)
    (out,) = run(m.finish(), [np.zeros((1, 8, 8, 3), np.float32)])

Operator options are the fields of the op's ``<X>OptionsT`` class, given in snake_case
(``stride_w``) or as spelled in the schema (``strideW``). Omitted fields keep the *schema*
defaults, which are not always usable: strides and pool filter sizes default to 0, SOFTMAX's
``beta`` and LEAKY_RELU's ``alpha`` to 0.0, CONCATENATION's ``axis`` to 0.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as schema

__all__ = [
    "ModelWriter",
    "Quant",
    "builtin_options_class",
    "interpreter",
    "interpreter_module",
    "run",
    "tensor_type",
]

#: file identifier of TFLite flatbuffers
FILE_IDENTIFIER = b"TFL3"
#: schema version written to ``Model.version``
SCHEMA_VERSION = 3
#: alignment of constant data inside the file (what the TFLite converter uses)
BUFFER_ALIGNMENT = 16

DTypeLike = str | int | np.dtype | type
ShapeLike = Sequence[int] | np.ndarray

_NUMPY_TO_TFLITE: dict[np.dtype, int] = {
    np.dtype(np.bool_): schema.TensorType.BOOL,
    np.dtype(np.int8): schema.TensorType.INT8,
    np.dtype(np.uint8): schema.TensorType.UINT8,
    np.dtype(np.int16): schema.TensorType.INT16,
    np.dtype(np.uint16): schema.TensorType.UINT16,
    np.dtype(np.int32): schema.TensorType.INT32,
    np.dtype(np.uint32): schema.TensorType.UINT32,
    np.dtype(np.int64): schema.TensorType.INT64,
    np.dtype(np.uint64): schema.TensorType.UINT64,
    np.dtype(np.float16): schema.TensorType.FLOAT16,
    np.dtype(np.float32): schema.TensorType.FLOAT32,
    np.dtype(np.float64): schema.TensorType.FLOAT64,
    np.dtype(np.complex64): schema.TensorType.COMPLEX64,
    np.dtype(np.complex128): schema.TensorType.COMPLEX128,
}


def _enum_members(enum_cls: type) -> dict[str, int]:
    """``NAME -> value`` of a flatc-generated enum class."""
    return {k: v for k, v in vars(enum_cls).items() if not k.startswith("_") and isinstance(v, int)}


_TENSOR_TYPES = _enum_members(schema.TensorType)
_BUILTIN_OPERATORS = _enum_members(schema.BuiltinOperator)
#: what `OperatorCode.deprecated_builtin_code` holds for operator codes above 127
_PLACEHOLDER_FOR_GREATER_OP_CODES = schema.BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES


def tensor_type(dtype: DTypeLike) -> int:
    """The ``TensorType`` value of a numpy dtype, a dtype name (``"float32"``), a TensorType
    name (``"INT4"``, ``"BFLOAT16"``) or a TensorType value."""
    if isinstance(dtype, bool):
        raise ValueError(f"not a tensor type: {dtype!r}")
    if isinstance(dtype, int | np.integer):
        if int(dtype) not in _TENSOR_TYPES.values():
            raise ValueError(f"unknown TensorType value {dtype}")
        return int(dtype)
    try:
        np_dtype = np.dtype(dtype)
    except TypeError:
        np_dtype = None
    if np_dtype is not None and np_dtype.newbyteorder("=") in _NUMPY_TO_TFLITE:
        return _NUMPY_TO_TFLITE[np_dtype.newbyteorder("=")]
    if isinstance(dtype, str) and dtype.upper() in _TENSOR_TYPES:
        return _TENSOR_TYPES[dtype.upper()]
    raise ValueError(f"unsupported tensor dtype {dtype!r}")


@dataclass(frozen=True)
class Quant:
    """Affine quantization ``real = scale * (q - zero_point)``: one scale for a per-tensor
    quantization, one per slice along ``axis`` for a per-channel one."""

    scale: Sequence[float] | float
    zero_point: Sequence[int] | int = 0
    axis: int = 0

    def to_schema(self) -> schema.QuantizationParametersT:
        """The ``QuantizationParametersT`` table."""
        q = schema.QuantizationParametersT()
        q.scale = [float(s) for s in np.atleast_1d(np.asarray(self.scale, np.float64))]
        q.zeroPoint = [int(z) for z in np.atleast_1d(np.asarray(self.zero_point, np.int64))]
        if len(q.zeroPoint) == 1 and len(q.scale) > 1:
            q.zeroPoint = q.zeroPoint * len(q.scale)
        if len(q.zeroPoint) != len(q.scale):
            raise ValueError(
                f"Quant: {len(q.scale)} scales but {len(q.zeroPoint)} zero points")
        q.quantizedDimension = int(self.axis)
        return q


# --------------------------------------------------------------------------------------------
# Operator options
# --------------------------------------------------------------------------------------------

def _normalize(name: str) -> str:
    return name.replace("_", "").lower()


#: builtin operators whose options table is not named after them (schema.fbs comments)
_IRREGULAR_OPTIONS: dict[str, str] = {
    "AVERAGE_POOL_2D": "Pool2DOptions",
    "MAX_POOL_2D": "Pool2DOptions",
    "L2_POOL_2D": "Pool2DOptions",
    "L2_NORMALIZATION": "L2NormOptions",
    "UNIDIRECTIONAL_SEQUENCE_RNN": "SequenceRNNOptions",
    "MEAN": "ReducerOptions",
    "SUM": "ReducerOptions",
    "REDUCE_PROD": "ReducerOptions",
    "REDUCE_MAX": "ReducerOptions",
    "REDUCE_MIN": "ReducerOptions",
    "REDUCE_ANY": "ReducerOptions",
    "REDUCE_ALL": "ReducerOptions",
    "MAXIMUM": "MaximumMinimumOptions",
    "MINIMUM": "MaximumMinimumOptions",
    "CONV_3D": "Conv3DOptions",
    "CONV_3D_TRANSPOSE": "Conv3DOptions",
    "RANDOM_STANDARD_NORMAL": "RandomOptions",
    "RANDOM_UNIFORM": "RandomOptions",
    "MULTINOMIAL": "RandomOptions",
}


def _options_table() -> dict[str, tuple[str, str, int]]:
    """``operator name -> (union field, options table name, union type)``, where the union
    field is ``builtinOptions`` or ``builtinOptions2``. Regular names are matched by
    comparing ``CONV_2D`` with ``Conv2DOptions`` ignoring case and underscores."""
    unions = {
        "builtinOptions": _enum_members(schema.BuiltinOptions),
        "builtinOptions2": _enum_members(schema.BuiltinOptions2),
    }
    by_norm: dict[str, tuple[str, str, int]] = {}
    for field, members in unions.items():
        for table, value in members.items():
            if table != "NONE" and table.endswith("Options"):
                by_norm[_normalize(table[: -len("Options")])] = (field, table, value)
    by_table = {entry[1]: entry for entry in by_norm.values()}
    out: dict[str, tuple[str, str, int]] = {}
    for op in _BUILTIN_OPERATORS:
        if op in _IRREGULAR_OPTIONS:
            out[op] = by_table[_IRREGULAR_OPTIONS[op]]
        elif _normalize(op) in by_norm:
            out[op] = by_norm[_normalize(op)]
    return out


_OPTIONS: dict[str, tuple[str, str, int]] = _options_table()

#: option fields holding enum values (or lists of them), by schema field name
_ENUM_FIELDS: dict[str, type] = {
    "padding": schema.Padding,
    "fusedActivationFunction": schema.ActivationFunctionType,
    "mode": schema.MirrorPadMode,
    "weightsFormat": schema.FullyConnectedOptionsWeightsFormat,
    "type": schema.LSHProjectionType,
    "kernelType": schema.LSTMKernelType,
    "combiner": schema.CombinerType,
    "reduceFunction": schema.ReduceWindowFunction,
    "comparisonDirection": schema.StablehloComparisonDirection,
    "compareType": schema.StablehloComparisonType,
    "precisionConfig": schema.StablehloPrecisionConfig,
    "algorithm": schema.RngAlgorithm,
    "compositeAttributesFormat": schema.CustomOptionsFormat,
    **{
        f: schema.TensorType
        for f in ("inDataType", "outDataType", "quantizedBiasType", "idxOutType", "outType",
                  "outputType", "keyDtype", "valueDtype")
    },
}


def builtin_options_class(op: str) -> type | None:
    """The ``<X>OptionsT`` class of builtin operator ``op`` (a BuiltinOperator name), or None
    when the operator takes no options."""
    op = op.upper()
    if op not in _BUILTIN_OPERATORS:
        raise ValueError(f"unknown builtin operator {op!r}")
    entry = _OPTIONS.get(op)
    return None if entry is None else getattr(schema, entry[1] + "T")


def _enum_value(enum_cls: type, value: Any, option: str) -> Any:
    if isinstance(value, str):
        if enum_cls is schema.TensorType:
            return tensor_type(value)
        members = _enum_members(enum_cls)
        if value.upper() not in members:
            raise ValueError(
                f"option {option}: {value!r} is not one of {sorted(members)} "
                f"({enum_cls.__name__})")
        return members[value.upper()]
    if isinstance(value, np.dtype | type) and enum_cls is schema.TensorType:
        return tensor_type(value)
    if isinstance(value, list | tuple):
        return [_enum_value(enum_cls, v, option) for v in value]
    return value


def _plain(value: Any) -> Any:
    """numpy scalars and arrays -> Python values the flatbuffer packer accepts."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _make_options(op: str, options: dict[str, Any]) -> tuple[str, int, Any] | None:
    """``(union field, union type, options object)`` for ``op`` with ``options`` set."""
    entry = _OPTIONS.get(op)
    if entry is None:
        if options:
            raise ValueError(f"operator {op} takes no options, got {sorted(options)}")
        return None
    field, table, union_type = entry
    obj = getattr(schema, table + "T")()
    attrs = {_normalize(a): a for a in vars(obj)}
    for key, value in options.items():
        attr = attrs.get(_normalize(key))
        if attr is None:
            valid = ", ".join(re.sub(r"(?<!^)([A-Z])", r"_\1", a).lower() for a in vars(obj))
            raise ValueError(f"operator {op}: unknown option {key!r} of {table} "
                             f"(valid: {valid or 'none'})")
        value = _plain(value)
        if attr in _ENUM_FIELDS:
            value = _enum_value(_ENUM_FIELDS[attr], value, key)
        setattr(obj, attr, value)
    return field, union_type, obj


# --------------------------------------------------------------------------------------------
# The writer
# --------------------------------------------------------------------------------------------

class _AlignedBufferT(schema.BufferT):
    """A ``BufferT`` whose data starts on a ``BUFFER_ALIGNMENT`` boundary of the file."""

    def Pack(self, builder: flatbuffers.Builder) -> int:  # noqa: N802 (flatc's name)
        payload: bytes = self.data if isinstance(self.data, bytes) else b""
        data = None
        if payload:
            builder.StartVector(1, len(payload), BUFFER_ALIGNMENT)
            builder.head -= len(payload)
            builder.Bytes[builder.head: builder.head + len(payload)] = payload
            data = builder.EndVector()
        schema.BufferStart(builder)
        if data is not None:
            schema.BufferAddData(builder, data)
        return schema.BufferEnd(builder)


class ModelWriter:
    """Assembles a one-subgraph TFLite model: tensors, constant buffers, operators.

    Every method that creates a tensor returns its index in the subgraph; operators take
    these indices (``-1`` marks an omitted optional input).
    """

    def __init__(self, name: str = "main",
                 description: str = "webnn_providers.testing.tflite_writer"):
        self.name = name
        self.description = description
        self._tensors: list[schema.TensorT] = []
        self._buffers: list[schema.BufferT] = [_AlignedBufferT()]  # 0: the empty sentinel
        self._opcodes: list[schema.OperatorCodeT] = []
        self._opcode_index: dict[tuple[int, str | None, int], int] = {}
        self._operators: list[schema.OperatorT] = []
        self._inputs: list[int] = []
        self._outputs: list[int] = []

    # -- tensors ------------------------------------------------------------------------------

    @property
    def num_tensors(self) -> int:
        """How many tensors the subgraph has so far."""
        return len(self._tensors)

    def tensor(self, name: str, shape: ShapeLike, dtype: DTypeLike,
               quantization: Quant | None = None,
               shape_signature: ShapeLike | None = None) -> int:
        """Add a tensor without data (an intermediate or output); returns its index."""
        return self._add_tensor(name, shape, tensor_type(dtype), 0, quantization,
                                shape_signature)

    def input(self, name: str, shape: ShapeLike, dtype: DTypeLike,
              quantization: Quant | None = None,
              shape_signature: ShapeLike | None = None) -> int:
        """Add a subgraph input; ``shape_signature`` marks dynamic dimensions with -1.
        Inputs are ordered by the calls to this method."""
        index = self.tensor(name, shape, dtype, quantization, shape_signature)
        self._inputs.append(index)
        return index

    def constant(self, name: str, data: np.ndarray | Any, quantization: Quant | None = None,
                 dtype: DTypeLike | None = None) -> int:
        """Add a constant tensor holding ``data`` in its own buffer; the tensor type is the
        array's dtype (or ``dtype``, to which the data is converted)."""
        array = np.asarray(data) if dtype is None else np.asarray(data, dtype=np.dtype(dtype))
        if array.dtype.kind in "OUSV":
            raise ValueError(f"constant {name!r}: unsupported dtype {array.dtype}")
        ttype = tensor_type(array.dtype)
        little = array.astype(array.dtype.newbyteorder("<"), copy=False)
        buffer = _AlignedBufferT()
        buffer.data = np.ascontiguousarray(little).tobytes()
        self._buffers.append(buffer)
        return self._add_tensor(name, array.shape, ttype, len(self._buffers) - 1, quantization,
                                None)

    def _add_tensor(self, name: str, shape: ShapeLike, ttype: int, buffer: int,
                    quantization: Quant | None, shape_signature: ShapeLike | None) -> int:
        t = schema.TensorT()
        t.name = name
        t.shape = [int(d) for d in shape]
        if any(d < 0 for d in t.shape):
            raise ValueError(f"tensor {name!r}: negative dimension in shape {t.shape} "
                             "(use shape_signature for dynamic dimensions)")
        t.type = ttype
        t.buffer = buffer
        if quantization is not None:
            t.quantization = quantization.to_schema()
        if shape_signature is not None:
            t.shapeSignature = [int(d) for d in shape_signature]
            if len(t.shapeSignature) != len(t.shape):
                raise ValueError(f"tensor {name!r}: shape_signature rank differs from shape")
        self._tensors.append(t)
        return len(self._tensors) - 1

    # -- operators ----------------------------------------------------------------------------

    def op(self, name: str, inputs: Sequence[int], outputs: Sequence[int], *,
           version: int = 1, **options: Any) -> int:
        """Add builtin operator ``name`` (a BuiltinOperator name such as ``"CONV_2D"``);
        keyword arguments set fields of its options table. Returns the operator index."""
        op = name.upper()
        if op not in _BUILTIN_OPERATORS:
            raise ValueError(f"unknown builtin operator {name!r}")
        if op == "CUSTOM":
            raise ValueError("use ModelWriter.custom_op for CUSTOM operators")
        operator = self._operator(self._opcode(_BUILTIN_OPERATORS[op], None, version),
                                  inputs, outputs)
        made = _make_options(op, options)
        if made is not None:
            field, union_type, obj = made
            setattr(operator, field + "Type", union_type)
            setattr(operator, field, obj)
        self._operators.append(operator)
        return len(self._operators) - 1

    def custom_op(self, name: str, inputs: Sequence[int], outputs: Sequence[int], *,
                  custom_options: bytes | None = None, version: int = 1) -> int:
        """Add a CUSTOM operator with code ``name`` and opaque (flexbuffer) ``custom_options``.
        Returns the operator index."""
        if not name:
            raise ValueError("custom operators need a name")
        operator = self._operator(self._opcode(schema.BuiltinOperator.CUSTOM, name, version),
                                  inputs, outputs)
        if custom_options is not None:
            operator.customOptions = list(custom_options)
        self._operators.append(operator)
        return len(self._operators) - 1

    def _opcode(self, code: int, custom: str | None, version: int) -> int:
        key = (code, custom, int(version))
        if key not in self._opcode_index:
            oc = schema.OperatorCodeT()
            oc.builtinCode = code
            oc.deprecatedBuiltinCode = min(code, _PLACEHOLDER_FOR_GREATER_OP_CODES)
            oc.customCode = custom
            oc.version = int(version)
            self._opcode_index[key] = len(self._opcodes)
            self._opcodes.append(oc)
        return self._opcode_index[key]

    def _operator(self, opcode: int, inputs: Sequence[int],
                  outputs: Sequence[int]) -> schema.OperatorT:
        operator = schema.OperatorT()
        operator.opcodeIndex = opcode
        operator.inputs = self._check_indices(inputs, optional=True)
        operator.outputs = self._check_indices(outputs, optional=False)
        return operator

    def _check_indices(self, indices: Iterable[int], optional: bool) -> list[int]:
        out = [int(i) for i in indices]
        low = -1 if optional else 0
        for i in out:
            if not low <= i < len(self._tensors):
                raise ValueError(f"tensor index {i} out of range (have {len(self._tensors)})")
        return out

    # -- model --------------------------------------------------------------------------------

    def output(self, *tensors: int) -> None:
        """Mark tensors as subgraph outputs, in order."""
        self._outputs.extend(self._check_indices(tensors, optional=False))

    def model(self) -> schema.ModelT:
        """The ``ModelT`` object tree (shares state with the writer)."""
        subgraph = schema.SubGraphT()
        subgraph.name = self.name
        subgraph.tensors = self._tensors
        subgraph.inputs = list(self._inputs)
        subgraph.outputs = list(self._outputs)
        subgraph.operators = self._operators
        model = schema.ModelT()
        model.version = SCHEMA_VERSION
        model.description = self.description
        model.operatorCodes = self._opcodes
        model.subgraphs = [subgraph]
        model.buffers = self._buffers
        return model

    def finish(self) -> bytes:
        """Serialize the model: the bytes of a ``.tflite`` file."""
        builder = flatbuffers.Builder(1024)
        builder.Finish(self.model().Pack(builder), file_identifier=FILE_IDENTIFIER)
        return bytes(builder.Output())

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the model to ``path``; returns the path."""
        path = Path(path)
        path.write_bytes(self.finish())
        return path


# --------------------------------------------------------------------------------------------
# Running models
# --------------------------------------------------------------------------------------------

def interpreter_module() -> Any:
    """``ai_edge_litert.interpreter``, or ``tflite_runtime.interpreter`` when that is missing
    or ``WEBNN_TFLITE_RUNTIME=tflite_runtime``."""
    if os.environ.get("WEBNN_TFLITE_RUNTIME", "").strip().lower() != "tflite_runtime":
        try:
            from ai_edge_litert import interpreter as module
        except ImportError:
            pass
        else:
            return module
    from tflite_runtime import interpreter as module

    return module


def interpreter(data: bytes, delegates: Sequence[Any] | None = None, builtin_only: bool = False,
                num_threads: int | None = None) -> Any:
    """An interpreter for model ``data`` with its tensors allocated. ``builtin_only`` disables
    the default delegates (XNNPACK), so the builtin kernels run."""
    module = interpreter_module()
    resolver = module.OpResolverType
    interp = module.Interpreter(
        model_content=bytes(data),
        experimental_delegates=list(delegates) if delegates else None,
        num_threads=num_threads,
        experimental_op_resolver_type=(resolver.BUILTIN_WITHOUT_DEFAULT_DELEGATES
                                       if builtin_only else resolver.AUTO),
    )
    interp.allocate_tensors()
    return interp


def run(data: bytes, inputs: Sequence[np.ndarray], **kw: Any) -> list[np.ndarray]:
    """Run model ``data`` once: ``inputs`` in subgraph input order (converted to the input
    types when numpy allows a same-kind cast; inputs of another shape resize the input), the
    outputs in subgraph output order. ``kw`` goes to :func:`interpreter`."""
    interp = interpreter(data, **kw)
    details = interp.get_input_details()
    if len(details) != len(inputs):
        raise ValueError(f"the model has {len(details)} inputs, got {len(inputs)}")
    arrays = []
    resized = False
    for detail, value in zip(details, inputs, strict=True):
        array = np.asarray(value)
        if not np.can_cast(array.dtype, detail["dtype"], "same_kind"):
            raise ValueError(f"input {detail['name']!r}: cannot cast {array.dtype} to "
                             f"{np.dtype(detail['dtype'])}")
        array = np.ascontiguousarray(array, dtype=detail["dtype"])
        if tuple(array.shape) != tuple(detail["shape"]):
            interp.resize_tensor_input(detail["index"], list(array.shape))
            resized = True
        arrays.append(array)
    if resized:
        interp.allocate_tensors()
    for detail, array in zip(details, arrays, strict=True):
        interp.set_tensor(detail["index"], array)
    interp.invoke()
    return [np.array(interp.get_tensor(d["index"]), copy=True)
            for d in interp.get_output_details()]
