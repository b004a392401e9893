"""OpenVINO emitters: average_pool2d, l2_pool2d, max_pool2d (webnn-spec §api-mlgraphbuilder-pool2d).

The output size is fixed by the builder, so every emitter uses "floor" rounding with the
end padding recomputed to give exactly that size (this covers "ceil" rounding and explicit
``output_sizes``; positions past the input never count, see the reference kernels).

- max: ``MaxPool`` (v8+, with dilations; output 0); float32, float16, int8 and uint8 only.
  It ignores NaN (a window of NaN only gives the lowest finite value), which is the
  README's NaN rule for max_pool2d.
- average without dilations: ``opset8.avg_pool`` with ``exclude_pad`` (AvgPool-14 crashes
  the CPU plugin at compile time).
- average with dilations (or with windows holding no input element): a window sum
  (``GroupConvolution`` with a ones filter, one group per channel) divided by a constant
  holding the number of input elements in each window.
- l2: ``sqrt`` of the window sum of ``x * x`` (padding adds zeros, so it needs no count).
- a global window (the whole unpadded input, one output position) becomes ReduceMean /
  ReduceMax over the layout's spatial axes, as OpenVINO's ONNX frontend emits for
  GlobalAveragePool / GlobalMaxPool (no layout transposes either).
"""

from __future__ import annotations

import numpy as np
import openvino as ov
import openvino.opset8 as opset8
import openvino.opset16 as ops

from ...graph import Node
from ._registry import registry
from .conv import from_nchw, to_nchw


def _pads(node: Node, in_h: int, in_w: int) -> tuple[list[int], list[int]]:
    """Begin pads, and end pads making a "floor" pooling produce ``output_sizes``."""
    a = node.attrs
    pt, _, pl, _ = a["padding"]
    ends = []
    for size, begin, k, s, d, n in zip((in_h, in_w), (pt, pl), a["window_dimensions"],
                                       a["strides"], a["dilations"], a["output_sizes"],
                                       strict=True):
        ends.append(max(0, (n - 1) * s + (k - 1) * d + 1 - size - begin))
    return [pt, pl], ends


def _window_sum(node: Node, x: ov.Output) -> ov.Output:
    """Sum over each window (zero padding) as a depthwise convolution with ones."""
    a = node.attrs
    _, c, h, w = x.get_partial_shape().to_shape()
    begins, ends = _pads(node, h, w)
    ones = np.ones((c, 1, 1, *a["window_dimensions"]), x.get_element_type().to_dtype())
    return ops.group_convolution(x, ops.constant(ones), list(a["strides"]), begins, ends,
                                 list(a["dilations"])).output(0)


def _window_counts(node: Node, in_h: int, in_w: int) -> np.ndarray:
    """Number of input elements in each window, shape ``[OH, OW]``."""
    a = node.attrs
    counts = []
    for size, begin, k, s, d, n in zip((in_h, in_w), a["padding"][::2], a["window_dimensions"],
                                       a["strides"], a["dilations"], a["output_sizes"],
                                       strict=True):
        pos = np.arange(n)[:, None] * s - begin + np.arange(k)[None, :] * d
        counts.append(((pos >= 0) & (pos < size)).sum(axis=1))
    return np.outer(counts[0], counts[1])


#: OpenVINO's CPU MaxPool computes int32 data as float32 (rounding values beyond 2**24)
#: and 64-bit and uint32 data as int32, so only types it computes exactly are offered.
MAX_POOL_TYPES = ("float32", "float16", "int8", "uint8")


def _global_axes(node: Node, x: ov.Output) -> list[int] | None:
    """The spatial axes when the window covers the whole unpadded input, else None."""
    a = node.attrs
    axes = [2, 3] if a["layout"] == "nchw" else [1, 2]
    shape = x.get_partial_shape().to_shape()
    spatial = (shape[axes[0]], shape[axes[1]])
    if (tuple(a["window_dimensions"]) == spatial and tuple(a["output_sizes"]) == (1, 1)
            and not any(a["padding"]) and tuple(a["dilations"]) == (1, 1)):
        return axes
    return None


@registry.register("max_pool2d", data_types={"input": MAX_POOL_TYPES, "output": MAX_POOL_TYPES})
def max_pool2d(node: Node, x: ov.Output) -> ov.Output:
    a = node.attrs
    axes = _global_axes(node, x)
    if axes is not None:
        if x.get_element_type().is_real():
            # MaxPool ignores NaN; ReduceMax returns NaN or not depending on where it is
            lowest = ops.constant(np.array(-np.inf, x.get_element_type().to_dtype()))
            x = ops.select(ops.is_nan(x), lowest, x).output(0)
        return ops.reduce_max(x, ops.constant(np.array(axes, np.int64)), True).output(0)
    x = to_nchw(x, a["layout"])
    _, _, h, w = x.get_partial_shape().to_shape()
    begins, ends = _pads(node, h, w)
    y = ops.max_pool(x, list(a["strides"]), list(a["dilations"]), begins, ends,
                     list(a["window_dimensions"]), "floor").output(0)
    return from_nchw(y, a["layout"])


@registry.register("average_pool2d")
def average_pool2d(node: Node, x: ov.Output) -> ov.Output:
    a = node.attrs
    axes = _global_axes(node, x)
    if axes is not None:
        return ops.reduce_mean(x, ops.constant(np.array(axes, np.int64)), True).output(0)
    x = to_nchw(x, a["layout"])
    _, _, h, w = x.get_partial_shape().to_shape()
    counts = _window_counts(node, h, w)
    if a["dilations"] == (1, 1) and counts.min() > 0:
        begins, ends = _pads(node, h, w)
        y = opset8.avg_pool(x, list(a["strides"]), begins, ends, list(a["window_dimensions"]),
                            True, "floor").output(0)
    else:
        dtype = x.get_element_type().to_dtype()
        total = _window_sum(node, x)
        divisor = np.maximum(counts, 1).astype(dtype)
        y = ops.divide(total, ops.constant(divisor)).output(0)
    return from_nchw(y, a["layout"])


@registry.register("l2_pool2d")
def l2_pool2d(node: Node, x: ov.Output) -> ov.Output:
    a = node.attrs
    x = to_nchw(x, a["layout"])
    y = ops.sqrt(_window_sum(node, ops.multiply(x, x).output(0))).output(0)
    return from_nchw(y, a["layout"])
