"""OpenVINO emitters: conv2d and conv_transpose2d (webnn-spec §api-mlgraphbuilder-conv2d,
§api-mlgraphbuilder-convtranspose2d).

The emitted subgraph is what OpenVINO's own ONNX frontend produces for Conv/ConvTranspose:
``Convolution``/``GroupConvolution`` (or the ``...BackpropData`` variants) on NCHW data with
OIHW (IOHW) weights, and the bias as an ``Add`` of a ``[1, C, 1, 1]`` constant. Constant
filters and biases in other layouts are rearranged in numpy at build time, so the model
holds plain constants; only non-constant filters get a runtime ``Transpose``/``Reshape``.
An "nhwc" input is wrapped in Transposes, which the CPU plugin fuses into its layout choice.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import openvino as ov
import openvino.opset16 as ops
from openvino.op import Constant

from ...graph import Node
from ._registry import registry

_TO_OIHW = {"oihw": (0, 1, 2, 3), "hwio": (3, 2, 0, 1), "ohwi": (0, 3, 1, 2),
            "ihwo": (3, 0, 1, 2)}
_TO_IOHW = {"iohw": (0, 1, 2, 3), "hwoi": (3, 2, 0, 1), "ohwi": (3, 0, 1, 2)}
NHWC_TO_NCHW = (0, 3, 1, 2)
NCHW_TO_NHWC = (0, 2, 3, 1)


# Constants are made with the bare ``Constant`` class: opset's ``constant()`` inspects its
# signature on every call, which a model of a few hundred convolutions pays per node.


def constant_value(value: ov.Output) -> np.ndarray | None:
    """The data of ``value`` when it is the output of a Constant node, else None."""
    node = value.get_node()
    if node.get_type_name() != "Constant":
        return None
    return np.asarray(node.get_data())


def transpose(value: ov.Output, perm: Sequence[int]) -> ov.Output:
    """``value`` transposed by ``perm``; folded in numpy for constants."""
    if tuple(perm) == tuple(range(len(perm))):
        return value
    data = constant_value(value)
    if data is not None:
        return Constant(np.ascontiguousarray(data.transpose(perm))).output(0)
    return ops.transpose(value, Constant(np.array(perm, np.int64))).output(0)


def reshape(value: ov.Output, shape: Sequence[int]) -> ov.Output:
    """``value`` reshaped to the static ``shape``; folded in numpy for constants."""
    data = constant_value(value)
    if data is not None:
        return Constant(np.ascontiguousarray(data.reshape(shape))).output(0)
    return ops.reshape(value, Constant(np.array(shape, np.int64)), False).output(0)


def to_nchw(value: ov.Output, layout: str) -> ov.Output:
    return value if layout == "nchw" else transpose(value, NHWC_TO_NCHW)


def from_nchw(value: ov.Output, layout: str) -> ov.Output:
    return value if layout == "nchw" else transpose(value, NCHW_TO_NHWC)


def add_bias(y: ov.Output, bias: ov.Output | None) -> ov.Output:
    if bias is None:
        return y
    channels = bias.get_partial_shape().to_shape()[0]
    return ops.add(y, reshape(bias, (1, channels, 1, 1))).output(0)


@registry.register("conv2d")
def conv2d(node: Node, x: ov.Output, w: ov.Output, bias: ov.Output | None) -> ov.Output:
    a = node.attrs
    pt, pb, pl, pr = a["padding"]
    g = a["groups"]
    x = to_nchw(x, a["input_layout"])
    w = transpose(w, _TO_OIHW[a["filter_layout"]])
    args = dict(strides=list(a["strides"]), pads_begin=[pt, pl], pads_end=[pb, pr],
                dilations=list(a["dilations"]))
    if g == 1:
        y = ops.convolution(x, w, **args).output(0)
    else:
        o, cg, kh, kw = w.get_partial_shape().to_shape()
        w = reshape(w, (g, o // g, cg, kh, kw))
        y = ops.group_convolution(x, w, **args).output(0)
    return from_nchw(add_bias(y, bias), a["input_layout"])


@registry.register("conv_transpose2d")
def conv_transpose2d(node: Node, x: ov.Output, w: ov.Output,
                     bias: ov.Output | None) -> ov.Output:
    a = node.attrs
    pt, pb, pl, pr = a["padding"]
    g = a["groups"]
    x = to_nchw(x, a["input_layout"])
    w = transpose(w, _TO_IOHW[a["filter_layout"]])
    args = dict(strides=list(a["strides"]), pads_begin=[pt, pl], pads_end=[pb, pr],
                dilations=list(a["dilations"]), output_padding=list(a["output_padding"]))
    if g == 1:
        y = ops.convolution_backprop_data(x, w, **args).output(0)
    else:
        c, og, kh, kw = w.get_partial_shape().to_shape()
        w = reshape(w, (g, c // g, og, kh, kw))
        y = ops.group_convolution_backprop_data(x, w, **args).output(0)
    return from_nchw(add_bias(y, bias), a["input_layout"])
