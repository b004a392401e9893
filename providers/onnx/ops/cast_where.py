"""ONNX Cast, CastLike, Where and (inference-mode) Dropout.

ONNX bool travels as WebNN uint8 holding 0/1: a cast *from* bool is a cast from uint8, a
cast *to* bool is ``x != 0`` (which is what C++'s ``static_cast<bool>`` gives, NaN
included).
"""

from __future__ import annotations

import onnx

import webnn_core as webnn

from ..model import ONNX_TO_WEBNN
from ..translator import NodeView, translator

Outputs = list["webnn.MLOperand | None"]


def _cast_to(n: NodeView, x: webnn.MLOperand, source_is_bool: bool,
             onnx_type: int) -> webnn.MLOperand:
    """``x`` converted to ONNX element type ``onnx_type``."""
    if onnx_type == onnx.TensorProto.BOOL:
        if source_is_bool:
            return n.b.identity(x)
        return n.b.not_equal(x, n.constant(0, x.data_type))
    target = ONNX_TO_WEBNN.get(onnx_type)
    if target is None:
        name = onnx.TensorProto.DataType.Name(onnx_type) if onnx_type in \
            onnx.TensorProto.DataType.values() else str(onnx_type)
        raise n.unsupported(f"target type {name} has no WebNN data type", "dtype")
    if target == x.data_type:
        return n.b.identity(x)
    return n.b.cast(x, target)


@translator("Cast")
def cast(n: NodeView) -> Outputs:
    """Cast-1/6/9/13/19/21/23: convert to the ``to`` element type (Cast-1 names it as a
    string). Targets without a WebNN data type (double, string, int16, bfloat16, float8,
    int4 ...) are refused; ``saturate`` (19) and ``round_mode`` only concern float8
    targets, which are refused anyway. Float -> integer truncates toward zero; out of
    range values are undefined in ONNX as in WebNN."""
    to = n.attr("to")
    if to is None:
        raise n.unsupported("missing 'to' attribute")
    if isinstance(to, str):
        try:
            to = onnx.TensorProto.DataType.Value(to.upper())
        except ValueError:
            raise n.unsupported(f"unknown target type {to!r}", "dtype") from None
    return [_cast_to(n, n.input(0), n.is_bool(0), int(to))]


@translator("CastLike", since=15)
def cast_like(n: NodeView) -> Outputs:
    """CastLike-15/19/21/23: Cast to the element type of ``target_type`` (input 1, only its
    type is used)."""
    return [_cast_to(n, n.input(0), n.is_bool(0), n.value(1).onnx_type)]


@translator("Where", since=9)
def where(n: NodeView) -> Outputs:
    """Where-9/16: ``X`` where ``condition`` else ``Y``, the three broadcast
    multidirectionally (WebNN's bidirectional broadcasting). The bool condition is uint8
    0/1, as WebNN where expects."""
    return [n.b.where(n.input(0), n.input(1), n.input(2))]


@translator("Dropout", since=7)
def dropout(n: NodeView) -> Outputs:
    """Dropout-7/10/12/13/22 in inference mode: the output is the input.

    The optional mask follows ONNX Runtime's CPU kernels: Dropout-12+ returns an all-true
    mask (as the ONNX reference does); Dropout-7..11, whose spec leaves the inference-mode
    mask unspecified, return all zeros (mask type T for 7-9, bool for 10-11).
    Dropout-12+ with a ``training_mode`` input that is not the constant false is refused
    (random dropping cannot be expressed); Dropout-1/6 (``is_test`` defaults to training)
    is not supported.
    """
    x = n.input(0)
    if n.version >= 12 and n.has_input(2):
        training = n.const(2)
        if training is None:
            raise n.unsupported("training_mode must be a constant", "dynamic shape")
        if bool(training.reshape(-1)[0]):
            raise n.unsupported("training_mode=true (random dropout) is not supported")
    outputs: Outputs = [n.b.identity(x)]
    if len(n.node.outputs) > 1 and n.node.outputs[1]:
        if n.version >= 12:
            fill, dtype = 1, "uint8"
        else:
            fill, dtype = 0, ("uint8" if n.version >= 10 else x.data_type)
        outputs.append(n.b.expand(n.constant(fill, dtype), list(x.shape)))
    return outputs
