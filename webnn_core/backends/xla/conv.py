"""XLA lowerings: conv2d and conv_transpose2d (webnn-spec §api-mlgraphbuilder-conv2d,
§api-mlgraphbuilder-convtranspose2d).

Both become one ``lax.conv_general_dilated`` with the input and filter layouts given as
dimension numbers (no transposes), at the context's dot precision (HIGHEST by default:
exact float32, no TF32). conv_transpose2d is the equivalent direct convolution: the input
dilated by the strides, padded by ``dilation * (kernel - 1)``, with the spatially flipped,
group-transposed filter; the full result is then cropped by the beginning padding and sized
to ``outputSizes`` as the reference kernel does.
"""

from __future__ import annotations

import jax.numpy as jnp
from jax import lax

from ...graph import Node
from ._registry import dot_operands, dot_settings, registry

_LHS = {"nchw": "NCHW", "nhwc": "NHWC"}
#: conv_transpose2d filter layout -> permutation to IOHW
_TO_IOHW = {"iohw": (0, 1, 2, 3), "hwoi": (3, 2, 0, 1), "ohwi": (3, 0, 1, 2)}


def _conv(x: jnp.ndarray, w: jnp.ndarray, spec: tuple[str, str, str], **kwargs: object
          ) -> jnp.ndarray:
    x, w = dot_operands(x, w)
    return lax.conv_general_dilated(x, w, dimension_numbers=spec,
                                    precision=dot_settings().precision,
                                    preferred_element_type=jnp.float32, **kwargs)


def _add_bias(y: jnp.ndarray, bias: jnp.ndarray | None, layout: str) -> jnp.ndarray:
    if bias is None:
        return y
    return y + (bias.reshape(1, -1, 1, 1) if layout == "nchw" else bias.reshape(1, 1, 1, -1))


@registry.register("conv2d")
def conv2d(node: Node, x: jnp.ndarray, w: jnp.ndarray, bias: jnp.ndarray | None
           ) -> jnp.ndarray:
    """§conv2d: any input/filter layout, groups, dilations, explicit padding."""
    a = node.attrs
    layout = a["input_layout"]
    pt, pb, pl, pr = a["padding"]
    spec = (_LHS[layout], a["filter_layout"].upper(), _LHS[layout])
    y = _conv(x, w, spec, window_strides=tuple(a["strides"]),
              padding=((pt, pb), (pl, pr)), rhs_dilation=tuple(a["dilations"]),
              feature_group_count=a["groups"])
    return _add_bias(y, bias, layout)


def _direct_filter(w: jnp.ndarray, layout: str, groups: int) -> jnp.ndarray:
    """The conv_transpose2d filter as the equivalent convolution's OIHW filter: per group
    swap input and output channels, and flip both spatial axes."""
    w = jnp.transpose(w, _TO_IOHW[layout])  # [C, O/g, kh, kw]
    c, og, kh, kw = w.shape
    w = w.reshape(groups, c // groups, og, kh, kw).transpose(0, 2, 1, 3, 4)
    return w.reshape(groups * og, c // groups, kh, kw)[:, :, ::-1, ::-1]


@registry.register("conv_transpose2d")
def conv_transpose2d(node: Node, x: jnp.ndarray, w: jnp.ndarray,
                     bias: jnp.ndarray | None) -> jnp.ndarray:
    """§convTranspose2d as a dilated-input convolution, cropped to ``outputSizes``."""
    a = node.attrs
    layout = a["input_layout"]
    g = a["groups"]
    pt, _, pl, _ = a["padding"]
    (sh, sw), (dh, dw) = a["strides"], a["dilations"]
    out_h, out_w = a["output_sizes"]
    wf = _direct_filter(w, a["filter_layout"], g)
    kh, kw = wf.shape[2:]
    in_h, in_w = (x.shape[2:] if layout == "nchw" else x.shape[1:3])
    full_h = (in_h - 1) * sh + (kh - 1) * dh + 1
    full_w = (in_w - 1) * sw + (kw - 1) * dw + 1
    eh, ew = max(0, pt + out_h - full_h), max(0, pl + out_w - full_w)
    bh, bw = dh * (kh - 1), dw * (kw - 1)
    spec = (_LHS[layout], "OIHW", _LHS[layout])
    y = _conv(x, wf, spec, window_strides=(1, 1), padding=((bh, bh + eh), (bw, bw + ew)),
              lhs_dilation=(sh, sw), rhs_dilation=(dh, dw), feature_group_count=g)
    if layout == "nchw":
        y = y[:, :, pt:pt + out_h, pl:pl + out_w]
    else:
        y = y[:, pt:pt + out_h, pl:pl + out_w, :]
    return _add_bias(y, bias, layout)
