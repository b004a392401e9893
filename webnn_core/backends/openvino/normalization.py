"""OpenVINO emitters: batch_normalization, instance_normalization, layer_normalization
(webnn-spec §api-mlgraphbuilder-batchnorm, -instancenorm, -layernorm).

- batch_normalization: ``BatchNormInference`` when the feature axis is 1 (an absent scale or
  bias becomes a constant of ones or zeros), otherwise the spec's arithmetic
  ``(x - mean) / sqrt(variance + epsilon) * scale + bias`` with the 1-D operands reshaped to
  broadcast along the axis. Either way OpenVINO folds it into ``x * a + b`` (and into a
  preceding convolution), which is within WPT's 6 ULP except where the result is a
  near-cancellation of much larger terms (|x - mean| tiny or bias ~ -scale * normalized x):
  there the error relative to the small result grows (seen: ~170-340 ULP) as it would for
  any float32 scale-shift.
- instance/layer normalization: ``MVN`` (``eps_mode="inside_sqrt"``, i.e. the spec's
  ``(x - mean) / sqrt(variance + epsilon)``) followed by ``* scale + bias``.
"""

from __future__ import annotations

import numpy as np
import openvino as ov
import openvino.opset16 as ops

from ...graph import Node
from ._registry import registry


def _const(value: float | np.ndarray, like: ov.Output) -> ov.Output:
    """A constant with the element type of ``like``."""
    return ops.constant(np.asarray(value, dtype=like.get_element_type().to_dtype())).output(0)


def _reshape(x: ov.Output, shape: list[int]) -> ov.Output:
    return ops.reshape(x, ops.constant(np.array(shape, np.int64)), False).output(0)


def _along(vector: ov.Output, axis: int, rank: int) -> ov.Output:
    """A 1-D per-feature operand shaped to broadcast along ``axis``."""
    shape = [1] * rank
    shape[axis] = -1
    return _reshape(vector, shape)


def _scale_shift(x: ov.Output, scale: ov.Output | None, bias: ov.Output | None) -> ov.Output:
    if scale is not None:
        x = ops.multiply(x, scale).output(0)
    if bias is not None:
        x = ops.add(x, bias).output(0)
    return x


@registry.register("batch_normalization")
def batch_normalization(node: Node, x: ov.Output, mean: ov.Output, variance: ov.Output,
                        scale: ov.Output | None, bias: ov.Output | None) -> ov.Output:
    axis, eps = node.attrs["axis"], node.attrs["epsilon"]
    rank = len(node.output.shape)
    if axis == 1 and rank >= 2:
        size = node.output.shape[1]
        gamma = scale if scale is not None else _const(np.ones(size), x)
        beta = bias if bias is not None else _const(np.zeros(size), x)
        return ops.batch_norm_inference(x, gamma, beta, mean, variance, eps).output(0)
    centered = ops.subtract(x, _along(mean, axis, rank))
    std = ops.sqrt(ops.add(_along(variance, axis, rank), _const(eps, x)))
    out = ops.divide(centered, std).output(0)
    return _scale_shift(out, None if scale is None else _along(scale, axis, rank),
                        None if bias is None else _along(bias, axis, rank))


def _mvn(x: ov.Output, axes: list[int], eps: float) -> ov.Output:
    return ops.mvn(x, ops.constant(np.array(axes, np.int64)), True, eps,
                   "inside_sqrt").output(0)


@registry.register("instance_normalization")
def instance_normalization(node: Node, x: ov.Output, scale: ov.Output | None,
                           bias: ov.Output | None) -> ov.Output:
    nchw = node.attrs["layout"] == "nchw"
    spatial, channel = ([2, 3], 1) if nchw else ([1, 2], 3)
    out = _mvn(x, spatial, node.attrs["epsilon"])
    return _scale_shift(out, None if scale is None else _along(scale, channel, 4),
                        None if bias is None else _along(bias, channel, 4))


def _over_axes(param: ov.Output | None, axes: tuple[int, ...],
               shape: tuple[int, ...]) -> ov.Output | None:
    """A scale/bias whose dimension i is the input's dimension ``axes[i]``, transposed to
    increasing axis order and reshaped to broadcast against an input of ``shape``."""
    if param is None:
        return None
    order = sorted(range(len(axes)), key=lambda i: axes[i])
    if order != list(range(len(axes))):
        param = ops.transpose(param, ops.constant(np.array(order, np.int64))).output(0)
    target = [shape[i] if i in axes else 1 for i in range(len(shape))]
    return _reshape(param, target)


@registry.register("layer_normalization")
def layer_normalization(node: Node, x: ov.Output, scale: ov.Output | None,
                        bias: ov.Output | None) -> ov.Output:
    axes = node.attrs["axes"]
    if not axes:
        # nothing is reduced: the mean is x itself and the variance 0
        out = ops.divide(ops.subtract(x, x), ops.sqrt(_const(node.attrs["epsilon"], x)))
        out = out.output(0)
    else:
        out = _mvn(x, sorted(axes), node.attrs["epsilon"])
    shape = node.output.shape
    return _scale_shift(out, _over_axes(scale, axes, shape), _over_axes(bias, axes, shape))
