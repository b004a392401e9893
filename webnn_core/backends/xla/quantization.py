"""XLA lowerings: cast, quantize_linear, dequantize_linear (webnn-spec
§api-mlgraphbuilder-cast, -quantizelinear, -dequantizelinear).

cast follows the reference backend's rules (webnn_core/backends/reference/quantization.py):
float -> integer truncates toward zero, saturates to the target's range and maps NaN to 0,
computed in float64 (exact bounds; x64 is scoped on while tracing); integer -> integer keeps
the low bits (XLA's convert); conversions to floats round to nearest.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from ...graph import Node
from ._registry import is_float, registry


def float_to_int(x: jnp.ndarray, dtype: np.dtype) -> jnp.ndarray:
    """Truncate toward zero, saturate to ``dtype``'s range, NaN -> 0."""
    dtype = np.dtype(dtype)
    info = np.iinfo(dtype)
    x = jnp.trunc(x.astype(jnp.float64))
    x = jnp.where(jnp.isnan(x), 0.0, x)
    if dtype.itemsize < 8:
        return jnp.clip(x, float(info.min), float(info.max)).astype(dtype)
    upper = float(info.max) + 1.0  # 2**63 or 2**64, a float64; info.max is not
    result = jnp.clip(x, float(info.min), np.nextafter(upper, 0.0)).astype(dtype)
    return jnp.where(x >= upper, jnp.asarray(info.max, dtype), result)


def cast_array(x: jnp.ndarray, dtype: np.dtype) -> jnp.ndarray:
    """The cast operator (see the module docstring)."""
    dtype = np.dtype(dtype)
    if is_float(x) and dtype.kind in "iu":
        return float_to_int(x, dtype)
    return x.astype(dtype)


@registry.register("cast")
def cast(node: Node, x: jnp.ndarray) -> jnp.ndarray:
    """§cast (float16 inputs arrive widened to float32 exactly)."""
    return cast_array(x, node.outputs[0].descriptor.numpy_dtype)


def blockwise_expand(x: jnp.ndarray, shape: tuple[int, ...]) -> jnp.ndarray:
    """Repeat each element along every axis by ``shape[axis] // x.shape[axis]`` (the
    spec's blockwiseExpand)."""
    for axis, (have, want) in enumerate(zip(x.shape, shape, strict=True)):
        if have != want:
            x = jnp.repeat(x, want // have, axis=axis)
    return x


@registry.register("dequantize_linear")
def dequantize_linear(node: Node, x: jnp.ndarray, scale: jnp.ndarray,
                      zero_point: jnp.ndarray) -> jnp.ndarray:
    """The spec's emulation ``(cast(input) - cast(zeroPoint)) * scale`` in float32."""
    xf = x.astype(jnp.float32)
    zf = blockwise_expand(zero_point.astype(jnp.float32), x.shape)
    sf = blockwise_expand(scale.astype(jnp.float32), x.shape)
    return (xf - zf) * sf


@registry.register("quantize_linear")
def quantize_linear(node: Node, x: jnp.ndarray, scale: jnp.ndarray,
                    zero_point: jnp.ndarray) -> jnp.ndarray:
    """The spec's emulation ``cast(clamp(roundEven(input / scale) + zeroPoint))`` in
    float32, the clamp and cast being the saturating float -> integer cast."""
    sf = blockwise_expand(scale.astype(jnp.float32), x.shape)
    zf = blockwise_expand(zero_point.astype(jnp.float32), x.shape)
    q = jnp.round(x.astype(jnp.float32) / sf) + zf
    return float_to_int(q, np.dtype(zero_point.dtype))
