"""ONNX normalizations: BatchNormalization, InstanceNormalization, LayerNormalization map
to the WebNN operators of the same name; GroupNormalization, LRN,
MeanVarianceNormalization, LpNormalization, RMSNormalization (23) and ONNX Runtime's
SimplifiedLayerNormalization (a contrib op of the default domain) are decomposed (reshape +
layer_normalization, pad + pooling, reductions) exactly as their ONNX definitions read;
statistics of float16 inputs are computed in float32 (``stash_type`` 1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import webnn_core as webnn

from ..translator import NodeView, translator
from ._common import cast_to, f32, float_input, same_type, trim_outputs
from .shape import norm_axis

Operand = webnn.MLOperand


def _refuse_extra_outputs(n: NodeView, what: str) -> None:
    if any(name for name in n.node.outputs[1:]):
        raise n.unsupported(f"the optional {what} outputs are not supported")


def _broadcast_to(n: NodeView, operand, shape: Sequence[int], what: str):
    """``operand`` unidirectionally broadcast to exactly ``shape`` (reshape + expand)."""
    shape = tuple(shape)
    if operand.shape == shape:
        return operand
    dims = list(operand.shape)
    while len(dims) > len(shape) and dims[0] == 1:
        dims.pop(0)
    if len(dims) > len(shape):
        raise n.unsupported(f"{what} shape {list(operand.shape)} does not broadcast to the "
                            f"normalized shape {list(shape)}", "shape")
    dims = [1] * (len(shape) - len(dims)) + dims
    if dims != list(operand.shape):
        operand = n.b.reshape(operand, dims)
    return n.b.expand(operand, list(shape)) if tuple(dims) != shape else operand


@translator("BatchNormalization", since=7)
def batch_normalization(n: NodeView) -> list:
    """ONNX BatchNormalization, inference only (7: ``spatial``; 9 drops it; 14 adds
    ``training_mode``; 15 lets scale/mean types differ from X, which WebNN refuses):
    ``Y = (X - mean) / sqrt(var + epsilon) * scale + B`` along axis 1."""
    if int(n.attr("spatial", 1)) != 1:
        raise n.unsupported("spatial=0 (per-activation statistics) is not supported")
    if int(n.attr("training_mode", 0)) != 0:
        raise n.unsupported("training_mode=1 is not supported (inference only)")
    _refuse_extra_outputs(n, "running/saved mean and variance (training)")
    x = n.input(0)
    return [n.b.batch_normalization(x, n.input(3), n.input(4), scale=n.input(1),
                                    bias=n.input(2), axis=1,
                                    epsilon=float(n.attr("epsilon", 1e-5)))]


@translator("InstanceNormalization", since=6)
def instance_normalization(n: NodeView) -> list:
    """ONNX InstanceNormalization (6; 22 adds bfloat16): per sample and channel over all
    spatial axes. Inputs of rank 3 or above 4 are viewed as ``[N, C, S, 1]`` (S = the
    product of the spatial sizes), which normalizes over the same elements."""
    x = n.input(0)
    if x.rank < 3:
        raise n.unsupported(f"input of rank {x.rank}: needs N, C and spatial axes", "shape")
    x4 = x if x.rank == 4 else n.b.reshape(x, [x.shape[0], x.shape[1],
                                               math.prod(x.shape[2:]), 1])
    y = n.b.instance_normalization(x4, scale=n.input(1), bias=n.input(2),
                                   epsilon=float(n.attr("epsilon", 1e-5)), layout="nchw")
    return [y if x.rank == 4 else n.b.reshape(y, list(x.shape))]


@translator("LayerNormalization", since=17)
def layer_normalization(n: NodeView) -> list:
    """ONNX LayerNormalization (17): normalize over the axes ``[axis, rank)``; Scale and B
    broadcast to those axes' shape. ``stash_type`` must be 1 (float32 statistics); the
    optional Mean and InvStdDev outputs are refused."""
    _refuse_extra_outputs(n, "Mean/InvStdDev")
    if int(n.attr("stash_type", 1)) != 1:
        raise n.unsupported(f"stash_type={n.attr('stash_type')} (only float32 statistics, 1)")
    x = n.input(0)
    axis = int(n.attr("axis", -1))
    if not -x.rank <= axis < x.rank:
        raise n.unsupported(f"axis {axis} is out of range for rank {x.rank}")
    axis %= x.rank
    axes = list(range(axis, x.rank))
    normalized = x.shape[axis:]
    scale = _broadcast_to(n, n.input(1), normalized, "Scale")
    bias = _broadcast_to(n, n.input(2), normalized, "B") if n.has_input(2) else None
    return [n.b.layer_normalization(x, scale=scale, bias=bias, axes=axes,
                                    epsilon=float(n.attr("epsilon", 1e-5)))]


@translator("GroupNormalization", since=18)
def group_normalization(n: NodeView) -> list:
    """ONNX GroupNormalization: the channels split into ``num_groups`` groups, each
    normalized over its channels and all spatial positions; then the affine transform.
    Opset 18 has one scale/bias per *group*, opset 21 one per *channel* (and adds
    ``stash_type``, which must be 1). Emitted as a layer_normalization over the last axis
    of ``[N, G, C/G * S]``."""
    if int(n.attr("stash_type", 1)) != 1:
        raise n.unsupported(f"stash_type={n.attr('stash_type')} (only float32 statistics, 1)")
    x = n.input(0)
    groups = int(n.attr("num_groups"))
    if x.rank < 2:
        raise n.unsupported(f"input of rank {x.rank}: needs N and C axes", "shape")
    batch, channels = x.shape[:2]
    if groups <= 0 or channels % groups:
        raise n.unsupported(f"{channels} channels do not split into {groups} groups", "shape")
    spatial = math.prod(x.shape[2:])
    grouped = n.b.reshape(x, [batch, groups, channels // groups * spatial])
    y = n.b.layer_normalization(grouped, axes=[2], epsilon=float(n.attr("epsilon", 1e-5)))
    per_group = n.version < 21
    scale_shape = [groups, 1] if per_group else [channels, 1]
    if not per_group:
        y = n.b.reshape(y, [batch, channels, spatial])
    y = n.b.add(n.b.mul(y, n.b.reshape(n.input(1), scale_shape)),
                n.b.reshape(n.input(2), scale_shape))
    return [n.b.reshape(y, list(x.shape))]


@translator("LRN", since=1)
def lrn(n: NodeView) -> list:
    """ONNX LRN (1, 13: types only): ``Y = X / (bias + alpha / size * square_sum) ^ beta``
    where ``square_sum`` adds the squares of the channels ``[c - floor((size-1)/2),
    c + ceil((size-1)/2)]`` present. The channel window is an average pool over
    ``[N, C, 1, S]`` read as NHWC (so the pool runs over C with the S positions as its
    channels, which pooling kernels vectorise) after explicit zero padding (so ``alpha *
    average`` is exactly ``alpha / size * square_sum``); ``Y = X * base ^ -beta`` as ORT's
    kernel computes it."""
    x = n.input(0)
    size = int(n.attr("size"))
    if x.rank < 2:
        raise n.unsupported(f"input of rank {x.rank}: needs N and C axes", "shape")
    batch, channels = x.shape[:2]
    spatial = math.prod(x.shape[2:])
    dt = x.data_type
    squares = n.b.reshape(n.b.mul(x, x), [batch, channels, 1, spatial])
    lo, hi = (size - 1) // 2, size - 1 - (size - 1) // 2
    padded = n.b.pad(squares, [0, lo, 0, 0], [0, hi, 0, 0], value=0)
    mean = n.b.average_pool2d(padded, window_dimensions=[size, 1], layout="nhwc")
    mean = n.b.reshape(mean, list(x.shape))
    base = n.b.add(n.constant(float(n.attr("bias", 1.0)), dt),
                   n.b.mul(n.constant(float(n.attr("alpha", 1e-4)), dt), mean))
    return [n.b.mul(x, n.b.pow(base, n.constant(-float(n.attr("beta", 0.75)), dt)))]


@translator("MeanVarianceNormalization", since=9)
def mean_variance_normalization(n: NodeView) -> list:
    """ONNX MeanVarianceNormalization (9, 13: types only), whose function body is
    ``(X - E[X]) / (sqrt(E[X^2] - E[X]^2) + 1e-9)`` over ``axes`` (default [0, 2, 3]).
    The variance is computed as ``E[(X - E[X])^2]``, the same value without the
    cancellation of the two-moment form."""
    x = n.input(0)
    axes = sorted({int(a) % x.rank if -x.rank <= int(a) < x.rank else -1
                   for a in n.attr("axes", [0, 2, 3])})
    if -1 in axes:
        raise n.unsupported(f"axes {n.attr('axes')} are out of range for rank {x.rank}")
    mean = n.b.reduce_mean(x, axes=axes, keep_dimensions=True)
    centered = n.b.sub(x, mean)
    variance = n.b.reduce_mean(n.b.mul(centered, centered), axes=axes, keep_dimensions=True)
    std = n.b.add(n.b.sqrt(variance), n.constant(1e-9, x.data_type))
    return [n.b.div(centered, std)]


# -- LpNormalization ----------------------------------------------------------------------
@translator("LpNormalization", since=1)
def lp_normalization(n: NodeView) -> list:
    """ONNX LpNormalization (1; 22 adds bfloat16): ``X / ||X||_p`` along ``axis`` (default
    -1) for ``p`` 1 or 2. A slice whose norm is 0 (all zeros) gives zeros, as ONNX
    Runtime's kernel does (the reference's 0/0 is NaN)."""
    x = n.input(0)
    p = int(n.attr("p", 2))
    if p not in (1, 2):
        raise n.unsupported(f"p={p} (1 or 2 only)")
    axis = norm_axis(n, n.attr("axis", -1), x.rank)
    reduce = n.b.reduce_l1 if p == 1 else n.b.reduce_l2
    norm = reduce(x, axes=[axis], keep_dimensions=True)
    zero = n.constant(0, x.data_type)
    return [n.b.where(n.b.equal(norm, zero), zero, n.b.div(x, norm))]


# -- RMSNormalization / SimplifiedLayerNormalization -------------------------------------
def root_mean_square(n: NodeView, x32: Operand, axes: list[int], epsilon: float) -> Operand:
    """``sqrt(mean(x^2) + epsilon)`` over ``axes`` (kept), in float32."""
    mean_square = n.b.reduce_mean(n.b.mul(x32, x32), axes=axes, keep_dimensions=True)
    return n.b.sqrt(n.b.add(mean_square, n.constant(epsilon, "float32")))


def _check_stash_type(n: NodeView) -> None:
    if int(n.attr("stash_type", 1)) != 1:
        raise n.unsupported(f"stash_type={n.attr('stash_type')} (only float32 statistics, 1)")


@translator("RMSNormalization", since=23)
def rms_normalization(n: NodeView) -> list:
    """ONNX RMSNormalization (23), by its function body: ``X`` cast to float32
    (``stash_type`` 1), ``Normalized = X / sqrt(ReduceMean(X * X, axes) + epsilon)`` over
    ``axes = [axis, rank)``, cast back to X's type, then ``Y = Normalized * scale``
    (``scale`` unidirectionally broadcast to X)."""
    _check_stash_type(n)
    x = float_input(n, 0, "X")
    scale = n.input(1)
    same_type(n, x, scale, "scale")
    axis = norm_axis(n, n.attr("axis", -1), x.rank)
    x32 = f32(n, x)
    rms = root_mean_square(n, x32, list(range(axis, x.rank)), float(n.attr("epsilon", 1e-5)))
    y = n.b.mul(cast_to(n, n.b.div(x32, rms), x.data_type), scale)
    if y.shape != x.shape:
        raise n.unsupported(f"scale shape {list(scale.shape)} does not broadcast to X's "
                            f"{list(x.shape)}", "shape")
    return [y]


@translator("SimplifiedLayerNormalization", since=1)
def simplified_layer_normalization(n: NodeView) -> list:
    """ONNX Runtime's SimplifiedLayerNormalization (default domain, version 1): RMS
    normalization over ``[axis, rank)``, ``Y = X / sqrt(mean(X^2) + epsilon) * scale``,
    computed in float32 and rounded once to X's type, as ONNX Runtime's kernel does. The
    optional ``inv_std_var`` output (float32, the reduced axes kept as 1) is
    ``1 / sqrt(mean(X^2) + epsilon)``."""
    _check_stash_type(n)
    x = float_input(n, 0, "X")
    scale = n.input(1)
    same_type(n, x, scale, "scale")
    axis = norm_axis(n, n.attr("axis", -1), x.rank)
    x32 = f32(n, x)
    rms = root_mean_square(n, x32, list(range(axis, x.rank)), float(n.attr("epsilon", 1e-5)))
    y = n.b.mul(n.b.div(x32, rms), f32(n, scale))
    if y.shape != x.shape:
        raise n.unsupported(f"scale shape {list(scale.shape)} does not broadcast to X's "
                            f"{list(x.shape)}", "shape")
    inv_std = n.b.reciprocal(rms) if n.requested(1) else None
    return trim_outputs(n, [cast_to(n, y, x.data_type), inv_std])
