"""Reference kernels: cast, quantize_linear, dequantize_linear (webnn-spec
§api-mlgraphbuilder-cast, §api-mlgraphbuilder-quantizelinear,
§api-mlgraphbuilder-dequantizelinear).

cast semantics (spec table "Behavior of the cast() operation"):

- float -> float and integer -> float: nearest representable value (ties to even), +/-Infinity
  when out of range (numpy's conversions are correctly rounded).
- integer -> integer: the lowest N bits reinterpreted as the target type (two's complement).
- float -> integer: truncation toward zero when in range. Out of range is
  implementation-defined; this implementation saturates to the target's range and maps NaN
  to 0 (the OpenVINO backend emulates the same).
"""

from __future__ import annotations

import numpy as np

from ...graph import Node
from ._registry import registry


def float_to_int(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Truncate toward zero, saturate to ``dtype``'s range, NaN -> 0."""
    dtype = np.dtype(dtype)
    info = np.iinfo(dtype)
    x = np.trunc(np.asarray(x, dtype=np.float64))
    x = np.where(np.isnan(x), 0.0, x)
    if dtype.itemsize < 8:
        # every bound of a type of 32 bits or fewer is exact in float64
        return np.clip(x, info.min, info.max).astype(dtype)
    # 64-bit: the upper bound 2**63 - 1 / 2**64 - 1 is not a float64; 2**63 / 2**64 is
    upper = float(info.max) + 1.0
    largest_below = np.nextafter(upper, 0.0)
    result = np.clip(x, float(info.min), largest_below).astype(dtype)
    return np.where(x >= upper, dtype.type(info.max), result).astype(dtype)


def cast_array(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """The cast operator on a numpy array (see the module docstring)."""
    dtype = np.dtype(dtype)
    if x.dtype.kind == "f" and dtype.kind in "iu":
        return float_to_int(x, dtype)
    with np.errstate(over="ignore"):
        # int -> int wraps (C conversion); int/float -> float rounds to nearest, overflows to inf
        return x.astype(dtype)


@registry.register("cast")
def cast(node: Node, x: np.ndarray) -> np.ndarray:
    # float16 inputs arrive widened to float32 exactly, so casting from them is unchanged
    return cast_array(x, node.outputs[0].descriptor.numpy_dtype)


def blockwise_expand(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Repeat each element of ``x`` along every axis by ``shape[axis] // x.shape[axis]``
    (the spec's blockwiseExpand)."""
    for axis, (have, want) in enumerate(zip(x.shape, shape, strict=True)):
        if have != want:
            x = np.repeat(x, want // have, axis=axis)
    return x


@registry.register("dequantize_linear")
def dequantize_linear(node: Node, x: np.ndarray, scale: np.ndarray,
                      zero_point: np.ndarray) -> np.ndarray:
    # spec emulation: (cast(input) - cast(zeroPoint)) * scale, in the scale's float type
    # (float16 computes at float32 and rounds once at the end)
    ftype = np.float32
    xf = x.astype(ftype)
    zf = blockwise_expand(zero_point.astype(ftype), x.shape)
    sf = blockwise_expand(scale.astype(ftype), x.shape)
    return (xf - zf) * sf


@registry.register("quantize_linear")
def quantize_linear(node: Node, x: np.ndarray, scale: np.ndarray,
                    zero_point: np.ndarray) -> np.ndarray:
    # spec emulation: cast(clamp(roundEven(input / scale) + cast(zeroPoint)), zeroPoint type)
    # in float32 arithmetic; the clamp to the output type's range and the final cast are the
    # saturating float -> integer cast
    ftype = np.float32
    sf = blockwise_expand(scale.astype(ftype), x.shape)
    zf = blockwise_expand(zero_point.astype(ftype), x.shape)
    q = np.rint(x.astype(ftype) / sf) + zf
    return float_to_int(q.astype(ftype), zero_point.dtype)
