"""com.microsoft SkipLayerNormalization and SkipSimplifiedLayerNormalization: the residual
sum ``input + skip (+ bias)`` followed by a layer or RMS normalization over the last axis,
in float32 as ONNX Runtime's kernels compute (WebNN §api-mlgraphbuilder-layernorm for the
former, reductions for the latter).
"""

from __future__ import annotations

import webnn_core as webnn

from ...translator import NodeView, translator
from .._common import cast_to, f32, float_input, same_type, trim_outputs
from ..normalization import root_mean_square
from . import DOMAIN

Operand = webnn.MLOperand


def _last_axis_vector(n: NodeView, x: Operand, i: int, what: str) -> Operand | None:
    """Optional input ``i``: a 1-D ``[hidden]`` vector of ``x``'s type."""
    if not n.has_input(i):
        return None
    v = n.input(i)
    same_type(n, x, v, what)
    if v.shape != (x.shape[-1],):
        raise n.unsupported(f"{what} shape {list(v.shape)} must be [{x.shape[-1]}]", "shape")
    return v


def _skip_sum(n: NodeView, bias_index: int) -> tuple[Operand, Operand]:
    """(``input + skip [+ bias]`` in float32, the input operand). ``skip`` broadcasts
    over the leading axes (``[B, S, H]``, ``[1, S, H]`` or ``[S, H]``)."""
    x = float_input(n, 0, "input")
    if x.rank not in (2, 3):
        raise n.unsupported(f"input of rank {x.rank} (2-D or 3-D only)", "shape")
    skip = n.input(1)
    same_type(n, x, skip, "skip")
    total = n.b.add(f32(n, x), f32(n, skip))
    if total.shape != x.shape:
        raise n.unsupported(f"skip shape {list(skip.shape)} does not broadcast to the "
                            f"input's {list(x.shape)}", "shape")
    bias = _last_axis_vector(n, x, bias_index, "bias")
    if bias is not None:
        total = n.b.add(total, f32(n, bias))
    return total, x


@translator("SkipLayerNormalization", domain=DOMAIN, since=1)
def skip_layer_normalization(n: NodeView) -> list:
    """com.microsoft SkipLayerNormalization (1): ``s = input + skip (+ bias)``, then layer
    normalization of ``s`` over the last axis with ``gamma`` and optional ``beta``
    (inputs: input, skip, gamma, beta, bias). Computed in float32 as ONNX Runtime's kernel
    does. Outputs: ``output``, ``mean`` and ``inv_std_var`` (float32, last axis kept as 1)
    and ``input_skip_bias_sum`` (``s`` in the input's type)."""
    total, x = _skip_sum(n, 4)
    gamma = _last_axis_vector(n, x, 2, "gamma")
    beta = _last_axis_vector(n, x, 3, "beta")
    epsilon = float(n.attr("epsilon", 1e-12))
    last = x.rank - 1
    y = n.b.layer_normalization(total, scale=f32(n, gamma),
                                bias=None if beta is None else f32(n, beta), axes=[last],
                                epsilon=epsilon)
    mean = inv_std = None
    if n.requested(1) or n.requested(2):
        mean = n.b.reduce_mean(total, axes=[last], keep_dimensions=True)
        centered = n.b.sub(total, mean)
        variance = n.b.reduce_mean(n.b.mul(centered, centered), axes=[last],
                                   keep_dimensions=True)
        inv_std = n.b.reciprocal(n.b.sqrt(n.b.add(variance, n.constant(epsilon, "float32"))))
    total_out = cast_to(n, total, x.data_type) if n.requested(3) else None
    return trim_outputs(n, [cast_to(n, y, x.data_type), mean if n.requested(1) else None,
                            inv_std if n.requested(2) else None, total_out])


@translator("SkipSimplifiedLayerNormalization", domain=DOMAIN, since=1)
def skip_simplified_layer_normalization(n: NodeView) -> list:
    """com.microsoft SkipSimplifiedLayerNormalization (1): ``s = input + skip (+ bias)``,
    then ``s / sqrt(mean(s^2) + epsilon) * gamma`` over the last axis (inputs: input, skip,
    gamma, bias), in float32 as ONNX Runtime's kernel. Outputs ``inv_std_var`` (index 2)
    and ``input_skip_bias_sum`` (index 3) are supported; ``mean`` (index 1) is refused: an
    RMS normalization has no mean, and the schema does not define its value."""
    if n.requested(1):
        raise n.unsupported("the mean output (index 1) is not defined for an RMS "
                            "normalization")
    total, x = _skip_sum(n, 3)
    gamma = _last_axis_vector(n, x, 2, "gamma")
    rms = root_mean_square(n, total, [x.rank - 1], float(n.attr("epsilon", 1e-12)))
    y = n.b.mul(n.b.div(total, rms), f32(n, gamma))
    inv_std = n.b.reciprocal(rms) if n.requested(2) else None
    total_out = cast_to(n, total, x.data_type) if n.requested(3) else None
    return trim_outputs(n, [cast_to(n, y, x.data_type), None, inv_std, total_out])
