"""ONNX reductions: ReduceSum/Mean/Max/Min/Prod/L1/L2/LogSum/LogSumExp/SumSquare.

``axes`` is an attribute before opset 13 (ReduceSum) or 18 (the others) and an optional
constant input since; the input-era ops also have ``noop_with_empty_axes`` (absent axes
then mean "no reduction" rather than "all axes"). ``keepdims`` defaults to 1. Each maps
to the WebNN reduction of the same name; WebNN's op_support_limits decide the data types
(e.g. OpenVINO does not sum int64).
"""

from __future__ import annotations

from ..translator import NodeView, translator
from .shape import axes_attr_or_input, norm_axes

_REDUCE = {"ReduceSum": "reduce_sum", "ReduceMean": "reduce_mean", "ReduceMax": "reduce_max",
           "ReduceMin": "reduce_min", "ReduceProd": "reduce_product", "ReduceL1": "reduce_l1",
           "ReduceL2": "reduce_l2", "ReduceLogSum": "reduce_log_sum",
           "ReduceLogSumExp": "reduce_log_sum_exp", "ReduceSumSquare": "reduce_sum_square"}


@translator(*_REDUCE)
def reduce(n: NodeView) -> list:
    x = n.input(0)
    axes_input_since = 13 if n.node.op_type == "ReduceSum" else 18
    axes = axes_attr_or_input(n, axes_input_since)
    if not axes:
        if n.version >= axes_input_since and n.attr("noop_with_empty_axes", 0):
            return [n.b.identity(x)]
        axes = None
    else:
        axes = norm_axes(n, axes, len(x.shape))
    method = getattr(n.b, _REDUCE[n.node.op_type])
    return [method(x, axes=axes, keep_dimensions=bool(n.attr("keepdims", 1)))]
