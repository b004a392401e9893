"""Reading the interpreter's graph from a ``TfLiteContext`` into a :class:`ModelInfo`."""

from __future__ import annotations

import ctypes
from ctypes import byref, c_void_p

import numpy as np

from . import _abi
from ._builtin_codes import BUILTIN_NAMES
from .model import ModelInfo, OpInfo, Quantization, TensorInfo
from .translator import propagate

#: BuiltinOperator.CUSTOM
CUSTOM_CODE = 32


def _check(status: int, what: str) -> None:
    if status != _abi.OK:
        raise RuntimeError(f"TfLiteContext.{what} failed (status {status})")


def execution_plan(context: _abi.TfLiteContext, address: int) -> list[int]:
    plan = c_void_p()
    _check(context.GetExecutionPlan(address, byref(plan)), "GetExecutionPlan")
    return _abi.int_array(plan.value)


def read_op(context: _abi.TfLiteContext, address: int, index: int) -> OpInfo:
    """Node ``index`` with its registration."""
    node_p, reg_p = c_void_p(), c_void_p()
    _check(context.GetNodeAndRegistration(address, index, byref(node_p), byref(reg_p)),
           "GetNodeAndRegistration")
    node = _abi.TfLiteNode.from_address(node_p.value)
    reg = _abi.TfLiteRegistration.from_address(reg_p.value)
    code = reg.builtin_code
    custom = ""
    if code == CUSTOM_CODE:
        op = "CUSTOM"
        custom = (reg.custom_name or b"").decode(errors="replace")
    else:
        op = BUILTIN_NAMES.get(code, f"BUILTIN_{code}")
    return OpInfo(index=index, op=op, version=reg.version,
                  inputs=tuple(_abi.int_array(node.inputs)),
                  outputs=tuple(_abi.int_array(node.outputs)),
                  builtin_data=node.builtin_data or 0, custom_name=custom)


def read_tensor(context: _abi.TfLiteContext, index: int) -> TensorInfo:
    """Tensor ``index``: its current dims, quantization and, for model constants
    (read-only allocations with data), a read-only numpy view of the interpreter's data."""
    t = _abi.tensor_at(context, index)
    shape = tuple(_abi.int_array(t.dims))
    name = (t.name or b"").decode(errors="replace")
    info = TensorInfo(index=index, name=name, type=t.type, shape=shape,
                      quantization=_quantization(t), is_variable=bool(t.is_variable),
                      is_dynamic=t.allocation_type == _abi.DYNAMIC)
    dtype = info.numpy_dtype
    if t.allocation_type in _abi.CONSTANT_ALLOCATIONS and t.data and dtype is not None:
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if count * dtype.itemsize <= t.bytes:
            raw = (ctypes.c_uint8 * (count * dtype.itemsize)).from_address(t.data)
            array = np.frombuffer(raw, dtype=dtype, count=count).reshape(shape)
            array.flags.writeable = False
            info.constant = array
    return info


def _quantization(t: _abi.TfLiteTensor) -> Quantization | None:
    q = t.quantization
    if q.type != _abi.AFFINE_QUANTIZATION or not q.params:
        if t.params.scale != 0.0:
            return Quantization(np.array([t.params.scale], np.float32),
                                np.array([t.params.zero_point], np.int64))
        return None
    affine = _abi.TfLiteAffineQuantization.from_address(q.params)
    scale = np.array(_abi.float_array(affine.scale), np.float32)
    zero_point = np.array(_abi.int_array(affine.zero_point), np.int64)
    if scale.size == 0:
        return None
    if zero_point.size == 0:
        zero_point = np.zeros(1, np.int64)
    return Quantization(scale, zero_point, int(affine.quantized_dimension))


def read_signature(context: _abi.TfLiteContext, index: int) -> tuple[int, ...] | None:
    """Tensor ``index``'s ``dims_signature`` (-1 marks a dimension the model leaves unknown;
    TFLite then stores 1 in ``dims`` until a kernel's Prepare computes it), or None."""
    t = _abi.tensor_at(context, index)
    return tuple(_abi.int_array(t.dims_signature)) if t.dims_signature else None


def read_model(address: int) -> tuple[_abi.TfLiteContext, ModelInfo]:
    """The nodes of the execution plan and every tensor they use; shape computations are
    folded and the placeholder dims of their results settled (:func:`.translator.propagate`).
    """
    context = _abi.TfLiteContext.from_address(address)
    ops = [read_op(context, address, i) for i in execution_plan(context, address)]
    tensors: dict[int, TensorInfo] = {}
    for op in ops:
        for t in (*op.inputs, *op.outputs):
            if t >= 0 and t not in tensors:
                tensors[t] = read_tensor(context, t)
    # a tensor some node writes is not a model constant, whatever its allocation
    for op in ops:
        for t in op.outputs:
            if t >= 0:
                tensors[t].constant = None
    model = ModelInfo(ops, tensors)
    propagate(model, {t: read_signature(context, t) for t in tensors})
    return context, model
