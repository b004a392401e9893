"""Helpers shared by the ONNX translators of float tensor ops (normalization, rotary
embedding, attention) in ai.onnx and com.microsoft. No translators here."""

from __future__ import annotations

import webnn_core as webnn

from ..translator import NodeView

Operand = webnn.MLOperand
FLOATS = ("float32", "float16")


def float_input(n: NodeView, i: int, what: str) -> Operand:
    """Input ``i``, which must be float32 or float16."""
    x = n.input(i)
    if x.data_type not in FLOATS:
        raise n.unsupported(f"{what} type {x.data_type} (float32/float16 only)", "dtype")
    return x


def same_type(n: NodeView, x: Operand, other: Operand, what: str) -> None:
    """``other`` must have ``x``'s data type (the schemas' shared type parameter T)."""
    if other.data_type != x.data_type:
        raise n.unsupported(f"{what} type {other.data_type} differs from the input's "
                            f"{x.data_type}", "dtype")


def f32(n: NodeView, x: Operand) -> Operand:
    """``x`` in float32 (statistics of float16 inputs are computed in float32)."""
    return x if x.data_type == "float32" else n.b.cast(x, "float32")


def cast_to(n: NodeView, x: Operand, data_type: str) -> Operand:
    """``x`` cast to ``data_type`` when it is not already of it."""
    return x if x.data_type == data_type else n.b.cast(x, data_type)


def trim_outputs(n: NodeView, results: list) -> list:
    """``results`` trimmed to the node's output count (optional outputs may be absent)."""
    return results[:len(n.node.outputs)]
